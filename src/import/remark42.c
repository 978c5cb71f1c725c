/* import/remark42.c: Remark42's backup file (see sources.h).
 *
 * The first line is the header: {"version": 1 (or 0), "users": [...],
 * "posts": [{"url", "read_only", ...}]}; each later line is one comment as
 * Remark42 stores it: {"id", "pid", "text" (HTML), "user": {"id", "name",
 * ...}, "locator": {"site", "url"}, "time", "delete", "title", ...}.
 * Threads are the pages (locator.url); a page listed as read_only in the
 * header is imported closed.
 */
#include "import/builder.h"
#include "import/jsonin.h"
#include "import/sources.h"

#include <string.h>

static int
read_header(import_builder *b, jsonin *j, idmap *read_only, pl_error *err)
{
    json_t *h;
    int rc = jsonin_next(j, &h, err);
    if (rc <= 0)
        return rc < 0 ? rc : pl_errorf(err, PL_EINVAL, "line 1: the file is empty");
    json_t *version = json_object_get(h, "version");
    if (!json_is_integer(version) || json_object_get(h, "locator") != NULL) {
        json_decref(h);
        return pl_errorf(err, PL_EINVAL,
                         "line %zu: not a Remark42 backup: the first line is not its header "
                         "({\"version\":1,...})",
                         j->line);
    }
    if (json_integer_value(version) != 0 && json_integer_value(version) != 1) {
        json_decref(h);
        return pl_errorf(err, PL_EINVAL,
                         "line %zu: a Remark42 backup of version %lld; this "
                         "importer reads versions 0 and 1",
                         j->line, (long long)json_integer_value(version));
    }
    size_t i;
    json_t *post;
    json_array_foreach(json_object_get(h, "posts"), i, post)
    {
        if (json_is_true(json_object_get(post, "read_only")))
            idmap_add(read_only, ib_str(b, jsonin_str(post, "url")), 1);
    }
    json_decref(h);
    return 0;
}

static int
read_comment(import_builder *b, json_t *c, size_t line, const idmap *read_only, pl_error *err)
{
    json_t *loc = json_object_get(c, "locator"), *user = json_object_get(c, "user");
    const char *url = jsonin_str(loc, "url");
    if (url[0] == '\0') {
        ib_warn(b, line, "a comment without locator.url is skipped");
        return 0;
    }
    const char *key = ib_str(b, url);
    int64_t ro;
    bool closed = idmap_get(read_only, key, &ro);
    size_t t;
    if (!ib_thread_find(b, key, &t))
        t = ib_thread(b, key, ib_path_article_id(b->a, "remark42", key), jsonin_str(c, "title"),
                      key, closed, 0, line);
    else
        t = ib_thread(b, key, "", jsonin_str(c, "title"), key, closed, 0, line);
    disqus_post p = ib_json_post(b, c, "id", "time", t, line);
    p.deleted = json_is_true(json_object_get(c, "delete"));
    p.author.name = jsonin_str(user, "name");
    p.author.username = jsonin_str(user, "id");
    p.author.email = jsonin_str(user, "email");
    p.author.anonymous = p.author.username[0] == '\0';
    return ib_post_html(b, &p, jsonin_str(c, "pid"), jsonin_str(c, "text"), NULL, err);
}

static int
read_body(import_builder *b, jsonin *j, pl_error *err)
{
    idmap read_only = {0};
    int rc = read_header(b, j, &read_only, err);
    json_t *c;
    while (rc == 0 && (rc = jsonin_next(j, &c, err)) == 1) {
        rc = read_comment(b, c, j->line, &read_only, err);
        json_decref(c);
    }
    idmap_fini(&read_only);
    return rc;
}

int
remark42_read(FILE *in, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
              disqus_export *out, pl_error *err)
{
    return ib_read_json(in, a, bodies, warn, warn_arg, out, "remark42", read_body, err);
}
