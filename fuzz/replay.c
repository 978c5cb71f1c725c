/* fuzz/replay.c: runs a fuzz target over every file of a corpus directory.
 *
 * Used where libFuzzer is not: `make check` builds each fuzz/fuzz_<mod>.c with
 * this main under ASan and UBSan and replays fuzz/corpus/<mod>, so every input
 * that once crashed keeps being tried. Files are read whole and fed in name
 * order, one call each, from a fresh heap copy of exactly their size so ASan
 * catches a read past the end. An empty or missing directory is an error:
 * a replay that tried nothing must not pass.
 */
#include "fuzz.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
        fclose(f);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *data = xmalloc(n);
    if (fread(data, 1, n, f) != n) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(data);
        fclose(f);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, n);
    free(data);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "replay: cannot open %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = xrealloc(names, (count + 1) * sizeof *names);
        names[count++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (count > 1)
        qsort(names, count, sizeof *names, cmp_names);

    int rc = 0;
    size_t replayed = 0;
    for (size_t i = 0; i < count; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(path) == 0)
                replayed++;
            else
                rc = 1;
        }
        free(names[i]);
    }
    free(names);
    printf("replayed %zu inputs from %s\n", replayed, dir);
    if (replayed == 0) {
        fprintf(stderr, "replay: no inputs in %s\n", dir);
        rc = 1;
    }
    return rc;
}
