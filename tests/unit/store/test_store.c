/* tests/unit/store/test_store.c: the store suite, one set for every backend.
 *
 * The database comes from PARLEY_TEST_DB_URL; without it each test gets a
 * fresh SQLite file in its own temporary directory. Tests make their own
 * users and articles with names unique to the test, so the same suite runs
 * against one shared database (tests/pg.sh runs it on PostgreSQL). Checks
 * that need the database itself (schema_version rows, the modlog triggers,
 * a fresh database for two processes opening it at once) talk to SQLite or
 * PostgreSQL directly, whichever the URL names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

#include "store_fixture.h"

static const char *
article(fixture *f, const char *name)
{
    return arena_printf(f->a, "%s-%s", name, f->tag);
}

static int64_t
new_user(fixture *f, const char *name)
{
    pl_error err = {0};
    store_user u = {0};
    u.email = arena_printf(f->a, "%s-%d-%s@Example.ORG", name, ++f->seq, f->tag);
    u.name = name;
    u.pw_hash = "$argon2id$fake";
    assert_int_equal(store_user_insert(f->s, &u, &err), 0);
    assert_true(u.id > 0);
    return u.id;
}

static int64_t
add_comment(fixture *f, const char *art, int64_t parent, int64_t author, store_comment_status st,
            int64_t created_at)
{
    pl_error err = {0};
    store_comment c = {0};
    c.article_id = art;
    c.parent_id = parent;
    c.author_id = author;
    c.body = "hello *world*";
    c.html = "<p>hello <em>world</em></p>";
    c.moderation = "{\"decision\":\"publish\"}";
    c.status = st;
    c.created_at = created_at;
    int rc = store_comment_insert(f->s, &c, &err);
    if (rc != 0)
        fail_msg("insert: %s", err.msg);
    return c.id;
}

static int64_t
count_of(fixture *f, const char *art)
{
    pl_error err = {0};
    int64_t n = -1;
    const char *ids[1] = {art};
    assert_int_equal(store_article_counts(f->s, ids, 1, &n, &err), 0);
    return n;
}

/* True when id is in the list. */
static bool
has(const store_comment_list *l, int64_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].id == id)
            return true;
    return false;
}

static store_comment_list
page(fixture *f, const char *art, int64_t viewer)
{
    pl_error err = {0};
    store_comment_list l;
    bool more;
    store_cursor none = {0};
    assert_int_equal(
        store_comments_page(f->s, art, SORT_OLDEST, none, 100, viewer, f->a, &l, &more, &err), 0);
    assert_false(more);
    return l;
}

static store_comment_list
replies(fixture *f, int64_t root, int64_t viewer)
{
    pl_error err = {0};
    store_comment_list l;
    assert_int_equal(store_comments_replies(f->s, &root, 1, viewer, f->a, &l, &err), 0);
    return l;
}

/* ---- PostgreSQL, directly -------------------------------------------------- */

static bool
is_pg(const fixture *f)
{
    return strncmp(f->url, "postgres://", 11) == 0 || strncmp(f->url, "postgresql://", 13) == 0;
}

static PGconn *
pg_connect(const char *url)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connect %s: %s", url, PQerrorMessage(c));
    return c;
}

/* Runs sql; true when it succeeded. */
static bool
pg_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* The result of sql, which must be one row (the test fails otherwise). */
static PGresult *
pg_one_row(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    return r;
}

/* The integer in the first column of the first row of sql. */
static long long
pg_int(PGconn *c, const char *sql)
{
    PGresult *r = pg_one_row(c, sql);
    long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

/* f->url with its database name replaced by name (the URL has no query). */
static void
pg_url_for(const fixture *f, const char *name, char *out, size_t size)
{
    const char *slash = strrchr(f->url, '/');
    assert_non_null(slash);
    assert_null(strchr(slash, '?'));
    snprintf(out, size, "%.*s/%s", (int)(slash - f->url), f->url, name);
}

/* ---- lifecycle ---------------------------------------------------------- */

static void
open_rejects_bad_urls(void **state)
{
    (void)state;
    pl_error err = {0};
    store *s = (store *)&err; /* must be reset to NULL */
    /* Nothing listens on port 1: the PostgreSQL backend reports the failed
     * connection as a storage failure, for both spellings of the scheme. */
    assert_int_equal(store_open("postgres://127.0.0.1:1/x?connect_timeout=5", false, &s, &err),
                     PL_ESTORE);
    assert_null(s);
    assert_non_null(strstr(err.msg, "postgres connect"));
    assert_int_equal(store_open("postgresql://127.0.0.1:1/x", true, &s, &err), PL_ESTORE);
    assert_null(s);
    assert_int_equal(store_open("mysql://x", false, &s, &err), PL_EINVAL);
    assert_int_equal(store_open("sqlite:", false, &s, &err), PL_EINVAL);
    assert_int_equal(store_open("", false, &s, &err), PL_EINVAL);
    assert_int_equal(store_open("sqlite:/nonexistent-dir/x/y.db", false, &s, &err), PL_ESTORE);
    assert_null(s);
    store_close(NULL);
}

static void
ping_answers(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    assert_int_equal(store_ping(f->s, &err), 0);
}

/* ---- users and sessions ---------------------------------------------------- */

static void
users_insert_and_read(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store_user u = {0}, got;
    u.email = arena_printf(f->a, "Ada.Lovelace-%s@Example.org", f->tag);
    u.name = "Ada";
    u.pw_hash = "$argon2id$x";
    u.role = ROLE_MODERATOR;
    assert_int_equal(store_user_insert(f->s, &u, &err), 0);
    assert_true(u.id > 0);

    assert_int_equal(store_user_by_id(f->s, u.id, f->a, &got, &err), 0);
    assert_string_equal(got.email, arena_printf(f->a, "ada.lovelace-%s@example.org", f->tag));
    assert_string_equal(got.name, "Ada");
    assert_string_equal(got.pw_hash, "$argon2id$x");
    assert_int_equal(got.role, ROLE_MODERATOR);
    assert_true(got.created_at > 0);
    assert_false(got.banned);
    assert_null(got.ban_reason);
    assert_false(got.deleted);

    /* Lookup and conflict both ignore case. */
    const char *upper = arena_printf(f->a, "ADA.LOVELACE-%s@EXAMPLE.ORG", f->tag);
    assert_int_equal(store_user_by_email(f->s, upper, f->a, &got, &err), 0);
    assert_int_equal(got.id, u.id);
    store_user dup = {.email = upper, .name = "Other"};
    assert_int_equal(store_user_insert(f->s, &dup, &err), PL_ECONFLICT);
    assert_int_equal(err.code, PL_ECONFLICT);

    assert_int_equal(store_user_by_id(f->s, u.id + 100000, f->a, &got, &err), PL_ENOTFOUND);
    assert_int_equal(store_user_by_email(f->s, "nobody@example.org", f->a, &got, &err),
                     PL_ENOTFOUND);
}

static void
users_ban_and_role(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store_user got;
    int64_t id = new_user(f, "troll");

    assert_int_equal(store_user_set_ban(f->s, id, true, 5000, "spam", &err), 0);
    assert_int_equal(store_user_by_id(f->s, id, f->a, &got, &err), 0);
    assert_true(got.banned);
    assert_int_equal(got.banned_until, 5000);
    assert_string_equal(got.ban_reason, "spam");

    assert_int_equal(store_user_set_ban(f->s, id, false, 9999, "ignored", &err), 0);
    assert_int_equal(store_user_by_id(f->s, id, f->a, &got, &err), 0);
    assert_false(got.banned);
    assert_int_equal(got.banned_until, 0);
    assert_null(got.ban_reason);

    assert_int_equal(store_user_set_role(f->s, id, ROLE_ADMIN, &err), 0);
    assert_int_equal(store_user_by_id(f->s, id, f->a, &got, &err), 0);
    assert_int_equal(got.role, ROLE_ADMIN);

    assert_int_equal(store_user_set_ban(f->s, id + 100000, true, 0, "x", &err), PL_ENOTFOUND);
    assert_int_equal(store_user_set_role(f->s, id + 100000, ROLE_ADMIN, &err), PL_ENOTFOUND);
    assert_int_equal(store_user_set_role(f->s, id, (store_role)7, &err), PL_EINVAL);
}

static void
users_language(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store_user got;
    unsigned char h[STORE_TOKEN_HASH_LEN];
    int64_t id = new_user(f, "polyglot");
    assert_int_equal(store_user_by_id(f->s, id, f->a, &got, &err), 0);
    assert_string_equal(got.language, "");
    assert_int_equal(store_user_set_language(f->s, id, "fa", &err), 0);
    assert_int_equal(store_user_by_id(f->s, id, f->a, &got, &err), 0);
    assert_string_equal(got.language, "fa");
    /* The session's user carries it: the pages read it from there. */
    memset(h, 0x5a, sizeof h);
    memcpy(h, f->tag, strlen(f->tag) < sizeof h ? strlen(f->tag) : sizeof h);
    assert_int_equal(store_session_insert(f->s, h, id, 2000, &err), 0);
    assert_int_equal(store_session_user(f->s, h, 1000, f->a, &got, &err), 0);
    assert_string_equal(got.language, "fa");
    assert_int_equal(store_user_set_language(f->s, id, "", &err), 0);
    assert_int_equal(store_user_by_id(f->s, id, f->a, &got, &err), 0);
    assert_string_equal(got.language, "");
    assert_int_equal(store_user_set_language(f->s, id + 100000, "es", &err), PL_ENOTFOUND);
}

static void
sessions_expire_and_delete(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store_user got;
    unsigned char h1[STORE_TOKEN_HASH_LEN], h2[STORE_TOKEN_HASH_LEN];
    int64_t id = new_user(f, "reader");

    memset(h1, 0xab, sizeof h1);
    memcpy(h1, f->tag, strlen(f->tag) < sizeof h1 ? strlen(f->tag) : sizeof h1);
    memcpy(h2, h1, sizeof h2);
    h2[31] ^= 1;
    assert_int_equal(store_session_insert(f->s, h1, id, 2000, &err), 0);
    assert_int_equal(store_session_insert(f->s, h1, id, 3000, &err), PL_ECONFLICT);

    assert_int_equal(store_session_user(f->s, h1, 1999, f->a, &got, &err), 0);
    assert_int_equal(got.id, id);
    assert_string_equal(got.name, "reader");
    assert_int_equal(store_session_user(f->s, h1, 2000, f->a, &got, &err), PL_ENOTFOUND);
    assert_int_equal(store_session_user(f->s, h2, 1000, f->a, &got, &err), PL_ENOTFOUND);

    assert_int_equal(store_session_delete(f->s, h1, &err), 0);
    assert_int_equal(store_session_user(f->s, h1, 1000, f->a, &got, &err), PL_ENOTFOUND);
    /* A session of an unknown user cannot exist. */
    assert_int_equal(store_session_insert(f->s, h2, id + 100000, 5000, &err), PL_ENOTFOUND);
}

/* ---- articles --------------------------------------------------------------- */

static void
articles_ensure_update_counts(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store_article a;
    const char *id = article(f, "art");

    assert_int_equal(store_article_get(f->s, id, f->a, &a, &err), PL_ENOTFOUND);
    assert_int_equal(store_article_ensure(f->s, id, NULL, "https://news.example/1", &err), 0);
    assert_int_equal(store_article_get(f->s, id, f->a, &a, &err), 0);
    assert_string_equal(a.id, id);
    assert_string_equal(a.title, "");
    assert_string_equal(a.url, "https://news.example/1");
    assert_int_equal(a.status, ARTICLE_OPEN);
    assert_false(a.sensitive);
    assert_int_equal(a.comment_count, 0);
    assert_true(a.created_at > 0);

    /* ensure fills an empty title and never overwrites a set url. */
    assert_int_equal(store_article_ensure(f->s, id, "Title", "https://evil.example/", &err), 0);
    assert_int_equal(store_article_get(f->s, id, f->a, &a, &err), 0);
    assert_string_equal(a.title, "Title");
    assert_string_equal(a.url, "https://news.example/1");

    store_article_changes up = {.text = "Body text",
                                .has_status = true,
                                .status = ARTICLE_CLOSED,
                                .has_sensitive = true,
                                .sensitive = true};
    assert_int_equal(store_article_update(f->s, id, &up, &err), 0);
    assert_int_equal(store_article_get(f->s, id, f->a, &a, &err), 0);
    assert_string_equal(a.title, "Title");
    assert_string_equal(a.text, "Body text");
    assert_int_equal(a.status, ARTICLE_CLOSED);
    assert_true(a.sensitive);

    store_article_changes up2 = {
        .title = "New", .has_status = true, .status = ARTICLE_PREMODERATED};
    assert_int_equal(store_article_update(f->s, id, &up2, &err), 0);
    assert_int_equal(store_article_get(f->s, id, f->a, &a, &err), 0);
    assert_string_equal(a.title, "New");
    assert_string_equal(a.text, "Body text");
    assert_int_equal(a.status, ARTICLE_PREMODERATED);
    assert_true(a.sensitive);

    /* update creates a missing article. */
    const char *id2 = article(f, "fresh");
    store_article_changes up3 = {.title = "Fresh"};
    assert_int_equal(store_article_update(f->s, id2, &up3, &err), 0);
    assert_int_equal(store_article_get(f->s, id2, f->a, &a, &err), 0);
    assert_string_equal(a.title, "Fresh");
    assert_int_equal(a.status, ARTICLE_OPEN);

    int64_t u = new_user(f, "w");
    add_comment(f, id, 0, u, COMMENT_PUBLISHED, 0);
    add_comment(f, id, 0, u, COMMENT_PUBLISHED, 0);
    add_comment(f, id, 0, u, COMMENT_PENDING, 0);
    add_comment(f, id2, 0, u, COMMENT_PUBLISHED, 0);
    const char *ids[3] = {id, article(f, "unknown"), id2};
    int64_t counts[3] = {-1, -1, -1};
    assert_int_equal(store_article_counts(f->s, ids, 3, counts, &err), 0);
    assert_int_equal(counts[0], 2);
    assert_int_equal(counts[1], 0);
    assert_int_equal(counts[2], 1);
    assert_int_equal(store_article_ensure(f->s, "", NULL, NULL, &err), PL_EINVAL);
}

/* ---- comments ---------------------------------------------------------------- */

static void
comments_insert_and_get(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store_comment c = {0}, got;
    const char *art = article(f, "c");
    int64_t u = new_user(f, "Grace");

    c.article_id = art;
    c.author_id = u;
    c.body = "first";
    c.html = "<p>first</p>";
    c.moderation = "{}";
    c.status = COMMENT_PUBLISHED;
    c.featured = true;
    assert_int_equal(store_comment_insert(f->s, &c, &err), 0);
    assert_true(c.id > 0);
    assert_int_equal(c.root_id, c.id);
    assert_true(c.created_at > 0);

    /* The article was created, open, and counts the comment. */
    store_article a;
    assert_int_equal(store_article_get(f->s, art, f->a, &a, &err), 0);
    assert_int_equal(a.status, ARTICLE_OPEN);
    assert_int_equal(a.comment_count, 1);

    assert_int_equal(store_comment_get(f->s, c.id, 0, f->a, &got, &err), 0);
    assert_string_equal(got.article_id, art);
    assert_int_equal(got.parent_id, 0);
    assert_int_equal(got.root_id, c.id);
    assert_int_equal(got.author_id, u);
    assert_string_equal(got.author_name, "Grace");
    assert_string_equal(got.body, "first");
    assert_string_equal(got.html, "<p>first</p>");
    assert_string_equal(got.moderation, "{}");
    assert_int_equal(got.status, COMMENT_PUBLISHED);
    assert_true(got.featured);
    assert_int_equal(got.created_at, c.created_at);
    assert_int_equal(got.edited_at, 0);
    assert_int_equal(got.likes, 0);
    assert_false(got.liked_by_me);
    assert_int_equal(got.reply_count, 0);

    int64_t r1 = add_comment(f, art, c.id, u, COMMENT_PUBLISHED, 0);
    int64_t r2 = add_comment(f, art, r1, u, COMMENT_PUBLISHED, 0);
    assert_int_equal(store_comment_get(f->s, r2, 0, f->a, &got, &err), 0);
    assert_int_equal(got.parent_id, r1);
    assert_int_equal(got.root_id, c.id);
    assert_int_equal(store_comment_get(f->s, c.id, 0, f->a, &got, &err), 0);
    assert_int_equal(got.reply_count, 1);

    /* A parent in another article, or none at all, is not found. */
    store_comment bad = c;
    bad.id = 0;
    bad.article_id = article(f, "other");
    bad.parent_id = c.id;
    assert_int_equal(store_comment_insert(f->s, &bad, &err), PL_ENOTFOUND);
    bad.article_id = art;
    bad.parent_id = r2 + 100000;
    assert_int_equal(store_comment_insert(f->s, &bad, &err), PL_ENOTFOUND);
    /* The failed insert did not create the other article. */
    assert_int_equal(store_article_get(f->s, article(f, "other"), f->a, &a, &err), PL_ENOTFOUND);
    assert_int_equal(store_comment_get(f->s, r2 + 100000, 0, f->a, &got, &err), PL_ENOTFOUND);

    assert_int_equal(store_comment_set_featured(f->s, c.id, false, &err), 0);
    assert_int_equal(store_comment_get(f->s, c.id, 0, f->a, &got, &err), 0);
    assert_false(got.featured);
}

static void
comments_count_stays_exact(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "n");
    int64_t u = new_user(f, "u");
    int64_t a = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 0);
    int64_t b = add_comment(f, art, a, u, COMMENT_PENDING, 0);
    int64_t c = add_comment(f, art, a, u, COMMENT_PUBLISHED, 0);
    assert_int_equal(count_of(f, art), 2);

    assert_int_equal(store_comment_set_status(f->s, b, COMMENT_PUBLISHED, &err), 0);
    assert_int_equal(count_of(f, art), 3);
    assert_int_equal(store_comment_set_status(f->s, b, COMMENT_PUBLISHED, &err), 0);
    assert_int_equal(count_of(f, art), 3);
    assert_int_equal(store_comment_set_status(f->s, c, COMMENT_REJECTED, &err), 0);
    assert_int_equal(count_of(f, art), 2);
    assert_int_equal(store_comment_set_status(f->s, c, COMMENT_DELETED, &err), 0);
    assert_int_equal(count_of(f, art), 2);

    /* An edit sent back to moderation stops counting; approval counts again. */
    assert_int_equal(store_comment_edit(f->s, a, "changed", "<p>changed</p>", COMMENT_PENDING,
                                        "{\"hold\":1}", NULL, 7777, &err),
                     0);
    assert_int_equal(count_of(f, art), 1);
    store_comment got;
    assert_int_equal(store_comment_get(f->s, a, 0, f->a, &got, &err), 0);
    assert_string_equal(got.body, "changed");
    assert_string_equal(got.html, "<p>changed</p>");
    assert_string_equal(got.moderation, "{\"hold\":1}");
    assert_int_equal(got.status, COMMENT_PENDING);
    assert_int_equal(got.edited_at, 7777);
    assert_int_equal(store_comment_set_status(f->s, a, COMMENT_PUBLISHED, &err), 0);
    assert_int_equal(count_of(f, art), 2);

    /* Deleting clears the text but keeps the row. */
    assert_int_equal(store_comment_set_status(f->s, a, COMMENT_DELETED, &err), 0);
    assert_int_equal(store_comment_get(f->s, a, 0, f->a, &got, &err), 0);
    assert_string_equal(got.body, "");
    assert_string_equal(got.html, "");
    assert_int_equal(got.status, COMMENT_DELETED);
    assert_int_equal(count_of(f, art), 1);

    assert_int_equal(store_comment_set_status(f->s, c + 100000, COMMENT_DELETED, &err),
                     PL_ENOTFOUND);
    assert_int_equal(
        store_comment_edit(f->s, c + 100000, "x", "x", COMMENT_PUBLISHED, "", NULL, 1, &err),
        PL_ENOTFOUND);
    assert_int_equal(store_comment_set_status(f->s, c, (store_comment_status)9, &err), PL_EINVAL);
}

