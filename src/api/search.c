/* api/search.c: GET /api/v1/mod/search, the desk's search over comments by
 * their words, their author, their article and their status, newest first,
 * for moderators and admins. The words go to the database's own full-text
 * search (store_comments_search: SQLite FTS5, PostgreSQL tsvector); the
 * author is an id or a whole name, as in the log's filters; site=SLUG keeps
 * one site's comments (docs/SITES.md). With no filter at all it lists the
 * newest comments.
 */
#include "api/api_int.h"
#include "util/text.h"

#include <string.h>

/* status=published|pending|rejected|hidden; -1 when absent. False when an
 * error was sent. A deleted comment has no text or author left to find. */
static bool
status_param(req *r, int *out)
{
    static const struct {
        const char *name;
        store_comment_status status;
    } names[] = {{"published", COMMENT_PUBLISHED},
                 {"pending", COMMENT_PENDING},
                 {"rejected", COMMENT_REJECTED},
                 {"hidden", COMMENT_HIDDEN}};
    const char *s = req_query(r, "status", NULL);
    *out = -1;
    if (s == NULL || s[0] == '\0')
        return true;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = (int)names[i].status;
            return true;
        }
    req_send_error(r, 400, "invalid_field",
                   "status must be published, pending, rejected or hidden.", "status", NULL);
    return false;
}

void
api_mod_search(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_moderator(r))
        return;
    store_search q = {0};
    int64_t limit;
    const char *s;
    if (!api_text_param(r, "q", &q.text) || !api_limit_param(r, 50, 100, &limit) ||
        !status_param(r, &q.status))
        return;
    if ((s = req_query(r, "before", NULL)) && parse_int(s, 1, INT64_MAX, &q.before_id) < 0) {
        req_send_error(r, 400, "invalid_field", "The paging cursor is not valid.", "before", NULL);
        return;
    }
    if (!api_mod_site(r, &q.site))
        return;
    if (!api_article_query(r, &q.article_id))
        return;
    if (!api_user_param(r, "author", &q.author_id))
        return;
    store_comment_list list = {0};
    pl_error err;
    int rc = store_comments_search(req_store(r), &q, API_PAGE_ASK(limit), r->a, &list, &err);
    size_t n = list.n;
    bool more;
    if (!api_page_rows(r, rc, &err, &n, limit, &more))
        return;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, api_desk_comment_json(&list.items[i]));
    json_t *next = more ? api_id(list.items[n - 1].id) : json_null();
    req_send_json(r, 200, json_pack("{s:o, s:o}", "comments", items, "next", next));
}
