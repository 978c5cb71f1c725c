/* moderation/check_cmd.c: minimal `parley check` until the moderation
 * engine's full command lands (XXX #3): reads one comment from standard
 * input and prints the MODERATION JSON. */
#include "moderation/check_cmd.h"
#include "moderation/moderation.h"
#include "moderation/moderation_json.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
check_cmd_main(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("Usage: parley check < comment.txt\n");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "parley check: %s: unknown option\n", argv[1]);
        return 2;
    }
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, stdin)) > 0) {
        n += got;
        if (n == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    config cfg;
    config_init(&cfg);
    moderation *m = NULL;
    pl_error err;
    if (moderation_new(&cfg, &m, &err) < 0) {
        fprintf(stderr, "parley check: %s\n", err.msg);
        free(buf);
        config_fini(&cfg);
        return 1;
    }
    arena *a = arena_new();
    moderation_input in = {0};
    in.body = buf;
    in.body_len = n;
    in.article_title = in.article_text = "";
    moderation_result res;
    moderation_decide(m, &in, a, &res);
    json_t *j = moderation_result_to_json(&res, false);
    char *s = json_dumps(j, JSON_COMPACT);
    puts(s);
    free(s);
    json_decref(j);
    arena_free(a);
    moderation_free(m);
    config_fini(&cfg);
    free(buf);
    return 0;
}