static void
deleted_placeholder_only_while_replies_visible(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "d");
    int64_t u = new_user(f, "u");
    int64_t top = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 100);
    int64_t mid = add_comment(f, art, top, u, COMMENT_PUBLISHED, 200);
    int64_t leaf = add_comment(f, art, mid, u, COMMENT_PUBLISHED, 300);
    int64_t alone = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 400);

    assert_int_equal(store_comment_set_status(f->s, top, COMMENT_DELETED, &err), 0);
    assert_int_equal(store_comment_set_status(f->s, mid, COMMENT_DELETED, &err), 0);
    assert_int_equal(store_comment_set_status(f->s, alone, COMMENT_DELETED, &err), 0);

    store_comment_list l = page(f, art, 0);
    assert_int_equal(l.n, 1); /* alone has no replies: gone */
    assert_int_equal(l.items[0].id, top);
    assert_int_equal(l.items[0].status, COMMENT_DELETED);
    assert_string_equal(l.items[0].body, "");

    l = replies(f, top, 0);
    assert_int_equal(l.n, 2); /* mid stays as a placeholder for leaf */
    assert_int_equal(l.items[0].id, mid);
    assert_int_equal(l.items[0].status, COMMENT_DELETED);
    assert_int_equal(l.items[1].id, leaf);

    /* Once the last visible descendant goes, so do the placeholders. */
    assert_int_equal(store_comment_set_status(f->s, leaf, COMMENT_REJECTED, &err), 0);
    l = page(f, art, 0);
    assert_int_equal(l.n, 0);
    l = replies(f, top, 0);
    assert_int_equal(l.n, 0);

    /* The author's own pending reply keeps the placeholder, for them only. */
    int64_t own = add_comment(f, art, mid, u, COMMENT_PENDING, 500);
    l = page(f, art, u);
    assert_int_equal(l.n, 1);
    l = replies(f, top, u);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.items[1].id, own);
    l = page(f, art, 0);
    assert_int_equal(l.n, 0);
    l = replies(f, top, 0);
    assert_int_equal(l.n, 0);
}

/* Pages through all top-level comments in one order; returns how many. */
static size_t
page_all(fixture *f, const char *art, store_sort sort, int limit, int64_t *ids, size_t cap)
{
    pl_error err = {0};
    store_cursor cur = {0};
    size_t n = 0;
    bool more = true;
    int guard = 0;
    while (more) {
        store_comment_list l;
        assert_int_equal(store_comments_page(f->s, art, sort, cur, limit, 0, f->a, &l, &more, &err),
                         0);
        assert_true(l.n <= (size_t)limit);
        if (more)
            assert_int_equal(l.n, limit);
        for (size_t i = 0; i < l.n; i++) {
            assert_true(n < cap);
            ids[n++] = l.items[i].id;
        }
        if (l.n > 0) {
            const store_comment *last = &l.items[l.n - 1];
            cur.set = true;
            cur.key = sort == SORT_TOP ? last->likes : last->created_at;
            cur.id = last->id;
        }
        assert_true(++guard < 1000);
    }
    return n;
}

static void
paging_has_no_gap_or_duplicate(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    enum { N = 250 };
    const char *art = article(f, "p");
    int64_t author = new_user(f, "author");
    int64_t likers[4];
    int64_t ids[N], got[N + 1];
    int64_t likes[N];

    for (int i = 0; i < 4; i++)
        likers[i] = new_user(f, "liker");
    for (int i = 0; i < N; i++) {
        /* Three comments share each timestamp, so ties need the id. */
        ids[i] = add_comment(f, art, 0, author, COMMENT_PUBLISHED, 1000 + i / 3);
        likes[i] = i % 5 == 4 ? 0 : (i * 7) % 5;
        for (int k = 0; k < likes[i]; k++) {
            int64_t n;
            assert_int_equal(store_like_add(f->s, ids[i], likers[k], &n, &err), 0);
        }
    }
    /* Replies and hidden comments must not appear among the top level. */
    add_comment(f, art, ids[10], author, COMMENT_PUBLISHED, 1001);
    add_comment(f, art, 0, author, COMMENT_REJECTED, 1002);

    for (int sort = SORT_OLDEST; sort <= SORT_TOP; sort++) {
        int limits[] = {1, 7, 50, 250, 400};
        for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++) {
            size_t n = page_all(f, art, (store_sort)sort, limits[li], got, N + 1);
            assert_int_equal(n, N);
            for (size_t i = 0; i < N; i++) {
                if (sort == SORT_OLDEST) {
                    assert_int_equal(got[i], ids[i]);
                } else if (sort == SORT_NEWEST) {
                    assert_int_equal(got[i], ids[N - 1 - i]);
                } else if (i > 0) {
                    /* likes descending, then id descending */
                    size_t p = (size_t)(got[i - 1] - ids[0]), c = (size_t)(got[i] - ids[0]);
                    assert_true(likes[p] > likes[c] ||
                                (likes[p] == likes[c] && got[i - 1] > got[i]));
                }
            }
            if (sort == SORT_TOP) {
                /* Each id once: the ids are consecutive, so a mark per id. */
                char seen[N] = {0};
                for (size_t i = 0; i < N; i++) {
                    size_t k = (size_t)(got[i] - ids[0]);
                    assert_true(k < N);
                    assert_false(seen[k]);
                    seen[k] = 1;
                }
            }
        }
    }
    store_comment_list l;
    bool more;
    store_cursor none = {0};
    assert_int_equal(store_comments_page(f->s, art, SORT_OLDEST, none, 0, 0, f->a, &l, &more, &err),
                     PL_EINVAL);
}

static void
replies_at_depth_carry_root(void **state)
{
    fixture *f = *state;
    const char *art = article(f, "r");
    int64_t u = new_user(f, "u");
    int64_t t1 = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 10);
    int64_t t2 = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 11);
    int64_t a = add_comment(f, art, t1, u, COMMENT_PUBLISHED, 20);
    int64_t b = add_comment(f, art, a, u, COMMENT_PUBLISHED, 30);
    int64_t c = add_comment(f, art, b, u, COMMENT_PUBLISHED, 40);
    int64_t d = add_comment(f, art, t2, u, COMMENT_PUBLISHED, 25);
    /* Created earlier than its siblings: order is by time, not id. */
    int64_t e = add_comment(f, art, t1, u, COMMENT_PUBLISHED, 15);
    add_comment(f, art, a, u, COMMENT_REJECTED, 35);

    pl_error err = {0};
    store_comment_list l;
    int64_t roots[2] = {t1, t2};
    assert_int_equal(store_comments_replies(f->s, roots, 2, 0, f->a, &l, &err), 0);
    int64_t want[] = {e, a, d, b, c};
    assert_int_equal(l.n, 5);
    for (size_t i = 0; i < l.n; i++) {
        assert_int_equal(l.items[i].id, want[i]);
        assert_int_equal(l.items[i].root_id, l.items[i].id == d ? t2 : t1);
    }
    assert_int_equal(l.items[1].parent_id, t1);
    assert_int_equal(l.items[1].reply_count, 1); /* the rejected reply does not count */
    assert_int_equal(l.items[3].parent_id, a);
    assert_int_equal(l.items[4].parent_id, b);
    assert_int_equal(store_comments_replies(f->s, roots, 0, 0, f->a, &l, &err), 0);
    assert_int_equal(l.n, 0);
}

static void
pending_visible_only_to_author(void **state)
{
    fixture *f = *state;
    const char *art = article(f, "v");
    int64_t u1 = new_user(f, "one"), u2 = new_user(f, "two");
    int64_t pub = add_comment(f, art, 0, u2, COMMENT_PUBLISHED, 10);
    int64_t mine = add_comment(f, art, 0, u1, COMMENT_PENDING, 11);
    int64_t my_reply = add_comment(f, art, pub, u1, COMMENT_PENDING, 12);
    int64_t rej = add_comment(f, art, 0, u1, COMMENT_REJECTED, 13);
    int64_t rej_reply = add_comment(f, art, pub, u1, COMMENT_REJECTED, 14);

    store_comment_list l = page(f, art, u1);
    assert_int_equal(l.n, 2);
    assert_true(has(&l, pub) && has(&l, mine));
    assert_false(has(&l, rej));
    l = page(f, art, u2);
    assert_int_equal(l.n, 1);
    assert_true(has(&l, pub));
    l = page(f, art, 0);
    assert_int_equal(l.n, 1);

    l = replies(f, pub, u1);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.items[0].id, my_reply);
    assert_false(has(&l, rej_reply));
    l = replies(f, pub, u2);
    assert_int_equal(l.n, 0);
    l = replies(f, pub, 0);
    assert_int_equal(l.n, 0);
    /* reply_count counts published replies only. */
    l = page(f, art, u1);
    assert_int_equal(l.items[0].reply_count, 0);
}

static void
comments_by_author_newest_first(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "b");
    int64_t u = new_user(f, "u"), other = new_user(f, "o");
    add_comment(f, art, 0, u, COMMENT_PUBLISHED, 100);
    int64_t b = add_comment(f, art, 0, u, COMMENT_PENDING, 200);
    int64_t c = add_comment(f, art, 0, u, COMMENT_REJECTED, 300);
    int64_t d = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 300);
    add_comment(f, art, 0, other, COMMENT_PUBLISHED, 250);

    store_comment_list l;
    assert_int_equal(store_comments_by_author(f->s, u, 150, 10, f->a, &l, &err), 0);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.items[0].id, d);
    assert_int_equal(l.items[1].id, c);
    assert_int_equal(l.items[2].id, b);
    assert_int_equal(store_comments_by_author(f->s, u, 0, 2, f->a, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.items[0].id, d);
}

/* One author's history as the repeated-comment check reads it
 * (store_comments_by_authors with a wanted key): the repeat key written on
 * insert and on edit, cleared by deletion, NULL on a comment written
 * without one (an import); only the comments whose key is none, of another
 * version, or the wanted one given out, with their bodies. */
