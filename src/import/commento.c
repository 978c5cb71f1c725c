/* import/commento.c: Commento's export (see sources.h).
 *
 * {"version": 1, "comments": [{"commentHex", "url" (the page's path),
 * "commenterHex", "markdown", "parentHex" ("root" at the top), "state",
 * "creationDate", ...}], "commenters": [{"commenterHex", "email", "name",
 * ...}]}, as Commento (and Commento++) write it. The commenters come after
 * the comments, so authors are attached when the file has been read.
 */
#include "import/builder.h"
#include "import/jsonin.h"
#include "import/sources.h"

#include <string.h>

typedef struct commento_ctx {
    import_builder *b;
    bool version_seen;
} commento_ctx;

static int
on_comment(import_builder *b, json_t *c, size_t line, pl_error *err)
{
    const char *path = jsonin_str(c, "url");
    const char *key = ib_str(b, path[0] ? path : "/");
    size_t t;
    if (!ib_thread_find(b, key, &t))
        t = ib_thread(b, key, ib_path_article_id(b->a, "commento", key), "", "", false, 0, line);
    disqus_post p = ib_json_post(b, c, "commentHex", "creationDate", t, line);
    const char *state = jsonin_str(c, "state");
    p.deleted = json_is_true(json_object_get(c, "deleted"));
    if (!strcmp(state, "unapproved") || !strcmp(state, "flagged"))
        p.pending = true;
    else if (strcmp(state, "approved") != 0 && state[0] != '\0')
        ib_warn(b, line, "comment %s has an unknown state '%.40s'; imported as published", p.dsq_id,
                state);
    const char *who = jsonin_str(c, "commenterHex");
    p.author.name = "";
    p.author.email = "";
    p.author.username = "";
    p.author.anonymous = true;
    const char *parent = jsonin_str(c, "parentHex");
    if (!strcmp(parent, "root"))
        parent = "";
    return ib_post_text(b, &p, parent, jsonin_str(c, "markdown"),
                        who[0] && strcmp(who, "anonymous") != 0 ? who : NULL, err);
}

static int
on_member(void *arg, const char *key, long index, json_t *v, size_t line, pl_error *err)
{
    commento_ctx *cx = arg;
    import_builder *b = cx->b;
    if (!strcmp(key, "version")) {
        if (!json_is_integer(v) || json_integer_value(v) != 1)
            return pl_errorf(err, PL_EINVAL,
                             "line %zu: a Commento export of another version; this importer "
                             "reads version 1",
                             line);
        cx->version_seen = true;
        return 0;
    }
    if (index < 0) {
        if (!strcmp(key, "comments") || !strcmp(key, "commenters"))
            return json_is_null(v)
                       ? 0
                       : pl_errorf(err, PL_EINVAL, "line %zu: %s is not an array", line, key);
        return 0; /* a member this importer does not know */
    }
    if (strcmp(key, "comments") != 0 && strcmp(key, "commenters") != 0)
        return 0;
    if (!json_is_object(v))
        return pl_errorf(err, PL_EINVAL, "line %zu: an element of %s is not an object", line, key);
    if (!strcmp(key, "comments"))
        return on_comment(b, v, line, err);
    if (!strcmp(key, "commenters")) {
        const char *hex = jsonin_str(v, "commenterHex");
        if (hex[0] != '\0')
            ib_author(b, hex, jsonin_str(v, "name"), jsonin_str(v, "email"), hex);
    }
    return 0;
}

static int
read_body(import_builder *b, jsonin *j, pl_error *err)
{
    commento_ctx cx = {b, false};
    int rc = jsonin_object_stream(j, on_member, &cx, err);
    if (rc == 0 && !cx.version_seen)
        rc = pl_errorf(err, PL_EINVAL,
                       "line 1: not a Commento export (no \"version\" member; is it still "
                       "gzipped?)");
    return rc;
}

int
commento_read(FILE *in, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
              disqus_export *out, pl_error *err)
{
    return ib_read_json(in, a, bodies, warn, warn_arg, out, "commento", read_body, err);
}
