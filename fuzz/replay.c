/* fuzz/replay.c: runs a fuzz target over every file of a corpus directory
 * without libFuzzer, so `make check` replays each committed corpus under
 * ASan+UBSan.
 *
 * Usage: fuzz_<mod> DIR. Every regular file in DIR is read whole and passed
 * once to LLVMFuzzerTestOneInput; any sanitizer report aborts the run.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (d == NULL) {
        perror(argv[1]);
        return 1;
    }
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
            perror(path);
            closedir(d);
            return 1;
        }
        size_t n = (size_t)st.st_size;
        uint8_t *buf = malloc(n ? n : 1);
        if (buf == NULL || fread(buf, 1, n, f) != n) {
            fprintf(stderr, "%s: read failed\n", path);
            fclose(f);
            free(buf);
            closedir(d);
            return 1;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
        files++;
    }
    closedir(d);
    printf("replayed %d inputs from %s\n", files, argv[1]);
    return 0;
}