static void
repeat_keys_are_kept_and_read(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "keys");
    int64_t u = new_user(f, "keyed");
    store_fold_key k1 = {0xfedcba9876543210ULL, 17, 1}, k2 = {0x0123456789abcdefULL, 17, 1};
    store_fold_key old = {0x1111111111111111ULL, 17, 7};
    store_comment c = {0};
    c.article_id = art;
    c.author_id = u;
    c.html = "<p>x</p>";
    c.status = COMMENT_PUBLISHED;
    const char *bodies[] = {"no key (an import)", "first", "second", "old version", "gone"};
    const store_fold_key *keys[] = {NULL, &k1, &k2, &old, &k1};
    int64_t ids[5];
    for (int i = 0; i < 5; i++) {
        c.id = 0;
        c.body = bodies[i];
        c.fold = keys[i] != NULL ? *keys[i] : (store_fold_key){0};
        c.created_at = 1000 + i;
        assert_int_equal(store_comment_insert(f->s, &c, &err), 0);
        ids[i] = c.id;
    }
    assert_int_equal(store_comment_set_status(f->s, ids[4], COMMENT_DELETED, &err), 0);
    int limit = 10;
    store_comment_list l;
    /* No wanted key: every body, and each comment's key as stored. */
    assert_int_equal(
        store_comments_by_authors(f->s, &u, &limit, 1, INT64_MIN, 0, NULL, f->a, &l, &err), 0);
    assert_int_equal(l.n, 5);
    for (size_t i = 0; i < 5; i++) {
        const store_comment *g = &l.items[4 - i];
        assert_int_equal(g->id, ids[i]);
        const store_fold_key *k = i == 4 ? NULL : keys[i]; /* deletion cleared it */
        assert_string_equal(g->body, i == 4 ? "" : bodies[i]);
        assert_int_equal(g->fold.ver, k != NULL ? k->ver : 0);
        assert_true(g->fold.hash == (k != NULL ? k->hash : 0));
        assert_int_equal(g->fold.len, k != NULL ? k->len : 0);
    }
    /* Wanting k2: the comment keyed k2, and those without a key of version
     * 1, newest first, with their bodies; not k1's. */
    assert_int_equal(
        store_comments_by_authors(f->s, &u, &limit, 1, INT64_MIN, 0, &k2, f->a, &l, &err), 0);
    assert_int_equal(l.n, 4);
    const int64_t want_k2[] = {ids[4], ids[3], ids[2], ids[0]};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(l.items[i].id, want_k2[i]);
    assert_string_equal(l.items[3].body, bodies[0]);
    assert_string_equal(l.items[2].body, bodies[2]);
    assert_int_equal(l.items[2].fold.ver, 1);
    assert_true(l.items[2].fold.hash == k2.hash);
    assert_string_equal(l.items[1].body, bodies[3]);
    assert_int_equal(l.items[1].fold.ver, 7);
    assert_string_equal(l.items[0].body, "");
    /* Of the newest ones only: the limit counts the left-out comments too.
     * Wanting k1 of the newest three leaves out k2's (the third) and does
     * not reach k1's (the fourth). */
    int three = 3;
    assert_int_equal(
        store_comments_by_authors(f->s, &u, &three, 1, INT64_MIN, 0, &k1, f->a, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.items[0].id, ids[4]);
    assert_int_equal(l.items[1].id, ids[3]);
    /* The window: only what was written from 1002 on (k2's left out). */
    assert_int_equal(
        store_comments_by_authors(f->s, &u, &limit, 1, 1002, 1002, &k1, f->a, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.items[0].id, ids[4]);
    assert_int_equal(l.items[1].id, ids[3]);
    /* Bodies only from body_since on. */
    assert_int_equal(
        store_comments_by_authors(f->s, &u, &limit, 1, INT64_MIN, 1003, &k2, f->a, &l, &err), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.items[1].body, bodies[3]);
    assert_null(l.items[2].body);
    assert_null(l.items[3].body);
    /* An edit writes the new body's key; without one it clears it. */
    assert_int_equal(store_comment_edit(f->s, ids[2], "first", "<p>first</p>", COMMENT_PUBLISHED,
                                        "", &k1, 2000, &err),
                     0);
    assert_int_equal(
        store_comments_by_authors(f->s, &u, &limit, 1, 1002, 1002, &k1, f->a, &l, &err), 0);
    assert_string_equal(l.items[2].body, "first");
    assert_int_equal(l.items[2].fold.ver, 1);
    assert_true(l.items[2].fold.hash == k1.hash);
    assert_int_equal(store_comment_edit(f->s, ids[1], "plain", "<p>plain</p>", COMMENT_PUBLISHED,
                                        "", NULL, 2001, &err),
                     0);
    assert_int_equal(
        store_comments_by_authors(f->s, &u, &limit, 1, INT64_MIN, 0, &k2, f->a, &l, &err), 0);
    assert_int_equal(l.n, 4); /* k1's (ids[2], edited to it) left out */
    assert_int_equal(l.items[2].id, ids[1]);
    assert_int_equal(l.items[2].fold.ver, 0);
    assert_string_equal(l.items[2].body, "plain");
    /* Removing an account's comments clears their keys with their bodies. */
    assert_int_equal(store_user_delete(f->s, u, true, &err), 0);
    assert_int_equal(
        store_comments_by_authors(f->s, &u, &limit, 1, INT64_MIN, 0, NULL, f->a, &l, &err), 0);
    for (size_t i = 0; i < l.n; i++) {
        assert_string_equal(l.items[i].body, "");
        assert_int_equal(l.items[i].fold.ver, 0);
    }
}

/* store_article_recent answers what store_article_get and
 * store_comments_by_authors answer for one author, also when the article
 * does not exist yet (a first comment creates it). */
static void
article_and_recent_in_one_read(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *a1 = article(f, "alpha");
    int64_t u1 = new_user(f, "u1"), u2 = new_user(f, "u2");
    add_comment(f, a1, 0, u1, COMMENT_PUBLISHED, 100);
    add_comment(f, a1, 0, u1, COMMENT_PENDING, 200);
    add_comment(f, a1, 0, u2, COMMENT_PUBLISHED, 250);
    add_comment(f, a1, 0, u1, COMMENT_REJECTED, 300);

    store_article art, want_art;
    store_comment_list recent, want;
    int limit = 2;
    assert_int_equal(
        store_article_recent(f->s, a1, u1, limit, 150, 250, NULL, f->a, &art, &recent, &err), 0);
    assert_int_equal(store_article_get(f->s, a1, f->a, &want_art, &err), 0);
    assert_string_equal(art.id, a1);
    assert_string_equal(art.title, want_art.title);
    assert_int_equal(art.status, want_art.status);
    assert_int_equal(art.comment_count, want_art.comment_count);
    assert_int_equal(art.created_at, want_art.created_at);
    assert_int_equal(
        store_comments_by_authors(f->s, &u1, &limit, 1, 150, 250, NULL, f->a, &want, &err), 0);
    assert_int_equal(recent.n, 2); /* u1's at 300 and 200; the one at 100 is before from */
    assert_int_equal(recent.n, want.n);
    for (size_t k = 0; k < recent.n; k++) {
        assert_int_equal(recent.items[k].id, want.items[k].id);
        assert_int_equal(recent.items[k].author_id, u1);
        assert_true((recent.items[k].body == NULL) == (want.items[k].body == NULL));
    }
    assert_int_equal(recent.items[0].created_at, 300);
    assert_non_null(recent.items[0].body);
    assert_null(recent.items[1].body); /* before body_since */

    /* No such article: none, and the author's comments all the same. */
    assert_int_equal(store_article_recent(f->s, "not-yet", u1, 10, INT64_MIN, 0, NULL, f->a, &art,
                                          &recent, &err),
                     0);
    assert_null(art.id);
    assert_int_equal(recent.n, 3);

    assert_int_equal(
        store_article_recent(f->s, "", u1, 10, INT64_MIN, 0, NULL, f->a, &art, &recent, &err),
        PL_EINVAL);
    assert_int_equal(
        store_article_recent(f->s, a1, u1, 0, INT64_MIN, 0, NULL, f->a, &art, &recent, &err),
        PL_EINVAL);
}

/* The reads of many rows at once (the settings preview's) answer what the
 * one-row reads answer, in the order asked, with what is missing left
 * empty. */
static void
many_reads_match_the_one_row_reads(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    /* Upper case sorts before lower case byte by byte, not in every
     * collation: the article ids are matched back in strcmp's order. */
    const char *a1 = article(f, "alpha"), *a2 = article(f, "Zeta");
    int64_t u1 = new_user(f, "u1"), u2 = new_user(f, "u2"), u3 = new_user(f, "u3");
    int64_t c1 = add_comment(f, a1, 0, u1, COMMENT_PUBLISHED, 100);
    add_comment(f, a2, 0, u2, COMMENT_PUBLISHED, 150);
    int64_t c3 = add_comment(f, a1, c1, u2, COMMENT_PENDING, 200);
    add_comment(f, a2, 0, u1, COMMENT_REJECTED, 300);
    add_comment(f, a2, 0, u1, COMMENT_PUBLISHED, 300);
    add_comment(f, a1, 0, u1, COMMENT_PUBLISHED, 400);

    /* Nothing asked: nothing read. */
    assert_int_equal(
        store_comments_by_authors(f->s, NULL, NULL, 0, INT64_MIN, 0, NULL, f->a, NULL, &err), 0);
    assert_int_equal(store_users_get_many(f->s, NULL, 0, f->a, NULL, &err), 0);

    int64_t authors[] = {u2, u1, u3, u1 + 100000, u1};
    int limits[] = {1, 10, 5, 3, 2};
    store_comment_list lists[5];
    /* Bodies from 300 on: the older comments come without theirs. */
    assert_int_equal(store_comments_by_authors(f->s, authors, limits, 5, INT64_MIN, 300, NULL, f->a,
                                               lists, &err),
                     0);
    for (size_t i = 0; i < 5; i++) {
        store_comment_list one;
        assert_int_equal(store_comments_by_author(f->s, authors[i], 0, limits[i], f->a, &one, &err),
                         0);
        assert_int_equal(lists[i].n, one.n);
        for (size_t k = 0; k < one.n; k++) {
            const store_comment *c = &lists[i].items[k];
            assert_int_equal(c->id, one.items[k].id);
            assert_int_equal(c->created_at, one.items[k].created_at);
            assert_int_equal(c->author_id, authors[i]);
            if (c->created_at >= 300)
                assert_string_equal(c->body, one.items[k].body);
            else
                assert_null(c->body);
        }
    }
    /* Each author asked alone (PostgreSQL reads one author with a
     * statement of its own) answers the same list. */
    for (size_t i = 0; i < 5; i++) {
        store_comment_list alone;
        assert_int_equal(store_comments_by_authors(f->s, &authors[i], &limits[i], 1, INT64_MIN, 300,
                                                   NULL, f->a, &alone, &err),
                         0);
        assert_int_equal(alone.n, lists[i].n);
        for (size_t k = 0; k < alone.n; k++) {
            assert_int_equal(alone.items[k].id, lists[i].items[k].id);
            assert_int_equal(alone.items[k].created_at, lists[i].items[k].created_at);
            assert_int_equal(alone.items[k].author_id, authors[i]);
            assert_true((alone.items[k].body == NULL) == (lists[i].items[k].body == NULL));
        }
    }
    assert_int_equal(lists[0].n, 1);
    assert_null(lists[0].items[0].body); /* u2's newest is at 200 */
    assert_int_equal(lists[1].n, 4);
    assert_non_null(lists[1].items[0].body);
    assert_non_null(lists[1].items[2].body); /* the two at 300 */
    assert_null(lists[1].items[3].body);
    assert_int_equal(lists[2].n, 0);
    assert_int_equal(lists[3].n, 0);
    assert_int_equal(lists[4].n, 2);
    /* From 300 on: the older comments are not read at all, and the limit
     * counts only those. */
    assert_int_equal(
        store_comments_by_authors(f->s, authors, limits, 5, 300, 300, NULL, f->a, lists, &err), 0);
    assert_int_equal(lists[0].n, 0); /* u2's only comments are at 150 and 200 */
    assert_int_equal(lists[1].n, 3); /* u1's at 400 and the two at 300 */
    for (size_t k = 0; k < lists[1].n; k++) {
        assert_true(lists[1].items[k].created_at >= 300);
        assert_non_null(lists[1].items[k].body);
    }
    assert_int_equal(lists[4].n, 2);
    assert_int_equal(lists[4].items[1].created_at, 300);
    int bad[] = {0};
    assert_int_equal(
        store_comments_by_authors(f->s, authors, bad, 1, INT64_MIN, 0, NULL, f->a, lists, &err),
        PL_EINVAL);

    int64_t cids[] = {c3, c1 + 100000, c1, c3};
    store_comment cs[4];
    assert_int_equal(store_comments_get_many(f->s, cids, 4, f->a, cs, &err), 0);
    assert_int_equal(cs[0].id, c3);
    assert_int_equal(cs[1].id, 0);
    assert_int_equal(cs[2].id, c1);
    assert_int_equal(cs[3].id, c3);
    store_comment one;
    assert_int_equal(store_comment_get(f->s, c3, 0, f->a, &one, &err), 0);
    assert_int_equal(cs[0].parent_id, c1);
    assert_int_equal(cs[0].status, COMMENT_PENDING);
    assert_string_equal(cs[0].body, one.body);
    assert_string_equal(cs[0].author_name, "u2");
    assert_string_equal(cs[0].article_id, a1);

    int64_t uids[] = {u2, 0, u1 + 100000, u1};
    store_user us[4];
    assert_int_equal(store_users_get_many(f->s, uids, 4, f->a, us, &err), 0);
    assert_int_equal(us[0].id, u2);
    assert_string_equal(us[0].name, "u2");
    assert_int_equal(us[1].id, 0);
    assert_int_equal(us[2].id, 0);
    assert_int_equal(us[3].id, u1);
    assert_int_equal(us[3].role, ROLE_READER);

    assert_int_equal(store_article_update(f->s, a2,
                                          &(store_article_changes){.title = "Zeta title",
                                                                   .has_sensitive = true,
                                                                   .sensitive = true},
                                          &err),
                     0);
    const char *aids[] = {a2, article(f, "missing"), a1, a2};
    store_article as[4];
    assert_int_equal(store_articles_get_many(f->s, aids, 4, f->a, as, &err), 0);
    assert_string_equal(as[0].id, a2);
    assert_string_equal(as[0].title, "Zeta title");
    assert_true(as[0].sensitive);
    assert_null(as[1].id);
    assert_string_equal(as[2].id, a1);
    assert_false(as[2].sensitive);
    assert_string_equal(as[3].id, a2);
}

/* The personal layer of a thread page: the reader's likes in that article
 * only, every author they muted, and whether a pending comment of theirs is
 * there; one query on either backend. */
static void
viewer_layer_holds_likes_mutes_and_own_pending(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "vl"), *other = article(f, "vl2");
    int64_t me = new_user(f, "me"), a = new_user(f, "a"), b = new_user(f, "b");
    int64_t c1 = add_comment(f, art, 0, a, COMMENT_PUBLISHED, 1);
    int64_t c2 = add_comment(f, art, c1, b, COMMENT_PUBLISHED, 2);
    int64_t c3 = add_comment(f, other, 0, a, COMMENT_PUBLISHED, 3);
    int64_t n;
    for (int64_t c = c3; c >= c1; c--) /* liked in descending order: the layer sorts */
        assert_int_equal(store_like_add(f->s, c, me, &n, &err), 0);
    assert_int_equal(store_like_add(f->s, c1, a, &n, &err), 0);
    assert_int_equal(store_mute_set(f->s, me, b, true, 0, &err), 0);
    assert_int_equal(store_mute_set(f->s, me, a, true, 0, &err), 0);
    assert_int_equal(store_mute_set(f->s, a, me, true, 0, &err), 0);

    store_viewer_layer l;
    assert_int_equal(store_viewer_layer_get(f->s, art, me, f->a, &l, &err), 0);
    assert_int_equal(l.n_liked, 2);
    assert_true(l.liked[0] == c1 && l.liked[1] == c2);
    assert_int_equal(l.n_muted, 2);
    assert_true(l.muted[0] == (a < b ? a : b) && l.muted[1] == (a < b ? b : a));
    assert_false(l.own_pending);

    /* Pending comments of others do not count; the reader's own do, in that
     * article only; rejected ones do not. */
    add_comment(f, art, 0, a, COMMENT_PENDING, 4);
    add_comment(f, art, 0, me, COMMENT_REJECTED, 5);
    assert_int_equal(store_viewer_layer_get(f->s, art, me, f->a, &l, &err), 0);
    assert_false(l.own_pending);
    int64_t mine = add_comment(f, other, 0, me, COMMENT_PENDING, 6);
    assert_int_equal(store_viewer_layer_get(f->s, art, me, f->a, &l, &err), 0);
    assert_false(l.own_pending);
    assert_int_equal(store_viewer_layer_get(f->s, other, me, f->a, &l, &err), 0);
    assert_true(l.own_pending);
    assert_int_equal(l.n_liked, 1);
    assert_true(l.liked[0] == c3);
    assert_int_equal(store_comment_set_status(f->s, mine, COMMENT_PUBLISHED, &err), 0);
    assert_int_equal(store_viewer_layer_get(f->s, other, me, f->a, &l, &err), 0);
    assert_false(l.own_pending);

    /* A reader with nothing: an empty layer; no article id: an error. */
    int64_t nobody = new_user(f, "n");
    assert_int_equal(store_viewer_layer_get(f->s, art, nobody, f->a, &l, &err), 0);
    assert_int_equal(l.n_liked + l.n_muted, 0);
    assert_false(l.own_pending);
    assert_int_equal(store_viewer_layer_get(f->s, "", me, f->a, &l, &err), PL_EINVAL);
}

/* The session and its reader's layer read together (one pipeline on
 * PostgreSQL): the session's user, and that user's layer, never another's;
 * no live session, no user. */
