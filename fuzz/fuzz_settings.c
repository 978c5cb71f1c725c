/* fuzz/fuzz_settings.c: the site's settings as the database and the desk
 * hand them over (app/settings.c).
 *
 * The input up to the first NUL is a settings version's JSON, set over the
 * default config (site_settings_overlay); the rest is comment text matched
 * against every word list the overlay produced (site_words_fold,
 * site_words_find, site_words_allow). Invariants: a refusal carries a
 * message; an accepted INT setting is inside its bounds and every value
 * reads back as JSON of its kind; the folded text starts and ends with one
 * space and has no two in a row; an entry found is one of the list's.
 */
#include "app/settings.h"
#include "fuzz.h"
#include "util/arena.h"

#include <stdlib.h>
#include <string.h>

static void
words(arena *a, const config *c, const char *text)
{
    const char *folded = site_words_fold(a, text);
    size_t n = strlen(folded);
    if (n == 0 || folded[0] != ' ' || folded[n - 1] != ' ' || strstr(folded, "  ") != NULL)
        abort();
    for (const char *name = "words.block"; name != NULL;
         name = strcmp(name, "words.block") == 0 ? "words.allow" : NULL) {
        site_words w;
        site_words_compile(a, config_extra(c, name), &w);
        const char *hit = site_words_find(&w, folded);
        bool known = hit == NULL;
        for (size_t i = 0; i < w.n && !known; i++)
            known = strcmp(w.raw[i], hit) == 0;
        if (!known)
            abort();
        (void)site_words_allow(a, &w, folded, text);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t json_n = strnlen((const char *)data, size);
    char *json = strndup((const char *)data, json_n);
    char *text =
        json_n < size ? strndup((const char *)data + json_n + 1, size - json_n - 1) : strdup("");
    config base;
    config_init(&base);
    json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
    config *c = NULL;
    pl_error err;
    memset(&err, 0, sizeof err);
    if (o != NULL) {
        int rc = site_settings_overlay(&base, o, &c, &err);
        if (rc < 0 && (err.code != rc || err.msg[0] == '\0' || c != NULL))
            abort();
        if (rc == 0) {
            if (c->flag_threshold < 1 || c->flag_threshold > 1000 || c->flags_per_hour < 1)
                abort();
            size_t n;
            const site_setting *list = site_settings(&n);
            for (size_t i = 0; i < n; i++) {
                json_t *v = site_setting_value(&list[i], c);
                if (v == NULL || (list[i].kind == SITE_WORDS && !json_is_array(v)) ||
                    (list[i].kind == SITE_BOOL && !json_is_boolean(v)))
                    abort();
                json_decref(v);
            }
            arena *a = arena_new();
            words(a, c, text);
            arena_free(a);
            config_fini(c);
            free(c);
        }
        json_decref(o);
    }
    config_fini(&base);
    free(json);
    free(text);
    return 0;
}
