/* fuzz/fuzz_parley.c: the reader of Parley's own export (import/parley.h)
 * on arbitrary bytes (no store).
 *
 * Each line goes to parley_parse_line; the whole input also goes through
 * parley_import as a dry run. Beyond memory errors it checks the parser's
 * promises: a record it accepts has valid UTF-8 strings without NULs, a
 * valid article key, a known status and role, and ids that are decimal; a
 * site has a slug and a name, a settings record a JSON object and a time; a
 * dry run never counts more records stored than read, nor reports success
 * without a header and an end record whose counts match.
 */
#include "fuzz.h"
#include "import/parley.h"
#include "util/arena.h"
#include "util/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
check_str(const char *s)
{
    if (s != NULL && !utf8_valid(s, strlen(s)))
        abort();
}

static void
check_id(const char *s)
{
    int64_t v;
    if (s != NULL && parse_int(s, 1, INT64_MAX, &v) < 0)
        abort();
}

static void
check_record(const parley_record *r)
{
    switch (r->kind) {
    case PARLEY_USER:
        check_id(r->ext_id);
        check_str(r->user.email);
        check_str(r->user.name);
        check_str(r->user.ban_reason);
        if (r->user.role > ROLE_ADMIN || strchr(r->user.email, '@') == NULL)
            abort();
        break;
    case PARLEY_ARTICLE:
        if (!article_key_valid(r->article.id) || r->article.status > ARTICLE_CLOSED)
            abort();
        check_str(r->article.title);
        check_str(r->article.url);
        check_str(r->article.text);
        break;
    case PARLEY_COMMENT:
        check_id(r->ext_id);
        check_id(r->author_ext);
        check_id(r->parent_ext);
        if (!article_key_valid(r->comment.article_id) || r->comment.status > COMMENT_HIDDEN)
            abort();
        check_str(r->comment.body);
        check_str(r->comment.moderation);
        check_str(r->comment.moderator_reason);
        if (r->parent_ext != NULL && strcmp(r->parent_ext, r->ext_id) == 0)
            abort();
        break;
    case PARLEY_FLAG:
        check_id(r->ext_id);
        check_str(r->flag.reason);
        check_str(r->flag.note);
        if (r->flag.outcome > FLAG_DISMISSED || r->comment_ext == NULL || r->user_ext == NULL)
            abort();
        check_id(r->comment_ext);
        check_id(r->user_ext);
        break;
    case PARLEY_LIKE:
        check_id(r->comment_ext);
        check_id(r->user_ext);
        if (r->comment_ext == NULL || r->user_ext == NULL)
            abort();
        break;
    case PARLEY_LOG:
        check_id(r->ext_id);
        check_id(r->actor_ext);
        check_str(r->log.action);
        check_str(r->log.target_id);
        check_str(r->log.reason);
        break;
    case PARLEY_SITE:
        check_id(r->ext_id);
        check_str(r->site.slug);
        check_str(r->site.name);
        check_str(r->site.origins);
        if (r->site.slug[0] == '\0' || strlen(r->site.slug) > 32 || r->site.name[0] == '\0')
            abort();
        break;
    case PARLEY_SETTINGS:
        check_id(r->actor_ext);
        check_id(r->site_ext);
        check_str(r->settings);
        if (r->settings == NULL || r->settings[0] != '{' || r->settings_at == 0)
            abort();
        break;
    case PARLEY_MODERATOR_SITES:
        check_id(r->user_ext);
        if (r->user_ext == NULL || r->n_sites == 0 || r->n_sites > 1000)
            abort();
        for (size_t i = 0; i < r->n_sites; i++)
            check_id(r->sites_ext[i]);
        break;
    case PARLEY_HEADER:
    case PARLEY_END:
        break;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        parley_record r;
        pl_error err;
        if (parley_parse_line(p, len, a, &r, &err) == 0)
            check_record(&r);
        p += len + 1;
    }
    FILE *in = fmemopen((void *)(size ? data : (const uint8_t *)""), size ? size : 1, "r");
    if (in != NULL) {
        parley_import_stats st;
        size_t line;
        pl_error err;
        int rc = parley_import(NULL, in, true, &st, &line, &err);
        if (st.stored.users > st.read.users || st.stored.comments > st.read.comments ||
            st.stored.articles > st.read.articles || st.stored.log > st.read.log ||
            st.stored.flags > st.read.flags || st.stored.likes > st.read.likes ||
            st.stored.sites > st.read.sites || st.stored.settings > st.read.settings)
            abort();
        if (rc == 0 && size == 0)
            abort();
        fclose(in);
    }
    arena_free(a);
    return 0;
}