static void
session_layer_is_the_session_and_its_layer(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "sl");
    int64_t me = new_user(f, "me"), other = new_user(f, "other");
    int64_t c1 = add_comment(f, art, 0, other, COMMENT_PUBLISHED, 1);
    int64_t c2 = add_comment(f, art, 0, other, COMMENT_PUBLISHED, 2);
    int64_t n;
    assert_int_equal(store_like_add(f->s, c2, me, &n, &err), 0);
    assert_int_equal(store_like_add(f->s, c1, other, &n, &err), 0);
    assert_int_equal(store_mute_set(f->s, other, me, true, 0, &err), 0);
    add_comment(f, art, 0, other, COMMENT_PENDING, 3);

    unsigned char mine[STORE_TOKEN_HASH_LEN], theirs[STORE_TOKEN_HASH_LEN];
    memset(mine, 0x3c, sizeof mine);
    memcpy(mine, f->tag, strlen(f->tag) < sizeof mine ? strlen(f->tag) : sizeof mine);
    memcpy(theirs, mine, sizeof theirs);
    theirs[31] ^= 1;
    assert_int_equal(store_session_insert(f->s, mine, me, 2000, &err), 0);
    assert_int_equal(store_session_insert(f->s, theirs, other, 2000, &err), 0);

    store_user u;
    store_viewer_layer l;
    assert_int_equal(store_session_layer(f->s, mine, 1000, art, f->a, &u, &l, &err), 0);
    assert_int_equal(u.id, me);
    assert_string_equal(u.name, "me");
    assert_int_equal(l.n_liked, 1);
    assert_true(l.liked[0] == c2);
    assert_int_equal(l.n_muted, 0);
    assert_false(l.own_pending);

    assert_int_equal(store_session_layer(f->s, theirs, 1000, art, f->a, &u, &l, &err), 0);
    assert_int_equal(u.id, other);
    assert_int_equal(l.n_liked, 1);
    assert_true(l.liked[0] == c1);
    assert_int_equal(l.n_muted, 1);
    assert_true(l.muted[0] == me);
    assert_true(l.own_pending);

    /* Expired, unknown, deleted: no user; a bad article id: an error. */
    assert_int_equal(store_session_layer(f->s, mine, 2000, art, f->a, &u, &l, &err), PL_ENOTFOUND);
    theirs[0] ^= 1;
    assert_int_equal(store_session_layer(f->s, theirs, 1000, art, f->a, &u, &l, &err),
                     PL_ENOTFOUND);
    assert_int_equal(store_session_layer(f->s, mine, 1000, "", f->a, &u, &l, &err), PL_EINVAL);
    assert_int_equal(store_session_delete(f->s, mine, &err), 0);
    assert_int_equal(store_session_layer(f->s, mine, 1000, art, f->a, &u, &l, &err), PL_ENOTFOUND);
    /* The connection is usable after the pipeline, for plain statements. */
    assert_int_equal(store_session_user(f->s, mine, 1000, f->a, &u, &err), PL_ENOTFOUND);
    assert_int_equal(store_viewer_layer_get(f->s, art, me, f->a, &l, &err), 0);
    assert_int_equal(l.n_liked, 1);
}

/* Waits (at most 10 s) for the next answer of store_async_next. */
static int
async_wait(fixture *f, store *s, int fd, store_user *u, store_viewer_layer *l, int *result,
           pl_error *err)
{
    for (int i = 0; i < 100; i++) {
        int rc = store_async_next(s, f->a, u, l, result, err);
        if (rc != 0)
            return rc;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        poll(&p, 1, 100);
    }
    fail_msg("no answer to a session read");
    return -1;
}

/* The same reads without waiting (an event loop's, server/session_read.c):
 * several sent at once come back in the order they went out, each the
 * right session's; a failed one does not disturb the next batch. SQLite
 * has no such reads (no descriptor). */
static void
async_session_layers_come_back_in_order(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store *s;
    int fd = 0;
    assert_int_equal(store_open(f->url, true, &s, &err), 0);
    assert_int_equal(store_async_start(s, &fd, &err), 0);
    if (!is_pg(f)) {
        assert_int_equal(fd, -1);
        store_close(s);
        return;
    }
    assert_true(fd >= 0);
    const char *art = article(f, "as");
    int64_t me = new_user(f, "me"), other = new_user(f, "other");
    int64_t c1 = add_comment(f, art, 0, other, COMMENT_PUBLISHED, 1);
    int64_t n;
    assert_int_equal(store_like_add(f->s, c1, me, &n, &err), 0);
    assert_int_equal(store_mute_set(f->s, other, me, true, 0, &err), 0);
    unsigned char mine[STORE_TOKEN_HASH_LEN], theirs[STORE_TOKEN_HASH_LEN],
        nobody[STORE_TOKEN_HASH_LEN];
    memset(mine, 0x5a, sizeof mine);
    memcpy(mine, f->tag, strlen(f->tag) < sizeof mine ? strlen(f->tag) : sizeof mine);
    memcpy(theirs, mine, sizeof theirs);
    theirs[31] ^= 1;
    memcpy(nobody, mine, sizeof nobody);
    nobody[31] ^= 2;
    assert_int_equal(store_session_insert(f->s, mine, me, 2000, &err), 0);
    assert_int_equal(store_session_insert(f->s, theirs, other, 2000, &err), 0);

    /* Five reads in one batch, one sync. */
    const unsigned char *order[5] = {mine, nobody, theirs, mine, theirs};
    for (int i = 0; i < 5; i++)
        assert_int_equal(store_async_send(s, order[i], 1000, art, &err), 0);
    int rc;
    while ((rc = store_async_flush(s, &err)) == 1)
        ;
    assert_int_equal(rc, 0);
    for (int i = 0; i < 5; i++) {
        store_user u;
        store_viewer_layer l;
        int result = 99;
        assert_int_equal(async_wait(f, s, fd, &u, &l, &result, &err), 1);
        if (order[i] == nobody) {
            assert_int_equal(result, PL_ENOTFOUND);
            continue;
        }
        assert_int_equal(result, 0);
        assert_int_equal(u.id, order[i] == mine ? me : other);
        assert_int_equal(l.n_liked, order[i] == mine ? 1 : 0);
        assert_int_equal(l.n_muted, order[i] == mine ? 0 : 1);
    }
    /* Nothing more; then a read in a batch of its own (expired session). */
    store_user u;
    store_viewer_layer l;
    int result = 99;
    assert_int_equal(store_async_next(s, f->a, &u, &l, &result, &err), 0);
    assert_int_equal(store_async_send(s, mine, 3000, art, &err), 0);
    assert_int_equal(store_async_flush(s, &err), 0);
    assert_int_equal(async_wait(f, s, fd, &u, &l, &result, &err), 1);
    assert_int_equal(result, PL_ENOTFOUND);
    assert_int_equal(store_async_send(s, mine, 1000, "", &err), PL_EINVAL);
    store_close(s);
}

static void
likes_are_idempotent(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "l");
    int64_t u1 = new_user(f, "a"), u2 = new_user(f, "b");
    int64_t c = add_comment(f, art, 0, u1, COMMENT_PUBLISHED, 0);
    int64_t n = -1;

    assert_int_equal(store_like_add(f->s, c, u2, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_like_add(f->s, c, u2, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_like_add(f->s, c, u1, &n, &err), 0);
    assert_int_equal(n, 2);

    store_comment got;
    assert_int_equal(store_comment_get(f->s, c, u2, f->a, &got, &err), 0);
    assert_int_equal(got.likes, 2);
    assert_true(got.liked_by_me);

    assert_int_equal(store_like_remove(f->s, c, u2, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_like_remove(f->s, c, u2, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_comment_get(f->s, c, u2, f->a, &got, &err), 0);
    assert_false(got.liked_by_me);
    assert_int_equal(got.likes, 1);
    store_comment_list l = page(f, art, u1);
    assert_true(l.items[0].liked_by_me);

    assert_int_equal(store_like_add(f->s, c + 100000, u2, &n, &err), PL_ENOTFOUND);
    assert_int_equal(store_like_remove(f->s, c + 100000, u2, &n, &err), PL_ENOTFOUND);
}

/* ---- flags, queues, log ---------------------------------------------------------- */

static void
flags_and_flagged_queue(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "f");
    int64_t u1 = new_user(f, "a"), u2 = new_user(f, "b"), u3 = new_user(f, "c");
    int64_t before = add_comment(f, art, 0, u1, COMMENT_PUBLISHED, 0);
    int64_t c = add_comment(f, art, 0, u1, COMMENT_PUBLISHED, 0);
    int64_t hidden = add_comment(f, art, 0, u1, COMMENT_PENDING, 0);
    int64_t id1 = 0, id2 = 0, id3 = 0;

    assert_int_equal(store_flag_insert(f->s, c, u2, "spam", "buy now", &id1, &err), 0);
    assert_int_equal(store_flag_insert(f->s, c, u3, "spam", NULL, &id2, &err), 0);
    assert_int_equal(store_flag_insert(f->s, c, u1, "abuse", "rude", &id3, &err), 0);
    assert_true(id1 > 0 && id2 > id1 && id3 > id2);
    assert_int_equal(store_flag_insert(f->s, c, u2, "abuse", "", &id1, &err), PL_ECONFLICT);
    assert_int_equal(store_flag_insert(f->s, c + 100000, u2, "spam", "", &id1, &err), PL_ENOTFOUND);
    assert_int_equal(store_flag_insert(f->s, hidden, u2, "spam", "", &id1, &err), 0);

    store_flag_group *g;
    size_t n;
    assert_int_equal(store_flags_for_comment(f->s, c, f->a, &g, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(g[0].reason, "spam");
    assert_int_equal(g[0].count, 2);
    assert_string_equal(g[0].notes, "buy now");
    assert_string_equal(g[1].reason, "abuse");
    assert_int_equal(g[1].count, 1);
    assert_string_equal(g[1].notes, "rude");
    assert_int_equal(store_flags_for_comment(f->s, before, f->a, &g, &n, &err), 0);
    assert_int_equal(n, 0);

    /* Only published comments with unreviewed flags are in the queue. */
    store_comment_list l;
    bool more;
    assert_int_equal(store_queue_list(f->s, QUEUE_FLAGGED, before, 10, f->a, &l, &more, &err), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.items[0].id, c);
    assert_false(more);

    assert_int_equal(store_flags_mark_reviewed(f->s, c, &err), 0);
    assert_int_equal(store_queue_list(f->s, QUEUE_FLAGGED, before, 10, f->a, &l, &more, &err), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(store_flags_mark_reviewed(f->s, c + 100000, &err), PL_ENOTFOUND);
    /* Reviewed flags still count, and a new flag brings it back. */
    assert_int_equal(store_flags_for_comment(f->s, c, f->a, &g, &n, &err), 0);
    assert_int_equal(n, 2);
    int64_t u4 = new_user(f, "d");
    assert_int_equal(store_flag_insert(f->s, c, u4, "offtopic", "", &id1, &err), 0);
    assert_int_equal(store_queue_list(f->s, QUEUE_FLAGGED, before, 10, f->a, &l, &more, &err), 0);
    assert_int_equal(l.n, 1);
}

static void
queues_by_status(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "q");
    int64_t u = new_user(f, "u");
    int64_t start = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 0);
    int64_t p[5], r[2];
    for (int i = 0; i < 5; i++)
        p[i] = add_comment(f, art, 0, u, COMMENT_PENDING, 0);
    r[0] = add_comment(f, art, 0, u, COMMENT_REJECTED, 0);
    r[1] = add_comment(f, art, p[0], u, COMMENT_REJECTED, 0);

    store_comment_list l;
    bool more;
    assert_int_equal(store_queue_list(f->s, QUEUE_PENDING, start, 3, f->a, &l, &more, &err), 0);
    assert_int_equal(l.n, 3);
    assert_true(more);
    assert_int_equal(l.items[0].id, p[0]);
    assert_int_equal(l.items[2].id, p[2]);
    assert_string_equal(l.items[0].author_name, "u");
    assert_int_equal(store_queue_list(f->s, QUEUE_PENDING, l.items[2].id, 3, f->a, &l, &more, &err),
                     0);
    assert_int_equal(l.n, 2);
    assert_false(more);
    assert_int_equal(l.items[1].id, p[4]);

    assert_int_equal(store_queue_list(f->s, QUEUE_REJECTED, start, 10, f->a, &l, &more, &err), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.items[0].id, r[0]);
    assert_int_equal(l.items[1].id, r[1]);

    /* An approval leaves the queue. */
    assert_int_equal(store_comment_set_status(f->s, p[1], COMMENT_PUBLISHED, &err), 0);
    assert_int_equal(store_queue_list(f->s, QUEUE_PENDING, start, 10, f->a, &l, &more, &err), 0);
    assert_int_equal(l.n, 4);
    assert_false(has(&l, p[1]));
    assert_int_equal(store_queue_list(f->s, (store_queue)9, 0, 10, f->a, &l, &more, &err),
                     PL_EINVAL);
}

static void
modlog_newest_first(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    int64_t mod = new_user(f, "mod");
    store_log_entry e1 = {.at = 100,
                          .actor_id = 0,
                          .action = "auto_hold",
                          .target_type = "comment",
                          .target_id = "17",
                          .reason = "link"};
    store_log_entry e2 = {.at = 200,
                          .actor_id = mod,
                          .action = "approve",
                          .target_type = "comment",
                          .target_id = "17"};
    store_log_entry e3 = {.at = 300,
                          .actor_id = mod,
                          .action = "ban",
                          .target_type = "user",
                          .target_id = f->tag,
                          .reason = "spam"};
    assert_int_equal(store_log_append(f->s, &e1, &err), 0);
    assert_int_equal(store_log_append(f->s, &e2, &err), 0);
    assert_int_equal(store_log_append(f->s, &e3, &err), 0);

    store_log_entry *v;
    size_t n;
    assert_int_equal(store_log_list(f->s, 0, 2, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].action, "ban");
    assert_string_equal(v[0].target_id, f->tag);
    assert_int_equal(v[0].actor_id, mod);
    assert_string_equal(v[1].action, "approve");
    assert_string_equal(v[1].reason, "");
    assert_true(v[0].id > v[1].id);
    assert_int_equal(store_log_list(f->s, v[1].id, 5, f->a, &v, &n, &err), 0);
    assert_true(n >= 1);
    assert_string_equal(v[0].action, "auto_hold");
    assert_int_equal(v[0].actor_id, 0);
    assert_int_equal(v[0].at, 100);
    assert_string_equal(v[0].reason, "link");

    /* Append-only in the database itself, whoever connects. */
    if (is_pg(f)) {
        PGconn *c = pg_connect(f->url);
        assert_false(pg_ok(c, "UPDATE modlog SET reason = 'changed'"));
        assert_false(pg_ok(c, "DELETE FROM modlog"));
        assert_false(pg_ok(c, "TRUNCATE modlog"));
        assert_true(pg_int(c, "SELECT count(*) FROM modlog WHERE reason = 'changed'") == 0);
        PQfinish(c);
    }
}

/* On PostgreSQL an error inside a transaction would fail the whole
 * transaction; the store confines each failed call to itself, as SQLite
 * does, so a group with failed calls still commits the rest. */
static void
failed_calls_inside_a_transaction_keep_the_rest(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "g");
    int64_t u = new_user(f, "u"), v = new_user(f, "v");
    store_user taken = {0};
    int64_t flag = 0, n = 0;

    assert_int_equal(store_user_by_id(f->s, u, f->a, &taken, &err), 0);
    assert_int_equal(store_begin(f->s, &err), 0);
    int64_t a = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 0);
    store_user dup = {.email = taken.email, .name = "again"};
    assert_int_equal(store_user_insert(f->s, &dup, &err), PL_ECONFLICT);
    assert_int_equal(store_flag_insert(f->s, a, v, "spam", "", &flag, &err), 0);
    assert_int_equal(store_flag_insert(f->s, a, v, "spam", "", &flag, &err), PL_ECONFLICT);
    store_comment orphan = {.article_id = art,
                            .author_id = v + 100000,
                            .body = "x",
                            .html = "x",
                            .status = COMMENT_PUBLISHED};
    assert_int_equal(store_comment_insert(f->s, &orphan, &err), PL_ENOTFOUND);
    assert_int_equal(store_like_add(f->s, a, v + 100000, &n, &err), PL_ENOTFOUND);
    assert_int_equal(store_like_add(f->s, a, v, &n, &err), 0);
    assert_int_equal(n, 1);
    int64_t b = add_comment(f, art, a, v, COMMENT_PUBLISHED, 0);
    assert_int_equal(store_commit(f->s, &err), 0);

    store_comment got;
    assert_int_equal(store_comment_get(f->s, a, 0, f->a, &got, &err), 0);
    assert_int_equal(got.likes, 1);
    assert_int_equal(got.reply_count, 1);
    assert_int_equal(store_comment_get(f->s, b, 0, f->a, &got, &err), 0);
    assert_int_equal(count_of(f, art), 2);
    store_flag_group *g;
    size_t ng;
    assert_int_equal(store_flags_for_comment(f->s, a, f->a, &g, &ng, &err), 0);
    assert_int_equal(ng, 1);
    assert_int_equal(g[0].count, 1);
}

/* ---- transactions and faults ------------------------------------------------------ */

static void
savepoint_rollback_keeps_other_jobs(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "t");
    int64_t u = new_user(f, "u");
    store_comment got;

    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    int64_t a = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 0);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);

    assert_int_equal(store_savepoint(f->s, &err), 0);
    int64_t b = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 0);
    int64_t n;
    assert_int_equal(store_like_add(f->s, a, u, &n, &err), 0);
    store_savepoint_rollback(f->s);

    assert_int_equal(store_savepoint(f->s, &err), 0);
    int64_t c = add_comment(f, art, a, u, COMMENT_PUBLISHED, 0);
    /* A failing call inside a job undoes only its own part. */
    store_comment bad = {.article_id = art,
                         .parent_id = b + 100000,
                         .author_id = u,
                         .body = "x",
                         .html = "x",
                         .status = COMMENT_PUBLISHED};
    assert_int_equal(store_comment_insert(f->s, &bad, &err), PL_ENOTFOUND);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);

    assert_int_equal(store_comment_get(f->s, a, 0, f->a, &got, &err), 0);
    assert_int_equal(got.likes, 0);
    /* b is gone (its id may be reused by c: it was never committed). */
    store_comment_list l = page(f, art, 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.items[0].id, a);
    l = replies(f, a, 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.items[0].id, c);
    (void)b;
    assert_int_equal(count_of(f, art), 2);

    /* A whole transaction rolled back leaves nothing. */
    assert_int_equal(store_begin(f->s, &err), 0);
    int64_t d = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 0);
    store_rollback(f->s);
    assert_int_equal(store_comment_get(f->s, d, 0, f->a, &got, &err), PL_ENOTFOUND);
    assert_int_equal(count_of(f, art), 2);
}

