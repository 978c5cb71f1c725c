/* import/coral.c: Coral's collections as mongoexport writes them (see
 * sources.h).
 *
 * stories: {"id", "url", "metadata": {"title"}, "closedAt", "createdAt"};
 * users: {"id", "username", "email"}; comments: {"id", "storyID",
 * "parentID", "authorID", "revisions": [{"body" (HTML), ...}], "status",
 * "createdAt", "deletedAt"}. Dates are extended JSON ({"$date": ...}), as
 * mongoexport writes them, or plain RFC 3339 strings. The stories are read
 * first, so each comment finds its thread; users may come in any order.
 */
#include "import/builder.h"
#include "import/jsonin.h"
#include "import/sources.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Prefixes err with the collection. */
static int
in_collection(pl_error *err, int rc, const char *name)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return pl_errorf(err, rc, "%s: %s", name, why);
}

static size_t
story_thread(import_builder *b, json_t *s, const char *id, size_t line)
{
    json_t *closed = json_object_get(s, "closedAt");
    bool is_closed = closed != NULL && !json_is_null(closed) && !json_is_false(closed);
    const char *title = jsonin_str(json_object_get(s, "metadata"), "title");
    return ib_thread(b, id, ib_key_article_id(b->a, "coral", id), title, jsonin_str(s, "url"),
                     is_closed, jsonin_time(json_object_get(s, "createdAt"), NULL), line);
}

static int
read_stories(import_builder *b, FILE *f, pl_error *err)
{
    jsonin j;
    jsonin_init(&j, f);
    json_t *s;
    int rc;
    while ((rc = jsonin_next(&j, &s, err)) == 1) {
        const char *id = jsonin_str(s, "id");
        size_t seen;
        if (id[0] == '\0')
            ib_warn(b, j.line, "stories: a story without an id is skipped");
        else if (ib_thread_find(b, id, &seen))
            ib_warn(b, j.line, "stories: story %.80s appears twice; the second is skipped", id);
        else
            story_thread(b, s, ib_str(b, id), j.line);
        json_decref(s);
    }
    jsonin_fini(&j);
    return rc < 0 ? in_collection(err, rc, "stories") : 0;
}

static int
read_users(import_builder *b, FILE *f, pl_error *err)
{
    jsonin j;
    jsonin_init(&j, f);
    json_t *u;
    int rc;
    while ((rc = jsonin_next(&j, &u, err)) == 1) {
        const char *id = jsonin_str(u, "id");
        if (id[0] != '\0')
            ib_author(b, id, jsonin_str(u, "username"), jsonin_str(u, "email"), id);
        json_decref(u);
    }
    jsonin_fini(&j);
    return rc < 0 ? in_collection(err, rc, "users") : 0;
}

static int
read_comment(import_builder *b, json_t *c, size_t line, pl_error *err)
{
    const char *story = jsonin_str(c, "storyID");
    size_t t;
    if (!ib_thread_find(b, story, &t)) {
        if (story[0] == '\0') {
            ib_warn(b, line, "comments: a comment without a storyID is skipped");
            return 0;
        }
        /* A story missing from stories.json: the comments still have a home,
         * under the story's id. */
        t = story_thread(b, NULL, ib_str(b, story), line);
    }
    disqus_post p = {0};
    p.dsq_id = jsonin_str(c, "id");
    p.thread = t;
    p.line = line;
    bool bad;
    p.created_at = jsonin_time(json_object_get(c, "createdAt"), &bad);
    if (bad)
        ib_warn(b, line,
                "comments: comment %.80s has an unreadable createdAt; using a fallback "
                "time",
                p.dsq_id);
    json_t *deleted = json_object_get(c, "deletedAt");
    p.deleted = deleted != NULL && !json_is_null(deleted) && !json_is_false(deleted);
    const char *status = jsonin_str(c, "status");
    if (!strcmp(status, "PREMOD") || !strcmp(status, "SYSTEM_WITHHELD"))
        p.pending = true;
    else if (!strcmp(status, "REJECTED"))
        p.rejected = true;
    else if (strcmp(status, "NONE") != 0 && strcmp(status, "APPROVED") != 0)
        ib_warn(b, line,
                "comments: comment %.80s has an unknown status '%.40s'; imported as "
                "published",
                p.dsq_id, status);
    p.author.name = p.author.email = p.author.username = "";
    p.author.anonymous = true;
    /* The body is the last revision's (the comment as it reads now). */
    json_t *revs = json_object_get(c, "revisions");
    size_t nrev = json_array_size(revs);
    const char *body = nrev > 0 ? jsonin_str(json_array_get(revs, nrev - 1), "body") : "";
    const char *author = jsonin_str(c, "authorID");
    return ib_post_html(b, &p, jsonin_str(c, "parentID"), body, author[0] ? author : NULL, err);
}

static int
read_comments(import_builder *b, FILE *f, pl_error *err)
{
    jsonin j;
    jsonin_init(&j, f);
    json_t *c;
    int rc;
    while ((rc = jsonin_next(&j, &c, err)) == 1) {
        rc = read_comment(b, c, j.line, err);
        json_decref(c);
        if (rc < 0)
            break;
    }
    jsonin_fini(&j);
    return rc < 0 ? in_collection(err, rc, "comments") : 0;
}

int
coral_read(FILE *stories, FILE *users, FILE *comments, arena *a, spool *bodies, disqus_warn_fn warn,
           void *warn_arg, disqus_export *out, pl_error *err)
{
    import_builder b;
    ib_init(&b, a, bodies, warn, warn_arg, out, "coral");
    int rc = read_stories(&b, stories, err);
    if (rc == 0 && users != NULL)
        rc = read_users(&b, users, err);
    if (rc == 0)
        rc = read_comments(&b, comments, err);
    return ib_finish(&b, rc);
}

static FILE *
open_in(const char *dir, const char *name, bool required, int *rc, pl_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "re");
    if (f == NULL && (required || errno != ENOENT))
        *rc = pl_errorf(err, errno == ENOENT ? PL_EINVAL : PL_EIO, "cannot open %s: %s", path,
                        strerror(errno));
    return f;
}

int
coral_read_dir(const char *dir, arena *a, spool *bodies, disqus_warn_fn warn, void *warn_arg,
               disqus_export *out, pl_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = 0;
    FILE *stories = open_in(dir, "stories.json", true, &rc, err);
    FILE *users = rc == 0 ? open_in(dir, "users.json", false, &rc, err) : NULL;
    FILE *comments = rc == 0 ? open_in(dir, "comments.json", true, &rc, err) : NULL;
    if (rc == 0)
        rc = coral_read(stories, users, comments, a, bodies, warn, warn_arg, out, err);
    if (stories != NULL)
        fclose(stories);
    if (users != NULL)
        fclose(users);
    if (comments != NULL)
        fclose(comments);
    return rc;
}