static void
injected_fault_stores_nothing(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "x");
    int64_t u = new_user(f, "u");
    store_comment c = {
        .article_id = art, .author_id = u, .body = "b", .html = "b", .status = COMMENT_PUBLISHED};
    int64_t ok[3];

    store_fail_after(f->s, 3);
    for (int i = 0; i < 2; i++) {
        c.id = 0;
        c.created_at = 0;
        assert_int_equal(store_comment_insert(f->s, &c, &err), 0);
        ok[i] = c.id;
    }
    c.id = 0;
    c.created_at = 0;
    assert_int_equal(store_comment_insert(f->s, &c, &err), PL_ESTORE);
    assert_int_equal(err.code, PL_ESTORE);
    assert_int_equal(c.id, 0);
    /* The fault fires once. */
    assert_int_equal(store_comment_insert(f->s, &c, &err), 0);
    ok[2] = c.id;
    store_comment_list l = page(f, art, 0);
    assert_int_equal(l.n, 3);
    for (int i = 0; i < 3; i++)
        assert_true(has(&l, ok[i]));
    assert_int_equal(count_of(f, art), 3);

    /* Inside a group commit: the failing job is rolled back, the others are
     * durable, and an acknowledged job is never lost. */
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    int64_t kept = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 0);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    store_fail_after(f->s, 3); /* savepoint, insert, then the like fails */
    assert_int_equal(store_savepoint(f->s, &err), 0);
    int64_t lost = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 0);
    int64_t n;
    assert_int_equal(store_like_add(f->s, lost, u, &n, &err), PL_ESTORE);
    store_savepoint_rollback(f->s);
    assert_int_equal(store_commit(f->s, &err), 0);

    store_comment got;
    assert_int_equal(store_comment_get(f->s, kept, 0, f->a, &got, &err), 0);
    assert_int_equal(store_comment_get(f->s, lost, 0, f->a, &got, &err), PL_ENOTFOUND);
    assert_int_equal(count_of(f, art), 4);

    /* A failed commit loses the group, and the store stays usable. */
    assert_int_equal(store_begin(f->s, &err), 0);
    int64_t gone = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 0);
    store_fail_after(f->s, 1);
    assert_int_equal(store_commit(f->s, &err), PL_ESTORE);
    store_rollback(f->s);
    assert_int_equal(store_comment_get(f->s, gone, 0, f->a, &got, &err), PL_ENOTFOUND);
    assert_int_equal(count_of(f, art), 4);
    store_fail_after(f->s, 0);
    assert_int_equal(store_ping(f->s, &err), 0);
}

/* ---- connections and files ---------------------------------------------------------- */

static void
reopen_keeps_data(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "o");
    int64_t u = new_user(f, "u");
    int64_t c = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 0);
    int64_t n;
    assert_int_equal(store_like_add(f->s, c, u, &n, &err), 0);

    for (int i = 0; i < 3; i++) {
        store_close(f->s);
        f->s = NULL;
        assert_int_equal(store_open(f->url, false, &f->s, &err), 0);
    }
    store_comment got;
    assert_int_equal(store_comment_get(f->s, c, u, f->a, &got, &err), 0);
    assert_int_equal(got.likes, 1);
    assert_true(got.liked_by_me);
    assert_int_equal(count_of(f, art), 1);
    store_user user;
    assert_int_equal(store_user_by_id(f->s, u, f->a, &user, &err), 0);

    /* Migrations ran once however often the store was opened. */
    if (f->dir[0] != '\0') {
        sqlite3 *db;
        sqlite3_stmt *st;
        char path[128];
        snprintf(path, sizeof path, "%s/test.db", f->dir);
        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT count(*), count(DISTINCT version), max(version)"
                                            " FROM schema_version",
                                            -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), sqlite3_column_int(st, 1));
        assert_int_equal(sqlite3_column_int(st, 0), sqlite3_column_int(st, 2));
        assert_true(sqlite3_column_int(st, 0) >= 1);
        sqlite3_finalize(st);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
        sqlite3_close(db);
    } else if (is_pg(f)) {
        PGconn *pc = pg_connect(f->url);
        long long rows = pg_int(pc, "SELECT count(*) FROM schema_version");
        assert_true(rows >= 1);
        assert_int_equal(pg_int(pc, "SELECT count(DISTINCT version) FROM schema_version"), rows);
        assert_int_equal(pg_int(pc, "SELECT max(version) FROM schema_version"), rows);
        /* Migration 29: the numbers' helpers run in PL/pgSQL, whose plans
         * last the session (in SQL they were planned at every call). */
        assert_int_equal(pg_int(pc, "SELECT count(*) FROM pg_proc p JOIN pg_language l"
                                    " ON l.oid = p.prolang WHERE l.lanname = 'plpgsql'"
                                    " AND p.proname IN ('stats_add', 'stats_span_refresh',"
                                    " 'stats_engine_refresh', 'stats_decision_refresh')"),
                         4);
        PQfinish(pc);
    }
}

static void
reader_sees_committed_data(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store *r = NULL;
    const char *art = article(f, "rw");
    int64_t u = new_user(f, "u");
    store_comment got;

    assert_int_equal(store_open(f->url, true, &r, &err), 0);
    int64_t a = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 0);
    assert_int_equal(store_comment_get(r, a, 0, f->a, &got, &err), 0);

    /* Uncommitted work is invisible to the reader, committed work visible. */
    assert_int_equal(store_begin(f->s, &err), 0);
    int64_t b = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 0);
    assert_int_equal(store_comment_get(r, b, 0, f->a, &got, &err), PL_ENOTFOUND);
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_int_equal(store_comment_get(r, b, 0, f->a, &got, &err), 0);
    const char *ids[1] = {art};
    int64_t n = 0;
    assert_int_equal(store_article_counts(r, ids, 1, &n, &err), 0);
    assert_int_equal(n, 2);

    /* The reader never writes. */
    store_user x = {.email = arena_printf(f->a, "ro-%s@example.org", f->tag), .name = "x"};
    assert_int_equal(store_user_insert(r, &x, &err), PL_ESTORE);
    assert_int_equal(store_begin(r, &err), PL_ESTORE);
    assert_int_equal(store_like_add(r, a, u, &n, &err), PL_ESTORE);

    /* After all those calls (failed ones included) neither connection holds
     * a read transaction: a full checkpoint can finish and empty the WAL. */
    store_comment_list l = page(f, art, u);
    assert_int_equal(l.n, 2);
    assert_int_equal(store_comments_page(r, art, SORT_TOP, (store_cursor){0}, 1, u, f->a, &l,
                                         &(bool){false}, &err),
                     0);
    l = replies(f, a, 0);
    if (f->dir[0] != '\0') {
        sqlite3 *db;
        sqlite3_stmt *st;
        char path[128];
        snprintf(path, sizeof path, "%s/test.db", f->dir);
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 0); /* not blocked */
        assert_int_equal(sqlite3_column_int(st, 1), 0); /* WAL truncated to empty */
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    store_close(r);
}

static void
concurrent_first_open_is_safe(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    char url[256], name[64];
    PGconn *admin = NULL;
    if (is_pg(f)) {
        /* A fresh database of its own, beside the suite's. */
        char sql[128];
        snprintf(name, sizeof name, "parley_two_%ld_%d", (long)getpid(), ++f->seq);
        admin = pg_connect(f->url);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
        assert_true(pg_ok(admin, sql));
        pg_url_for(f, name, url, sizeof url);
    } else if (f->dir[0] != '\0') {
        snprintf(url, sizeof url, "sqlite:%s/test.db-two", f->dir);
    } else {
        skip(); /* only meaningful for a fresh database */
    }

    pid_t pids[2];
    for (int i = 0; i < 2; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            store *s = NULL;
            pl_error e = {0};
            store_user u = {.email = i == 0 ? "first@example.org" : "second@example.org",
                            .name = "n"};
            int rc = store_open(url, false, &s, &e);
            if (rc == 0)
                rc = store_user_insert(s, &u, &e);
            if (rc != 0)
                fprintf(stderr, "child %d: %s\n", i, e.msg);
            store_close(s);
            _exit(rc == 0 ? 0 : 1);
        }
    }
    for (int i = 0; i < 2; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    store *s = NULL;
    store_user got;
    assert_int_equal(store_open(url, true, &s, &err), 0);
    assert_int_equal(store_user_by_email(s, "first@example.org", f->a, &got, &err), 0);
    assert_int_equal(store_user_by_email(s, "second@example.org", f->a, &got, &err), 0);
    store_close(s);
    if (admin != NULL) {
        char sql[128];
        PGconn *c = pg_connect(url);
        assert_int_equal(pg_int(c, "SELECT count(*) FROM schema_version"),
                         pg_int(c, "SELECT max(version) FROM schema_version"));
        PQfinish(c);
        snprintf(sql, sizeof sql, "DROP DATABASE %s", name);
        assert_true(pg_ok(admin, sql));
        PQfinish(admin);
        return;
    }
    char path[160];
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/test.db-two%s", f->dir, suffix[i]);
        unlink(path);
    }
}

/* SQLite: the WAL is checkpointed every 10,000 pages, not SQLite's default
 * 1,000: a writer's commits pile up in it past 1,000 pages (with the
 * default, it started over at about 1,000 and stayed that size). */
static void
wal_checkpoints_every_10000_pages(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    if (is_pg(f) || f->dir[0] == '\0')
        skip(); /* only a file has a WAL */
    char url[160], wal[160];
    snprintf(url, sizeof url, "sqlite:%s/test.db-wal3k", f->dir);
    snprintf(wal, sizeof wal, "%s/test.db-wal3k-wal", f->dir);
    store *s = NULL;
    assert_int_equal(store_open(url, false, &s, &err), 0);
    const long frame = 4096 + 24; /* a page and its frame header */
    long frames = 0;
    for (int i = 0; i < 3000 && frames < 3000; i++) {
        store_user u = {.email = arena_printf(f->a, "wal%d@example.org", i),
                        .name = arena_printf(f->a, "Walter %d", i)};
        assert_int_equal(store_user_insert(s, &u, &err), 0);
        FILE *fp = fopen(wal, "rb");
        assert_non_null(fp);
        assert_int_equal(fseek(fp, 0, SEEK_END), 0);
        frames = (ftell(fp) - 32) / frame;
        fclose(fp);
    }
    assert_true(frames >= 3000);
    store_close(s);
    /* Everything was committed: a reader finds the last one. */
    store_user got;
    assert_int_equal(store_open(url, true, &s, &err), 0);
    assert_int_equal(store_user_by_email(s, "wal0@example.org", f->a, &got, &err), 0);
    store_close(s);
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char path[200];
        snprintf(path, sizeof path, "%s/test.db-wal3k%s", f->dir, suffix[i]);
        unlink(path);
    }
}

/* PostgreSQL only: a connection the server drops fails the call in flight,
 * and the next call opens a new one; inside a transaction the calls fail
 * until the caller rolls back (the transaction is gone). */
static void
lost_connection_is_reopened(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    char url[300], kill_sql[240];
    store *s = NULL;
    if (!is_pg(f))
        skip();
    snprintf(url, sizeof url, "%s?application_name=victim_%ld", f->url, (long)getpid());
    snprintf(kill_sql, sizeof kill_sql,
             "SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) AS gone"
             " FROM pg_stat_activity WHERE application_name = 'victim_%ld') v WHERE gone",
             (long)getpid());
    const char *art = article(f, "lost");
    int64_t u = new_user(f, "u");
    PGconn *admin = pg_connect(f->url);
    assert_int_equal(store_open(url, false, &s, &err), 0);
    assert_int_equal(store_ping(s, &err), 0);

    assert_int_equal(pg_int(admin, kill_sql), 1);
    assert_int_equal(store_ping(s, &err), PL_ESTORE);
    assert_int_equal(store_ping(s, &err), 0);
    store_comment c = {.article_id = art, .author_id = u, .body = "b", .html = "b"};
    assert_int_equal(store_comment_insert(s, &c, &err), 0);

    assert_int_equal(store_begin(s, &err), 0);
    store_comment lost = {.article_id = art, .author_id = u, .body = "b", .html = "b"};
    assert_int_equal(store_comment_insert(s, &lost, &err), 0);
    assert_int_equal(pg_int(admin, kill_sql), 1);
    store_comment more = {.article_id = art, .author_id = u, .body = "b", .html = "b"};
    assert_int_equal(store_comment_insert(s, &more, &err), PL_ESTORE);
    assert_int_equal(store_ping(s, &err), PL_ESTORE); /* not silently outside the transaction */
    assert_int_equal(store_commit(s, &err), PL_ESTORE);
    store_rollback(s);
    assert_int_equal(store_ping(s, &err), 0);
    store_comment got;
    assert_int_equal(store_comment_get(s, c.id, 0, f->a, &got, &err), 0);
    assert_int_equal(store_comment_get(s, lost.id, 0, f->a, &got, &err), PL_ENOTFOUND);
    assert_int_equal(count_of(f, art), 1);
    store_close(s);
    PQfinish(admin);
}

static void
commit_survives_kill(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "k");
    int64_t u = new_user(f, "u");
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Commit a group, report the ids, then die without closing. */
        store *s = NULL;
        pl_error e = {0};
        int64_t ids[2] = {0, 0};
        if (store_open(f->url, false, &s, &e) == 0 && store_begin(s, &e) == 0) {
            for (int i = 0; i < 2; i++) {
                store_comment c = {.article_id = art,
                                   .author_id = u,
                                   .body = "b",
                                   .html = "b",
                                   .status = COMMENT_PUBLISHED};
                if (store_comment_insert(s, &c, &e) == 0)
                    ids[i] = c.id;
            }
            if (store_commit(s, &e) != 0)
                ids[0] = ids[1] = 0;
        }
        if (write(pipefd[1], ids, sizeof ids) != (ssize_t)sizeof ids)
            _exit(1);
        kill(getpid(), SIGKILL);
        _exit(1);
    }
    close(pipefd[1]);
    int64_t ids[2] = {0, 0};
    assert_int_equal(read(pipefd[0], ids, sizeof ids), (ssize_t)sizeof ids);
    close(pipefd[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_true(ids[0] > 0 && ids[1] > 0);

    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->url, false, &f->s, &err), 0);
    store_comment got;
    assert_int_equal(store_comment_get(f->s, ids[0], 0, f->a, &got, &err), 0);
    assert_int_equal(store_comment_get(f->s, ids[1], 0, f->a, &got, &err), 0);
    assert_int_equal(count_of(f, art), 2);
}

/* ---- change notices ------------------------------------------------------------ */

#define MAX_SEEN 16

/* What a listener received that belongs to this test (its payloads start
 * with the test's tag). */
typedef struct seen {
    const char *tag;
    arena *a;
    const char *payload[MAX_SEEN];
    int n;
} seen;

static void
collect(void *arg, const char *payload)
{
    seen *v = arg;
    size_t l = strlen(v->tag);
    if (strncmp(payload, v->tag, l) != 0 || payload[l] != ' ')
        return;
    assert_true(v->n < MAX_SEEN);
    v->payload[v->n++] = arena_strdup(v->a, payload + l + 1);
}

/* Reads notices until one ends with `last`, waiting on the descriptor for
 * each arrival (poll's bound only turns a lost notice into a failure). */
static void
read_until(store *l, int fd, seen *v, const char *last)
{
    pl_error err = {0};
    for (;;) {
        for (int i = 0; i < v->n; i++)
            if (strcmp(v->payload[i], last) == 0)
                return;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 10000) != 1)
            fail_msg("notice \"%s\" never arrived", last);
        assert_int_equal(store_notices(l, collect, v, &err), 0);
    }
}

/* store_notify is transactional: a notice sent inside a transaction or a
 * job's savepoint that is rolled back never arrives; one sent inside a
 * committed one arrives, once, in commit order, with its payload intact.
 * On SQLite there are no notices: listen hands back no descriptor. */
static void
notices_follow_commits(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store *l = NULL;
    int fd = 0;
    seen v = {.tag = f->tag, .a = f->a};
    char *big = arena_alloc(f->a, 7002);

    memset(big, 'x', 7001);
    big[7001] = '\0';
    assert_int_equal(store_notify(f->s, big, &err), PL_EINVAL); /* 7,001 bytes */
    big[7000] = '\0';
    memcpy(big, f->tag, strlen(f->tag));
    big[strlen(f->tag)] = ' ';

    assert_int_equal(store_open(f->url, true, &l, &err), 0);
    assert_int_equal(store_listen(l, &fd, &err), 0);
    if (!is_pg(f)) {
        assert_int_equal(fd, -1);
        assert_int_equal(store_notify(f->s, "anything", &err), 0);
        assert_int_equal(store_notices(l, collect, &v, &err), 0);
        assert_int_equal(v.n, 0);
        store_close(l);
        return;
    }
    assert_true(fd >= 0);
    const char *t = f->tag;

    /* The writer's group: one job rolled back, one kept. */
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    assert_int_equal(store_notify(f->s, arena_printf(f->a, "%s job-undone", t), &err), 0);
    store_savepoint_rollback(f->s);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    assert_int_equal(store_notify(f->s, arena_printf(f->a, "%s job-kept", t), &err), 0);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);

    /* A whole transaction rolled back, with a write and a notice in it. */
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_article_ensure(f->s, article(f, "notice"), "T", NULL, &err), 0);
    assert_int_equal(store_notify(f->s, arena_printf(f->a, "%s txn-undone", t), &err), 0);
    store_rollback(f->s);

    /* Outside a transaction: sent at once. Then payloads that must come
     * back byte for byte (quotes, a dollar sign, UTF-8, the longest). */
    assert_int_equal(store_notify(f->s, arena_printf(f->a, "%s alone", t), &err), 0);
    const char *odd = "it's \"quoted\"; $1 \\n caf\xc3\xa9 \xe2\x80\x94 end";
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_notify(f->s, arena_printf(f->a, "%s %s", t, odd), &err), 0);
    assert_int_equal(store_notify(f->s, big, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_int_equal(store_notify(f->s, arena_printf(f->a, "%s last", t), &err), 0);

    /* Notices arrive in commit order, so once "last" is here every earlier
     * committed one is too, and a rolled-back one would have been. */
    read_until(l, fd, &v, "last");
    assert_int_equal(v.n, 5);
    assert_string_equal(v.payload[0], "job-kept");
    assert_string_equal(v.payload[1], "alone");
    assert_string_equal(v.payload[2], odd);
    assert_int_equal(strlen(v.payload[3]) + strlen(t) + 1, 7000);
    assert_string_equal(v.payload[3], big + strlen(t) + 1);
    assert_string_equal(v.payload[4], "last");
    store_close(l);
}

/* The writer's batches (store_batch_*): on PostgreSQL the new top-level
 * comments of a batch are held back and written together, yet each gets
 * its id and root at once, a statement run inside the batch (a read, a
 * reply) sees every one written before it, and the commit keeps the
 * counts and the desk's numbers as comments written one by one would. On
 * SQLite there is no batch and the same writes run as they are. */
static void
batch_writes_held_comments_in_order(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store_comment got;
    store_article art;
    int64_t u = new_user(f, "Batch Writer");
    const char *a1 = article(f, "batch-one"), *a2 = article(f, "batch-two");
    int64_t counts[3];
    assert_int_equal(store_queue_counts(f->s, counts, &err), 0);
    int64_t held_before = counts[QUEUE_PENDING];

    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_batch_begin(f->s, 4, &err), is_pg(f) ? 1 : 0);
    int64_t c1 = add_comment(f, a1, 0, u, COMMENT_PUBLISHED, 1000);
    int64_t c2 = add_comment(f, a2, 0, u, COMMENT_PENDING, 2000); /* a new article */
    /* A reply to a comment held a moment ago, and a read of it. */
    int64_t r1 = add_comment(f, a1, c1, u, COMMENT_PUBLISHED, 3000);
    assert_int_equal(store_comment_get(f->s, c2, 0, f->a, &got, &err), 0);
    assert_int_equal(got.status, COMMENT_PENDING);
    int64_t c3 = add_comment(f, a1, 0, u, COMMENT_PUBLISHED, 4000);
    assert_true(c1 > 0 && c1 < c2 && c2 < c3 && r1 > c1);
    if (is_pg(f))
        assert_int_equal(store_batch_end(f->s, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);

    assert_int_equal(count_of(f, a1), 3);
    assert_int_equal(count_of(f, a2), 0);
    assert_int_equal(store_article_get(f->s, a2, f->a, &art, &err), 0);
    assert_string_equal(art.id, a2);
    assert_int_equal(store_comment_get(f->s, c3, 0, f->a, &got, &err), 0);
    assert_int_equal(got.root_id, c3);
    assert_int_equal(got.parent_id, 0);
    assert_int_equal(got.created_at, 4000);
    assert_string_equal(got.body, "hello *world*");
    assert_int_equal(store_comment_get(f->s, r1, 0, f->a, &got, &err), 0);
    assert_int_equal(got.root_id, c1);
    assert_int_equal(got.parent_id, c1);
    assert_int_equal(store_queue_counts(f->s, counts, &err), 0);
    assert_int_equal(counts[QUEUE_PENDING] - held_before, 1);
}

/* A batch in which one job fails fails whole, and nothing of it stays; the
 * writer then runs the same jobs one by one in savepoints, where the bad
 * one fails alone and the others commit. A failed operation inside the
 * batch fails it too, even when the caller goes on. Change notices held in
 * an undone batch are never delivered; those of the committed jobs are. */
static void
batch_failure_runs_the_jobs_again(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store_comment got;
    store *l = NULL;
    int fd = -1;
    seen v = {.tag = f->tag, .a = f->a};
    const char *t = f->tag;
    int64_t u = new_user(f, "Batch Failer");
    const char *art = article(f, "batch-fail");
    int64_t undone[2] = {0, 0};
    if (is_pg(f)) {
        assert_int_equal(store_open(f->url, true, &l, &err), 0);
        assert_int_equal(store_listen(l, &fd, &err), 0);
    }

    assert_int_equal(store_begin(f->s, &err), 0);
    if (store_batch_begin(f->s, 3, &err) == 1) {
        undone[0] = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 1000);
        assert_int_equal(store_notify(f->s, arena_printf(f->a, "%s batch-undone", t), &err), 0);
        store_comment bad = {0};
        bad.article_id = art;
        bad.author_id = INT64_MAX; /* no such user: refused only when written */
        bad.body = "bad";
        bad.html = "<p>bad</p>";
        bad.status = COMMENT_PUBLISHED;
        assert_int_equal(store_comment_insert(f->s, &bad, &err), 0);
        undone[1] = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 3000);
        assert_true(store_batch_end(f->s, &err) < 0);
        store_batch_rollback(f->s);
    }
    /* Again, job by job, as server/jobs.c does after a failed batch. */
    assert_int_equal(store_savepoint(f->s, &err), 0);
    int64_t c1 = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 1000);
    assert_int_equal(store_notify(f->s, arena_printf(f->a, "%s batch-kept", t), &err), 0);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    store_comment bad = {0};
    bad.article_id = art;
    bad.author_id = INT64_MAX;
    bad.body = "bad";
    bad.html = "<p>bad</p>";
    bad.status = COMMENT_PUBLISHED;
    assert_int_equal(store_comment_insert(f->s, &bad, &err), PL_ENOTFOUND);
    store_savepoint_rollback(f->s);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    int64_t c3 = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 3000);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);

    assert_int_equal(count_of(f, art), 2);
    assert_int_equal(store_comment_get(f->s, c1, 0, f->a, &got, &err), 0);
    assert_int_equal(got.root_id, c1);
    assert_int_equal(store_comment_get(f->s, c3, 0, f->a, &got, &err), 0);
    for (int i = 0; i < 2; i++)
        if (undone[i] != 0 && undone[i] != c1 && undone[i] != c3)
            assert_int_equal(store_comment_get(f->s, undone[i], 0, f->a, &got, &err), PL_ENOTFOUND);

    /* A reply to no comment inside a batch: the caller is told, and the
     * batch cannot end, even if the caller went on. */
    assert_int_equal(store_begin(f->s, &err), 0);
    if (store_batch_begin(f->s, 2, &err) == 1) {
        add_comment(f, art, 0, u, COMMENT_PUBLISHED, 5000);
        store_comment reply = {0};
        reply.article_id = art;
        reply.parent_id = INT64_MAX;
        reply.author_id = u;
        reply.body = "lost";
        reply.html = "<p>lost</p>";
        reply.status = COMMENT_PUBLISHED;
        assert_int_equal(store_comment_insert(f->s, &reply, &err), PL_ENOTFOUND);
        assert_true(store_batch_end(f->s, &err) < 0);
        store_batch_rollback(f->s);
    }
    /* A batch that ends well: its notice arrives after the commit. */
    assert_int_equal(store_batch_begin(f->s, 1, &err), is_pg(f) ? 1 : 0);
    int64_t c4 = add_comment(f, art, 0, u, COMMENT_PUBLISHED, 6000);
    assert_int_equal(store_notify(f->s, arena_printf(f->a, "%s batch-sent", t), &err), 0);
    if (is_pg(f))
        assert_int_equal(store_batch_end(f->s, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_int_equal(count_of(f, art), 3);
    assert_int_equal(store_comment_get(f->s, c4, 0, f->a, &got, &err), 0);

    if (l != NULL) {
        assert_int_equal(store_notify(f->s, arena_printf(f->a, "%s last", t), &err), 0);
        read_until(l, fd, &v, "last");
        assert_int_equal(v.n, 3);
        assert_string_equal(v.payload[0], "batch-kept");
        assert_string_equal(v.payload[1], "batch-sent");
        assert_string_equal(v.payload[2], "last");
        store_close(l);
    }
}

/* PostgreSQL only: when the listening connection is cut, store_notices says
 * so (the server then opens a new listener) instead of quietly
 * reconnecting without LISTEN. */
static void
lost_listener_is_reported(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    char url[300], kill_sql[240];
    store *l = NULL;
    int fd = -1, rc = 0;
    seen v = {.tag = f->tag, .a = f->a};
    if (!is_pg(f))
        skip();
    snprintf(url, sizeof url, "%s?application_name=listener_%ld", f->url, (long)getpid());
    snprintf(kill_sql, sizeof kill_sql,
             "SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) AS gone"
             " FROM pg_stat_activity WHERE application_name = 'listener_%ld') v WHERE gone",
             (long)getpid());
    PGconn *admin = pg_connect(f->url);
    assert_int_equal(store_open(url, true, &l, &err), 0);
    assert_int_equal(store_listen(l, &fd, &err), 0);
    assert_true(fd >= 0);
    assert_int_equal(pg_int(admin, kill_sql), 1);
    for (int i = 0; i < 100 && rc == 0; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 10000) != 1)
            fail_msg("the cut connection never became readable");
        rc = store_notices(l, collect, &v, &err);
    }
    assert_int_equal(rc, PL_ESTORE);
    assert_int_equal(store_notices(l, collect, &v, &err), PL_ESTORE); /* and stays so */
    assert_int_equal(store_ping(l, &err), PL_ESTORE);
    assert_int_equal(v.n, 0);
    store_close(l);
    PQfinish(admin);
}

/* Shared rate-limit buckets (PostgreSQL; SQLite always allows, its server's
 * in-memory buckets cover its one process): a bucket starts full, refills
 * at its rate up to its burst, refuses with a retry time when empty, and
 * is one bucket for every connection (every node). A rolled-back take gives
 * its token back. */
static void
rate_buckets_are_shared(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store *other = NULL;
    int retry = 0;
    const char *key = arena_printf(f->a, "comment:user:%s", f->tag);
    int64_t t = 1700000000000;
    if (!is_pg(f)) {
        for (int i = 0; i < 5; i++)
            assert_int_equal(store_rate_take(f->s, key, 6, 2, t, &retry, &err), 0);
        return;
    }
    assert_int_equal(store_open(f->url, false, &other, &err), 0);
    /* 6 a minute (one per 10 s), burst 2: two from the full bucket, one on
     * each of two connections, then refused on both. */
    assert_int_equal(store_rate_take(f->s, key, 6, 2, t, &retry, &err), 0);
    assert_int_equal(store_rate_take(other, key, 6, 2, t, &retry, &err), 0);
    assert_int_equal(store_rate_take(f->s, key, 6, 2, t, &retry, &err), PL_ERATE);
    assert_int_equal(retry, 10);
    assert_int_equal(store_rate_take(other, key, 6, 2, t + 4000, &retry, &err), PL_ERATE);
    assert_int_equal(retry, 6);
    /* A clock behind the last take refills nothing and breaks nothing. */
    assert_int_equal(store_rate_take(other, key, 6, 2, t - 60000, &retry, &err), PL_ERATE);
    /* 10 s later one token is back, and only one. */
    assert_int_equal(store_rate_take(other, key, 6, 2, t + 10000, &retry, &err), 0);
    assert_int_equal(store_rate_take(f->s, key, 6, 2, t + 10000, &retry, &err), PL_ERATE);
    /* A take inside a job that is rolled back is undone with it. */
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    assert_int_equal(store_rate_take(f->s, key, 6, 2, t + 20000, &retry, &err), 0);
    store_savepoint_rollback(f->s);
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_int_equal(store_rate_take(other, key, 6, 2, t + 20000, &retry, &err), 0);
    assert_int_equal(store_rate_take(other, key, 6, 2, t + 20000, &retry, &err), PL_ERATE);
    /* Long idle: back to full (the burst), not beyond. */
    for (int i = 0; i < 2; i++)
        assert_int_equal(store_rate_take(f->s, key, 6, 2, t + 3600000, &retry, &err), 0);
    assert_int_equal(store_rate_take(f->s, key, 6, 2, t + 3600000, &retry, &err), PL_ERATE);
    /* Another key is another bucket. */
    const char *key2 = arena_printf(f->a, "comment:ip:%s", f->tag);
    assert_int_equal(store_rate_take(f->s, key2, 6, 2, t + 3600000, &retry, &err), 0);
    store_close(other);

    /* Buckets full again are purged now and then (every 1,024 takes on a
     * connection); a bucket still refilling is kept. */
    char count_sql[300];
    snprintf(count_sql, sizeof count_sql,
             "SELECT count(*) FROM rate_buckets WHERE key IN ('%s', 'busy:%s')", key2, f->tag);
    PGconn *admin = pg_connect(f->url);
    const char *busy = arena_printf(f->a, "busy:%s", f->tag);
    for (int i = 0; i < 1100; i++)
        store_rate_take(f->s, busy, 60, 1e9, t + 7200000, &retry, &err);
    assert_int_equal(pg_int(admin, count_sql), 1); /* key2 is gone, busy stays */
    PQfinish(admin);
}

/* One number from the database itself, SQLite or PostgreSQL. */
static long long
db_int(fixture *f, const char *sql)
{
    long long v = -1;
    if (is_pg(f)) {
        PGconn *c = pg_connect(f->url);
        v = pg_int(c, sql);
        PQfinish(c);
        return v;
    }
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(f->url + strlen("sqlite:"), &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* A job whose savepoint changes megabytes of pages succeeds: an account
 * removed with its 3,000 comments of 1 KiB clears some 4 MiB of rows in
 * one statement. With the sub-journal's spill limit at 1 MiB, SQLite
 * 3.40.1 failed such a statement with SQLITE_FULL ("database or disk is
 * full") once its sub-journal spilled, and so failed migration 27 on a
 * database of 1,000,000 comments (docs/STORAGE.md, "Durability and
 * concurrency settings"). */
static void
big_savepoint_succeeds(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = article(f, "big");
    int64_t author = new_user(f, "big");
    char body[1024];
    memset(body, 'x', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    assert_int_equal(store_begin(f->s, &err), 0);
    for (int i = 0; i < 3000; i++) {
        store_comment c = {.article_id = art,
                           .author_id = author,
                           .body = body,
                           .html = body,
                           .status = COMMENT_PUBLISHED,
                           .created_at = 1000 + i};
        assert_int_equal(store_comment_insert(f->s, &c, &err), 0);
    }
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    int rc = store_user_delete(f->s, author, true, &err);
    if (rc != 0)
        fail_msg("remove the account's comments: %s", err.msg);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);
    int64_t n = -1;
    const char *ids[1] = {art};
    assert_int_equal(store_article_counts(f->s, ids, 1, &n, &err), 0);
    assert_int_equal(n, 0);
}

/* A new comment is written to one index keyed by its author (migration
 * 27, PostgreSQL 28): a group commit writes a leaf page of each such index
 * per author it touches (docs/STORAGE.md, "One author index"). */
static void
one_author_index_per_comment(void **state)
{
    fixture *f = *state;
    const char *sql = is_pg(f) ? "SELECT count(*) FROM pg_indexes WHERE tablename = 'comments'"
                                 " AND schemaname = current_schema()"
                                 " AND indexdef LIKE '%(author_id%'"
                               : "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                                 " AND tbl_name = 'comments' AND sql LIKE '%(author_id%'";
    assert_int_equal(db_int(f, sql), 1);
}

/* The text in the first column of the first row of sql, in the arena. */
static const char *
pg_text(fixture *f, PGconn *c, const char *sql)
{
    PGresult *r = pg_one_row(c, sql);
    const char *v = arena_printf(f->a, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

/* PostgreSQL's migration 30: a new comment's desk numbers are written
 * without stats_span_refresh's reads. What the insert wrote must be what
 * the refresh computes: refreshing every new comment afterwards changes
 * neither its span row nor the day's counts. */
static void
new_comment_numbers_match_the_refresh(void **state)
{
    fixture *f = *state;
    if (!is_pg(f))
        skip(); /* the numbers' triggers are PostgreSQL's; SQLite counts in its own code */
    const char *art = article(f, "span");
    int64_t u = new_user(f, "Span Author");
    const int64_t t = 1700000000000LL + (int64_t)(f->seq % 97) * STORE_DAY_MS;
    int64_t pub = add_comment(f, art, 0, u, COMMENT_PUBLISHED, t);
    int64_t held = add_comment(f, art, 0, u, COMMENT_PENDING, t + 1000);
    int64_t refused = add_comment(f, art, pub, u, COMMENT_REJECTED, t + 2000);
    int64_t reply = add_comment(f, art, pub, u, COMMENT_PUBLISHED, t + 3000);
    const char *ids = arena_printf(f->a, "%lld, %lld, %lld, %lld", (long long)pub, (long long)held,
                                   (long long)refused, (long long)reply);
    const char *spans =
        arena_printf(f->a,
                     "SELECT coalesce(string_agg(concat_ws(',', comment_id, p_in, p_out, f_in,"
                     " f_out, site), ';' ORDER BY comment_id), '') FROM stats_span"
                     " WHERE comment_id IN (%s)",
                     ids);
    const char *days = arena_printf(f->a,
                                    "SELECT coalesce(string_agg(concat_ws(',', kind, site, day, n),"
                                    " ';' ORDER BY kind, site, day), '') FROM stats_daily"
                                    " WHERE day = %lld",
                                    (long long)(t / STORE_DAY_MS));
    PGconn *c = pg_connect(f->url);
    /* Only the held one has a row: in the queue of held comments from its
     * time. */
    const char *want = arena_printf(f->a, "%lld,%lld,1", (long long)held, (long long)t + 1000);
    assert_string_equal(pg_text(f, c, spans), want);
    const char *before = pg_text(f, c, days);
    assert_true(strlen(before) > 0);
    assert_true(pg_ok(c, arena_printf(f->a,
                                      "SELECT stats_span_refresh(id) FROM comments"
                                      " WHERE id IN (%s)",
                                      ids)));
    assert_string_equal(pg_text(f, c, spans), want);
    assert_string_equal(pg_text(f, c, days), before);
    PQfinish(c);
}

/* Proof of work: a solution is spent once, whichever connection (node)
 * spends it, until its challenge expires and the record is purged; a spend
 * in a job that is rolled back is undone with it, and a replay inside a
 * group fails only its own job. */
static void
pow_solutions_are_spent_once(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store *other = NULL;
    int64_t t = 1700000000000, exp = t + 600000;
    const char *c1 = arena_printf(f->a, "pow1-%s", f->tag);
    const char *c2 = arena_printf(f->a, "pow2-%s", f->tag);
    const char *c3 = arena_printf(f->a, "pow3-%s", f->tag);
    const char *count_sql =
        arena_printf(f->a, "SELECT count(*) FROM pow_spent WHERE challenge LIKE 'pow_-%s'", f->tag);
    assert_int_equal(store_open(f->url, false, &other, &err), 0);

    assert_int_equal(store_pow_spend(f->s, c1, exp, t, &err), 0);
    assert_int_equal(store_pow_spend(f->s, c1, exp, t, &err), PL_ECONFLICT);
    assert_int_equal(store_pow_spend(other, c1, exp, t + 1000, &err), PL_ECONFLICT);
    assert_string_equal(err.msg, "this solution was already used");
    assert_int_equal(store_pow_spend(other, c2, exp, t, &err), 0);
    assert_int_equal(store_pow_spend(f->s, c2, exp, t, &err), PL_ECONFLICT);
    assert_int_equal(store_pow_spend(f->s, "", exp, t, &err), PL_EINVAL);

    /* Rolled back with its job: still free. */
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    assert_int_equal(store_pow_spend(f->s, c3, exp, t, &err), 0);
    store_savepoint_rollback(f->s);
    /* A replay fails its job; the next job of the group commits. */
    assert_int_equal(store_savepoint(f->s, &err), 0);
    assert_int_equal(store_pow_spend(f->s, c1, exp, t, &err), PL_ECONFLICT);
    store_savepoint_rollback(f->s);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    assert_int_equal(store_pow_spend(f->s, c3, exp, t, &err), 0);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_int_equal(store_pow_spend(other, c3, exp, t, &err), PL_ECONFLICT);
    assert_int_equal(db_int(f, count_sql), 3);

    /* Once the challenges expired their records go with the next spend. */
    assert_int_equal(store_pow_spend(other, c1, exp + 600000, exp + 1, &err), 0);
    assert_int_equal(db_int(f, count_sql), 1);
    assert_int_equal(store_pow_spend(f->s, c1, exp + 600000, exp + 2, &err), PL_ECONFLICT);
    store_close(other);
}

/* Site settings: the newest version wins; a version is written only on
 * top of the one read (another connection, a node, that read the same
 * version is refused); a version written in a job that is rolled back is
 * undone with it. */
static void
settings_versions(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store *other = NULL;
    store_settings cur, got;
    assert_int_equal(store_open(f->url, false, &other, &err), 0);
    assert_int_equal(store_settings_get(f->s, f->a, &cur, &err), 0);
    int64_t v = cur.version;
    if (v == 0)
        assert_string_equal(cur.body, "{}");
    assert_int_equal(store_settings_put(f->s, v, "{\"flag_threshold\":5}", 0, 1000, &err), 0);
    assert_int_equal(store_settings_put(other, v, "{\"flag_threshold\":6}", 0, 1001, &err),
                     PL_ECONFLICT);
    assert_non_null(strstr(err.msg, "changed by someone else"));
    assert_int_equal(store_settings_get(other, f->a, &got, &err), 0);
    assert_int_equal(got.version, v + 1);
    assert_int_equal(got.at, 1000);
    assert_int_equal(got.actor_id, 0);
    assert_string_equal(got.body, "{\"flag_threshold\":5}");

    int64_t uid = new_user(f, "settings");
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    assert_int_equal(store_settings_put(f->s, v + 1, "{}", uid, 2000, &err), 0);
    store_savepoint_rollback(f->s);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    assert_int_equal(store_settings_put(f->s, v + 1, "{\"policy.slur\":\"hold\"}", uid, 3000, &err),
                     0);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_int_equal(store_settings_get(other, f->a, &got, &err), 0);
    assert_int_equal(got.version, v + 2);
    assert_int_equal(got.actor_id, uid);
    assert_string_equal(got.body, "{\"policy.slur\":\"hold\"}");
    store_close(other);
}

/* A site's own settings: versioned per site as the server's are (a version
 * only on top of the one read), apart from the server's and from another
 * site's; the list holds each site's newest version. */
static void
site_settings_versions(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store *other = NULL;
    store_settings got, server;
    assert_int_equal(store_open(f->url, false, &other, &err), 0);
    char slug[40];
    int64_t a = 0, b = 0;
    snprintf(slug, sizeof slug, "ssa%ld-%ld", (long)getpid(), (long)time(NULL));
    assert_int_equal(store_site_create(f->s, slug, "A", "", 1, &a, &err), 0);
    snprintf(slug, sizeof slug, "ssb%ld-%ld", (long)getpid(), (long)time(NULL));
    assert_int_equal(store_site_create(f->s, slug, "B", "", 1, &b, &err), 0);
    assert_int_equal(store_settings_get(f->s, f->a, &server, &err), 0);

    assert_int_equal(store_site_settings_get(f->s, a, f->a, &got, &err), 0);
    assert_int_equal(got.version, 0);
    assert_string_equal(got.body, "{}");
    assert_int_equal(store_site_settings_put(f->s, a, 0, "{\"flag_threshold\":2}", 0, 1000, &err),
                     0);
    assert_int_equal(store_site_settings_put(other, a, 0, "{\"flag_threshold\":7}", 0, 1001, &err),
                     PL_ECONFLICT);
    assert_non_null(strstr(err.msg, "changed by someone else"));
    assert_int_equal(store_site_settings_put(f->s, a, 1, "{\"pages.faq\":\"x\"}", 0, 1002, &err),
                     0);
    assert_int_equal(store_site_settings_put(other, b, 0, "{}", 0, 1003, &err), 0);

    assert_int_equal(store_site_settings_get(other, a, f->a, &got, &err), 0);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.at, 1002);
    assert_string_equal(got.body, "{\"pages.faq\":\"x\"}");
    /* The server's settings did not move. */
    assert_int_equal(store_settings_get(other, f->a, &got, &err), 0);
    assert_int_equal(got.version, server.version);

    store_site_settings *v = NULL;
    size_t n = 0;
    assert_int_equal(store_site_settings_list(other, f->a, &v, &n, &err), 0);
    assert_true(n >= 2);
    bool seen_a = false, seen_b = false;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            assert_true(v[i - 1].site_id < v[i].site_id);
        if (v[i].site_id == a) {
            seen_a = true;
            assert_int_equal(v[i].s.version, 2);
            assert_string_equal(v[i].s.body, "{\"pages.faq\":\"x\"}");
        } else if (v[i].site_id == b) {
            seen_b = true;
            assert_int_equal(v[i].s.version, 1);
        }
    }
    assert_true(seen_a && seen_b);
    store_close(other);
}

/* Sites: the migration made site 1, "default", with no origins of its
 * own; a site is added with a unique slug, its name and origins change,
 * and another connection reads them. */
static void
sites_create_list_update(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    store *other = NULL;
    store_site *v = NULL;
    size_t n = 0;
    assert_int_equal(store_open(f->url, false, &other, &err), 0);
    assert_int_equal(store_sites_list(f->s, f->a, &v, &n, &err), 0);
    assert_true(n >= 1);
    assert_int_equal(v[0].id, 1);
    assert_string_equal(v[0].slug, "default");
    assert_true(v[0].created_at > 0);
    size_t before = n;

    char slug[32];
    snprintf(slug, sizeof slug, "s%ld-%ld", (long)getpid(), (long)time(NULL));
    int64_t id = 0;
    assert_int_equal(store_site_create(f->s, slug, "Second", "https://b.example", 5000, &id, &err),
                     0);
    assert_true(id > 1);
    assert_int_equal(store_site_create(f->s, slug, "Again", "", 5001, &id, &err), PL_ECONFLICT);
    assert_int_equal(store_site_update(f->s, id, NULL, "https://b.example https://c.example", &err),
                     0);
    assert_int_equal(store_site_update(f->s, 999999999, "x", NULL, &err), PL_ENOTFOUND);
    assert_int_equal(store_sites_list(other, f->a, &v, &n, &err), 0);
    assert_int_equal(n, before + 1);
    assert_int_equal(v[n - 1].id, id);
    assert_string_equal(v[n - 1].slug, slug);
    assert_string_equal(v[n - 1].name, "Second");
    assert_string_equal(v[n - 1].origins, "https://b.example https://c.example");
    assert_int_equal(v[n - 1].created_at, 5000);

    /* The queues of one site: its articles are "ID/..."; "ID0/..." is
     * another site's, and the default site's have no prefix. */
    int64_t author = new_user(f, "sitequeue");
    const char *mine = arena_printf(f->a, "%lld/art-%s", (long long)id, f->tag);
    const char *near = arena_printf(f->a, "%lld0/art-%s", (long long)id, f->tag);
    const char *plain = arena_printf(f->a, "plain-%s", f->tag);
    int64_t p1 = add_comment(f, mine, 0, author, COMMENT_PENDING, 100);
    int64_t p2 = add_comment(f, mine, 0, author, COMMENT_PENDING, 101);
    add_comment(f, mine, 0, author, COMMENT_REJECTED, 102);
    int64_t p3 = add_comment(f, near, 0, author, COMMENT_PENDING, 103);
    int64_t p4 = add_comment(f, plain, 0, author, COMMENT_PENDING, 104);
    int64_t counts[3];
    assert_int_equal(store_site_queue_counts(other, id, counts, &err), 0);
    assert_int_equal(counts[QUEUE_PENDING], 2);
    assert_int_equal(counts[QUEUE_FLAGGED], 0);
    assert_int_equal(counts[QUEUE_REJECTED], 1);
    store_comment_list l = {0};
    bool more = true;
    assert_int_equal(store_site_queue_list(other, id, QUEUE_PENDING, 0, 10, f->a, &l, &more, &err),
                     0);
    assert_int_equal(l.n, 2);
    assert_false(more);
    assert_true(has(&l, p1) && has(&l, p2));
    assert_int_equal(store_site_queue_list(other, id, QUEUE_PENDING, 0, 1, f->a, &l, &more, &err),
                     0);
    assert_int_equal(l.n, 1);
    assert_true(more);
    /* The default site's queue: no prefixed article, the plain one. */
    int64_t after = p4 - 1;
    assert_int_equal(
        store_site_queue_list(other, 1, QUEUE_PENDING, after, 100, f->a, &l, &more, &err), 0);
    assert_true(has(&l, p4));
    assert_false(has(&l, p1) || has(&l, p3));
    assert_int_equal(store_site_queue_list(other, 0, QUEUE_PENDING, 0, 10, f->a, &l, &more, &err),
                     PL_EINVAL);
    store_close(other);
}

/* Mail: settings default to off, tokens work once (or until they expire),
 * a password change ends the other sessions and spends reset tokens, and
 * the outbox hands each due mail to one sender at a time. */
static void
mail_tokens_and_outbox(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    int64_t uid = new_user(f, "mailer");
    store_user_mail m;
    assert_int_equal(store_user_mail_get(f->s, uid, &m, &err), 0);
    assert_false(m.email_verified || m.notify_replies || m.notify_moderation);
    m.notify_replies = true;
    m.notify_queue = 7;
    assert_int_equal(store_user_mail_set(f->s, uid, &m, &err), 0);
    m.email_verified = true;
    assert_int_equal(store_user_mail_set(f->s, uid, &m, &err), 0);
    store_user_mail back;
    assert_int_equal(store_user_mail_get(f->s, uid, &back, &err), 0);
    assert_true(back.email_verified && back.notify_replies && !back.notify_moderation);
    assert_int_equal(back.notify_queue, 7);

    int64_t now = 1800000000000LL, who = 0;
    unsigned char reset[STORE_TOKEN_HASH_LEN], unsub[STORE_TOKEN_HASH_LEN];
    memset(reset, 0, sizeof reset);
    memcpy(reset, f->tag, strlen(f->tag) < sizeof reset ? strlen(f->tag) : sizeof reset);
    memcpy(unsub, reset, sizeof unsub);
    reset[31] = 1;
    unsub[31] = 2;
    assert_int_equal(store_token_insert(f->s, reset, uid, TOKEN_RESET, now, now + 3600000, &err),
                     0);
    assert_int_equal(
        store_token_insert(f->s, unsub, uid, TOKEN_UNSUB_REPLIES, now, now + 86400000, &err), 0);
    /* The wrong purpose finds nothing; an expired token neither. */
    assert_int_equal(store_token_use(f->s, reset, TOKEN_VERIFY, now, true, &who, &err),
                     PL_ENOTFOUND);
    assert_int_equal(
        store_token_use(f->s, unsub, TOKEN_UNSUB_REPLIES, now + 86400000, false, &who, &err),
        PL_ENOTFOUND);
    /* A reusable token works twice; a single-use one once. */
    unsub[31] = 3;
    assert_int_equal(
        store_token_insert(f->s, unsub, uid, TOKEN_UNSUB_REPLIES, now, now + 86400000, &err), 0);
    for (int i = 0; i < 2; i++) {
        who = 0;
        assert_int_equal(
            store_token_use(f->s, unsub, TOKEN_UNSUB_REPLIES, now + 1, false, &who, &err), 0);
        assert_int_equal(who, uid);
    }
    /* Setting a password spends the reset token and ends the other sessions. */
    unsigned char keep[STORE_TOKEN_HASH_LEN], other[STORE_TOKEN_HASH_LEN];
    memcpy(keep, reset, sizeof keep);
    memcpy(other, reset, sizeof other);
    keep[30] = 9;
    other[30] = 8;
    int64_t far = time(NULL) * 1000LL + 86400000LL;
    assert_int_equal(store_session_insert(f->s, keep, uid, far, &err), 0);
    assert_int_equal(store_session_insert(f->s, other, uid, far, &err), 0);
    assert_int_equal(store_user_set_password(f->s, uid, "$argon2id$new", keep, now, &err), 0);
    store_user u;
    assert_int_equal(store_session_user(f->s, keep, far - 1000, f->a, &u, &err), 0);
    assert_string_equal(u.pw_hash, "$argon2id$new");
    assert_int_equal(store_session_user(f->s, other, far - 1000, f->a, &u, &err), PL_ENOTFOUND);
    assert_int_equal(store_token_use(f->s, reset, TOKEN_RESET, now + 1, true, &who, &err),
                     PL_ENOTFOUND);
    reset[31] = 4;
    assert_int_equal(store_token_insert(f->s, reset, uid, TOKEN_RESET, now, now + 3600000, &err),
                     0);
    assert_int_equal(store_token_use(f->s, reset, TOKEN_RESET, now + 1, true, &who, &err), 0);
    assert_int_equal(store_token_use(f->s, reset, TOKEN_RESET, now + 2, true, &who, &err),
                     PL_ENOTFOUND);

    /* The outbox: a per-recipient limit, one claim per mail, retries. */
    const char *to = arena_printf(f->a, "out-%s@example.org", f->tag);
    assert_int_equal(store_mail_enqueue(f->s, to, "one", now, 2, &err), 0);
    assert_int_equal(store_mail_enqueue(f->s, to, "two", now + 1, 2, &err), 0);
    assert_int_equal(store_mail_enqueue(f->s, to, "three", now + 2, 2, &err), PL_ERATE);
    assert_int_equal(store_mail_enqueue(f->s, to, "later", now + 3600001, 2, &err), 0);
    store_mail a, b, c;
    int64_t next = -1;
    assert_int_equal(store_mail_claim(f->s, now + 10, 60000, f->a, &a, &next, &err), 0);
    assert_string_equal(a.message, "one");
    assert_string_equal(a.recipient, to);
    assert_int_equal(a.attempts, 1);
    assert_int_equal(store_mail_claim(f->s, now + 10, 60000, f->a, &b, &next, &err), 0);
    assert_string_equal(b.message, "two");
    /* Both are leased: nothing else is due until the later one. */
    assert_int_equal(store_mail_claim(f->s, now + 10, 60000, f->a, &c, &next, &err), PL_ENOTFOUND);
    assert_int_equal(next, now + 60010);
    assert_int_equal(store_mail_finish(f->s, a.id, MAIL_SENT, 0, "", now + 20, &err), 0);
    assert_int_equal(
        store_mail_finish(f->s, b.id, MAIL_WAITING, now + 30, "try again", now + 20, &err), 0);
    assert_int_equal(store_mail_claim(f->s, now + 30, 60000, f->a, &c, &next, &err), 0);
    assert_int_equal(c.id, b.id);
    assert_int_equal(c.attempts, 2);
    assert_int_equal(store_mail_finish(f->s, c.id, MAIL_FAILED, 0, "gone", now + 40, &err), 0);
    assert_int_equal(store_mail_claim(f->s, now + 3600001, 60000, f->a, &c, &next, &err), 0);
    assert_string_equal(c.message, "later");
    assert_int_equal(store_mail_finish(f->s, c.id, MAIL_SENT, 0, "", now + 3600002, &err), 0);
    assert_int_equal(store_mail_claim(f->s, now + 3600003, 60000, f->a, &c, &next, &err),
                     PL_ENOTFOUND);
    assert_int_equal(next, 0);
}

/* Notification pacing is one atomic check-and-record per (user, thread);
 * queue watchers are staff whose threshold the queue reached. */
static void
notify_pacing_and_watchers(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    int64_t reader = new_user(f, "paced"), staff = new_user(f, "watcher");
    assert_int_equal(store_user_set_role(f->s, staff, ROLE_MODERATOR, &err), 0);
    int64_t now = 1800000000000LL;
    bool ok = false;
    assert_int_equal(store_notify_once(f->s, reader, 42, now, 3600000, &ok, &err), 0);
    assert_true(ok);
    assert_int_equal(store_notify_once(f->s, reader, 42, now + 3599999, 3600000, &ok, &err), 0);
    assert_false(ok);
    assert_int_equal(store_notify_once(f->s, reader, 43, now + 1, 3600000, &ok, &err), 0);
    assert_true(ok); /* another thread */
    assert_int_equal(store_notify_once(f->s, reader, 42, now + 3600000, 3600000, &ok, &err), 0);
    assert_true(ok);
    assert_int_equal(store_notify_once(f->s, reader, 42, now + 3600001, 3600000, &ok, &err), 0);
    assert_false(ok); /* the window starts again from the last mail */

    store_user_mail m = {.notify_queue = 1000000};
    assert_int_equal(store_user_mail_set(f->s, staff, &m, &err), 0);
    assert_int_equal(store_user_mail_set(f->s, reader, &m, &err), 0); /* a reader: never */
    store_user *v;
    size_t n;
    assert_int_equal(store_queue_watchers(f->s, 999999, f->a, &v, &n, &err), 0);
    for (size_t i = 0; i < n; i++)
        assert_true(v[i].id != staff && v[i].id != reader);
    assert_int_equal(store_queue_watchers(f->s, 1000000, f->a, &v, &n, &err), 0);
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        assert_true(v[i].id != reader);
        found = found || v[i].id == staff;
    }
    assert_true(found);
}

/* The webhook outbox: events are claimed oldest first when due, a claim
 * hides its event until the lease ends, outcomes are recorded and listed
 * newest first, and finished events are purged by age. Times are tiny
 * (10 ms after the epoch) so nothing another test left is due; every event
 * claimed here is recorded finished, so none is left pending either. */
static void
outbox_claims_leases_records_and_purges(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    int64_t id1, id2, next = -1;
    store_outbox_item it, *list = NULL;
    size_t n = 0;
    assert_int_equal(store_outbox_add(f->s, "comment.published", "{\"a\":1}", 10, &id1, &err), 0);
    assert_int_equal(store_outbox_add(f->s, "user.banned", "{\"b\":2}", 20, &id2, &err), 0);
    assert_true(id2 > id1);

    assert_int_equal(store_outbox_claim(f->s, 15, 100, f->a, &it, &next, &err), 0);
    assert_int_equal(it.id, id1);
    assert_string_equal(it.event, "comment.published");
    assert_string_equal(it.payload, "{\"a\":1}");
    assert_int_equal(it.created_at, 10);
    assert_int_equal(it.state, OUTBOX_PENDING);
    assert_int_equal(it.attempts, 0);
    assert_int_equal(it.next_at, 115);
    /* Claimed: not due again within the lease; the next one is due at 20. */
    assert_int_equal(store_outbox_claim(f->s, 15, 100, f->a, &it, &next, &err), PL_ENOTFOUND);
    assert_int_equal(next, 20);
    assert_int_equal(store_outbox_claim(f->s, 25, 100, f->a, &it, NULL, &err), 0);
    assert_int_equal(it.id, id2);
    it.state = OUTBOX_DELIVERED;
    it.attempts = 1;
    it.last_at = 30;
    it.last_status = 204;
    it.last_error = "";
    assert_int_equal(store_outbox_record(f->s, &it, &err), 0);

    /* The lease ran out (a sender died): due again. */
    assert_int_equal(store_outbox_claim(f->s, 116, 100, f->a, &it, &next, &err), 0);
    assert_int_equal(it.id, id1);
    it.state = OUTBOX_FAILED;
    it.attempts = 3;
    it.last_at = 150;
    it.last_status = 500;
    it.last_error = "the receiver answered HTTP 500";
    assert_int_equal(store_outbox_record(f->s, &it, &err), 0);
    assert_int_equal(store_outbox_claim(f->s, 1000, 100, f->a, &it, &next, &err), PL_ENOTFOUND);

    assert_int_equal(store_outbox_list(f->s, 0, 2, f->a, &list, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, id2);
    assert_int_equal(list[0].state, OUTBOX_DELIVERED);
    assert_int_equal(list[0].last_status, 204);
    assert_int_equal(list[1].id, id1);
    assert_int_equal(list[1].state, OUTBOX_FAILED);
    assert_int_equal(list[1].attempts, 3);
    assert_int_equal(list[1].last_at, 150);
    assert_string_equal(list[1].last_error, "the receiver answered HTTP 500");
    assert_int_equal(store_outbox_list(f->s, id2, 1, f->a, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, id1);

    /* Purging before 100 drops id2 (last tried at 30), keeps id1 (150). */
    assert_int_equal(store_outbox_purge(f->s, 100, &err), 0);
    assert_int_equal(store_outbox_list(f->s, id2 + 1, 2, f->a, &list, &n, &err), 0);
    assert_true(n >= 1);
    assert_int_equal(list[0].id, id1);
    assert_int_equal(store_outbox_list(f->s, 0, 1, f->a, &list, &n, &err), 0);
    assert_true(n == 0 || list[0].id != id2);

    /* Added inside a rolled-back job, an event never existed. */
    int64_t id3;
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    assert_int_equal(store_outbox_add(f->s, "comment.held", "{}", 10, &id3, &err), 0);
    store_savepoint_rollback(f->s);
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_int_equal(store_outbox_claim(f->s, 1000, 100, f->a, &it, &next, &err), PL_ENOTFOUND);
    assert_int_equal(next, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_rejects_bad_urls),
        cmocka_unit_test_setup_teardown(ping_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(users_insert_and_read, setup, teardown),
        cmocka_unit_test_setup_teardown(users_ban_and_role, setup, teardown),
        cmocka_unit_test_setup_teardown(users_language, setup, teardown),
        cmocka_unit_test_setup_teardown(sessions_expire_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(articles_ensure_update_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(comments_insert_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(comments_count_stays_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(deleted_placeholder_only_while_replies_visible, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(paging_has_no_gap_or_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(replies_at_depth_carry_root, setup, teardown),
        cmocka_unit_test_setup_teardown(pending_visible_only_to_author, setup, teardown),
        cmocka_unit_test_setup_teardown(comments_by_author_newest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(repeat_keys_are_kept_and_read, setup, teardown),
        cmocka_unit_test_setup_teardown(many_reads_match_the_one_row_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(article_and_recent_in_one_read, setup, teardown),
        cmocka_unit_test_setup_teardown(likes_are_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(flags_and_flagged_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(queues_by_status, setup, teardown),
        cmocka_unit_test_setup_teardown(modlog_newest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_calls_inside_a_transaction_keep_the_rest, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(savepoint_rollback_keeps_other_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(injected_fault_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(reopen_keeps_data, setup, teardown),
        cmocka_unit_test_setup_teardown(new_comment_numbers_match_the_refresh, setup, teardown),
        cmocka_unit_test_setup_teardown(reader_sees_committed_data, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_first_open_is_safe, setup, teardown),
        cmocka_unit_test_setup_teardown(wal_checkpoints_every_10000_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(commit_survives_kill, setup, teardown),
        cmocka_unit_test_setup_teardown(lost_connection_is_reopened, setup, teardown),
        cmocka_unit_test_setup_teardown(notices_follow_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(batch_writes_held_comments_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(batch_failure_runs_the_jobs_again, setup, teardown),
        cmocka_unit_test_setup_teardown(lost_listener_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(rate_buckets_are_shared, setup, teardown),
        cmocka_unit_test_setup_teardown(one_author_index_per_comment, setup, teardown),
        cmocka_unit_test_setup_teardown(big_savepoint_succeeds, setup, teardown),
        cmocka_unit_test_setup_teardown(viewer_layer_holds_likes_mutes_and_own_pending, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(session_layer_is_the_session_and_its_layer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(async_session_layers_come_back_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(pow_solutions_are_spent_once, setup, teardown),
        cmocka_unit_test_setup_teardown(settings_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(sites_create_list_update, setup, teardown),
        cmocka_unit_test_setup_teardown(site_settings_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(mail_tokens_and_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(notify_pacing_and_watchers, setup, teardown),
        cmocka_unit_test_setup_teardown(outbox_claims_leases_records_and_purges, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
