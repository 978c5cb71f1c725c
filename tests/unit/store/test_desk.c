/* tests/unit/store/test_desk.c: the store functions of the moderator desk
 * (store.h, "moderation desk" section), against SQLite or the database of
 * PARLEY_TEST_DB_URL: decisions and their undo, flag outcomes and the
 * flaggers' records, queue counts with hidden comments, the author's
 * history, the filtered log, mutes, account deletion and SSO replay; the
 * desk's numbers.
 * Counts that a shared database could disturb are compared as deltas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_int.h"

#include "store_fixture.h"
#include "util/text.h"

static int64_t
new_user(fixture *f, const char *name)
{
    pl_error err = {0};
    store_user u = {0};
    u.email = arena_printf(f->a, "%s-%d-%s@example.org", name, ++f->seq, f->tag);
    u.name = name;
    assert_int_equal(store_user_insert(f->s, &u, &err), 0);
    return u.id;
}

/* A comment created at `at` (0: now) with the given status. */
static int64_t
add_at(fixture *f, const char *art, int64_t author, store_comment_status st, int64_t at)
{
    pl_error err = {0};
    store_comment c = {0};
    c.article_id = art;
    c.author_id = author;
    c.body = "body";
    c.html = "<p>body</p>";
    c.status = st;
    c.created_at = at;
    assert_int_equal(store_comment_insert(f->s, &c, &err), 0);
    return c.id;
}

static int64_t
add_comment(fixture *f, const char *art, int64_t author, store_comment_status st)
{
    return add_at(f, art, author, st, 0);
}

static store_comment
get(fixture *f, int64_t id)
{
    pl_error err = {0};
    store_comment c;
    assert_int_equal(store_comment_get(f->s, id, 0, f->a, &c, &err), 0);
    return c;
}

static void
decision_undo_restores_state_and_reopens_flags(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = arena_printf(f->a, "undo-%s", f->tag);
    int64_t author = new_user(f, "author"), flagger = new_user(f, "flagger");
    int64_t mod = new_user(f, "mod");
    int64_t id = add_comment(f, art, author, COMMENT_PUBLISHED);
    int64_t counts0[3], counts[3];
    assert_int_equal(store_queue_counts(f->s, counts0, &err), 0);
    assert_int_equal(store_flag_insert(f->s, id, flagger, "spam", "ad", NULL, &err), 0);
    assert_int_equal(store_comment_set_status(f->s, id, COMMENT_HIDDEN, &err), 0);
    assert_int_equal(store_queue_counts(f->s, counts, &err), 0);
    assert_int_equal(counts[QUEUE_FLAGGED], counts0[QUEUE_FLAGGED] + 1);

    store_decision d = {0, id, mod, 0, "reject", COMMENT_HIDDEN, false, ""};
    assert_int_equal(store_decision_insert(f->s, &d, &err), 0);
    assert_int_equal(store_comment_set_state(f->s, id, COMMENT_REJECTED, false, "spam", &err), 0);
    assert_int_equal(store_flags_review(f->s, id, FLAG_UPHELD, d.id, &err), 0);
    assert_int_equal(get(f, id).status, COMMENT_REJECTED);
    assert_string_equal(get(f, id).moderator_reason, "spam");
    assert_int_equal(store_queue_counts(f->s, counts, &err), 0);
    assert_int_equal(counts[QUEUE_FLAGGED], counts0[QUEUE_FLAGGED]);
    assert_int_equal(counts[QUEUE_REJECTED], counts0[QUEUE_REJECTED] + 1);

    store_flag_row *rows;
    size_t n;
    assert_int_equal(store_flags_by_user(f->s, flagger, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].outcome, FLAG_UPHELD);
    store_user_history h;
    assert_int_equal(store_user_history_get(f->s, author, &h, &err), 0);
    assert_int_equal(h.comments, 1);
    assert_int_equal(h.rejected, 1);
    assert_int_equal(h.flags_received, 1);
    assert_int_equal(h.flags_upheld, 1);

    store_decision last;
    assert_int_equal(store_decision_last(f->s, mod, f->a, &last, &err), 0);
    assert_int_equal(last.id, d.id);
    assert_int_equal(last.prev_status, COMMENT_HIDDEN);
    assert_int_equal(store_comment_set_state(f->s, id, last.prev_status, last.prev_featured,
                                             last.prev_reason, &err),
                     0);
    assert_int_equal(store_decision_undo(f->s, last.id, &err), 0);
    assert_int_equal(store_decision_undo(f->s, last.id, &err), PL_ENOTFOUND);
    assert_int_equal(store_decision_last(f->s, mod, f->a, &last, &err), PL_ENOTFOUND);
    assert_int_equal(store_flags_by_user(f->s, flagger, f->a, &rows, &n, &err), 0);
    assert_int_equal(rows[0].outcome, FLAG_OPEN);
    assert_int_equal(store_queue_counts(f->s, counts, &err), 0);
    assert_int_equal(counts[QUEUE_FLAGGED], counts0[QUEUE_FLAGGED] + 1);
    store_flagger *fl;
    assert_int_equal(store_flaggers_for_comment(f->s, id, f->a, &fl, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(fl[0].user_id, flagger);
    assert_int_equal(fl[0].upheld, 0);
    int64_t made;
    assert_int_equal(store_flags_count_by_user(f->s, flagger, 0, &made, &err), 0);
    assert_int_equal(made, 1);
    assert_int_equal(store_flags_review(f->s, id, FLAG_OPEN, 0, &err), PL_EINVAL);
}

static void
log_filters(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = arena_printf(f->a, "log-%s", f->tag);
    int64_t author = new_user(f, "author"), mod = new_user(f, "mod");
    int64_t id = add_comment(f, art, author, COMMENT_PENDING);
    char cid[24], uid[24];
    snprintf(cid, sizeof cid, "%lld", (long long)id);
    snprintf(uid, sizeof uid, "%lld", (long long)author);
    store_log_entry e1 = {0, 0, 0, "auto_hold", "comment", cid, "premoderated"};
    store_log_entry e2 = {0, 0, mod, "approve", "comment", cid, ""};
    store_log_entry e3 = {0, 0, mod, "ban", "user", uid, "spam"};
    store_log_entry e4 = {0, 0, mod, "article_update", "article", art, "status=closed"};
    assert_int_equal(store_log_append(f->s, &e1, &err), 0);
    assert_int_equal(store_log_append(f->s, &e2, &err), 0);
    assert_int_equal(store_log_append(f->s, &e3, &err), 0);
    assert_int_equal(store_log_append(f->s, &e4, &err), 0);
    store_log_entry *v;
    size_t n;
    store_log_filter by_author = {.author_id = author};
    assert_int_equal(store_log_query(f->s, &by_author, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].action, "ban");
    assert_string_equal(v[2].action, "auto_hold");
    store_log_filter by_article = {.article_id = art};
    assert_int_equal(store_log_query(f->s, &by_article, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].action, "article_update");
    store_log_filter by_mod_action = {.actor_id = mod, .action = "approve"};
    assert_int_equal(store_log_query(f->s, &by_mod_action, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    store_log_filter auto_only = {.actor_id = -1, .article_id = art};
    assert_int_equal(store_log_query(f->s, &auto_only, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].actor_id, 0);
    store_log_filter paged = {.author_id = author};
    assert_int_equal(store_log_query(f->s, &paged, 1, f->a, &v, &n, &err), 0);
    paged.before_id = v[0].id;
    assert_int_equal(store_log_query(f->s, &paged, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 2);
}

static void
mutes_delete_and_sso(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = arena_printf(f->a, "del-%s", f->tag);
    int64_t me = new_user(f, "me"), loud = new_user(f, "loud");
    assert_int_equal(store_mute_set(f->s, me, loud, true, 0, &err), 0);
    assert_int_equal(store_mute_set(f->s, me, loud, true, 0, &err), 0);
    store_mute *m;
    size_t n;
    assert_int_equal(store_mutes_list(f->s, me, f->a, &m, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].user_id, loud);
    assert_string_equal(m[0].name, "loud");

    int64_t c1 = add_comment(f, art, loud, COMMENT_PUBLISHED);
    assert_int_equal(store_user_delete(f->s, loud, false, &err), 0);
    assert_int_equal(store_mutes_list(f->s, me, f->a, &m, &n, &err), 0);
    assert_int_equal(n, 0);
    store_comment c = get(f, c1);
    assert_int_equal(c.status, COMMENT_PUBLISHED);
    assert_string_equal(c.author_name, "Deleted account");
    store_user u;
    assert_int_equal(store_user_by_id(f->s, loud, f->a, &u, &err), 0);
    assert_true(u.deleted);
    assert_null(strstr(u.email, f->tag));
    int64_t c2 = add_comment(f, art, me, COMMENT_PUBLISHED);
    assert_int_equal(store_user_delete(f->s, me, true, &err), 0);
    assert_int_equal(get(f, c2).status, COMMENT_DELETED);
    assert_int_equal(store_user_delete(f->s, 999999999, false, &err), PL_ENOTFOUND);

    const char *sub = arena_printf(f->a, "sub-%s", f->tag);
    const char *email = arena_printf(f->a, "sso-%s@example.org", f->tag);
    const char *jti1 = arena_printf(f->a, "j1-%s", f->tag);
    const char *jti2 = arena_printf(f->a, "j2-%s", f->tag);
    int64_t now = (int64_t)time(NULL) * 1000, a_id = 0, b_id = 0;
    assert_int_equal(
        store_sso_login(f->s, sub, "Sam", email, false, 0, jti1, now + 60000, now, &a_id, &err), 0);
    assert_true(a_id > 0);
    assert_int_equal(
        store_sso_login(f->s, sub, "Sam2", email, false, 0, jti1, now + 60000, now, &b_id, &err),
        PL_ECONFLICT);
    assert_int_equal(
        store_sso_login(f->s, sub, "Sam2", email, false, 0, jti2, now + 60000, now, &b_id, &err),
        0);
    assert_int_equal(a_id, b_id);
    assert_int_equal(store_user_by_id(f->s, a_id, f->a, &u, &err), 0);
    assert_string_equal(u.name, "Sam2");
}

/* The people page: search by a part of the name or address (with % and _
 * as plain characters), exact names, role, bans in force, new accounts,
 * paging by id; comment counts. */
static void
people_search_filters_and_pages(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *tag = f->tag;
    int64_t now = (int64_t)time(NULL) * 1000;
    int64_t a = new_user(f, arena_printf(f->a, "Anna %s", tag));
    int64_t b = new_user(f, arena_printf(f->a, "Ben_%s", tag));
    int64_t c = new_user(f, arena_printf(f->a, "Cleo %s", tag));
    add_comment(f, arena_printf(f->a, "art-%s", tag), a, COMMENT_PUBLISHED);
    add_comment(f, arena_printf(f->a, "art-%s", tag), a, COMMENT_PENDING);
    assert_int_equal(store_user_set_role(f->s, c, ROLE_MODERATOR, &err), 0);
    assert_int_equal(store_user_set_ban(f->s, b, true, now + 3600000, "spam", &err), 0);

    store_user_filter flt = {0};
    flt.role = -1;
    flt.now = now;
    flt.text = tag;
    store_user_row *rows;
    size_t n;
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].user.id, c); /* newest first */
    assert_int_equal(rows[2].user.id, a);
    assert_int_equal(rows[2].comments, 2);

    /* Paging: below the last id seen. */
    flt.before_id = rows[1].user.id;
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, a);
    flt.before_id = 0;

    /* "_" is a plain character: "Ben_" matches Ben only, "n_" not Anna. */
    flt.text = arena_printf(f->a, "n_%s", tag);
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, b);
    flt.text = arena_printf(f->a, "%%%s", tag);
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 0);

    flt.text = tag;
    flt.banned = true;
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, b);
    flt.now = now + 7200000; /* the suspension is over by then */
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    flt.banned = false;
    flt.now = now;

    flt.role = ROLE_MODERATOR;
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, c);
    /* By role (through users_role): newest first, paged, with the other
     * filters. */
    flt.role = ROLE_READER;
    assert_int_equal(store_users_search(f->s, &flt, 1, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, b);
    flt.before_id = b;
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, a);
    assert_int_equal(rows[0].comments, 2);
    flt.before_id = 0;
    flt.banned = true;
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, b);
    flt.banned = false;
    flt.role = ROLE_ADMIN;
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    flt.role = -1;

    flt.since = now + 3600000;
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    flt.since = 0;

    /* The whole name, any case; the e-mail search finds the address. */
    flt.text = NULL;
    flt.exact_name = arena_printf(f->a, "ANNA %s", tag);
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, a);
    flt.exact_name = NULL;
    flt.text = arena_printf(f->a, "-%s@example", tag);
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 3);
}

/* Notes, flags given and received with names, and the log about a user. */
static void
notes_flags_and_log_about_a_user(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *art = arena_printf(f->a, "nf-%s", f->tag);
    int64_t u = new_user(f, "Ulla");
    int64_t g = new_user(f, "Gert");
    int64_t m = new_user(f, "Mo");
    int64_t cu = add_comment(f, art, u, COMMENT_PUBLISHED);
    int64_t cg = add_comment(f, art, g, COMMENT_PUBLISHED);
    int64_t fid;
    assert_int_equal(store_flag_insert(f->s, cu, g, "spam", "an ad", &fid, &err), 0);
    assert_int_equal(store_flag_insert(f->s, cg, u, "off_topic", "", &fid, &err), 0);
    assert_int_equal(store_flags_review(f->s, cu, FLAG_UPHELD, 0, &err), 0);

    store_flag_detail *v;
    size_t n;
    assert_int_equal(store_flags_about_user(f->s, u, false, 0, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].comment_id, cu);
    assert_int_equal(v[0].flagger_id, g);
    assert_string_equal(v[0].flagger_name, "Gert");
    assert_string_equal(v[0].author_name, "Ulla");
    assert_string_equal(v[0].note, "an ad");
    assert_int_equal(v[0].outcome, FLAG_UPHELD);
    assert_int_equal(store_flags_about_user(f->s, u, true, 0, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].comment_id, cg);
    assert_string_equal(v[0].author_name, "Gert");
    assert_int_equal(v[0].outcome, FLAG_OPEN);
    /* By site, filtered before the limit: the default site's (keys without
     * '/') and none of site 900's; site 900's flag is found behind the
     * default's with a limit of one. Site 900, not 2: a fresh database's
     * first site made later (log_and_search_by_site) is 2, and this
     * comment would be one of its own. */
    assert_int_equal(store_flags_about_user(f->s, u, false, 1, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_flags_about_user(f->s, u, false, 900, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 0);
    int64_t c2 = add_comment(f, arena_printf(f->a, "900/%s", art), u, COMMENT_PUBLISHED);
    assert_int_equal(store_flag_insert(f->s, c2, g, "spam", "", &fid, &err), 0);
    int64_t c3 = add_comment(f, art, u, COMMENT_PUBLISHED);
    assert_int_equal(store_flag_insert(f->s, c3, g, "spam", "", &fid, &err), 0);
    assert_int_equal(store_flags_about_user(f->s, u, false, 900, 1, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].comment_id, c2);
    assert_int_equal(store_flags_about_user(f->s, g, true, 900, 1, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].comment_id, c2);

    store_note note = {0, u, m, NULL, "First note", 0};
    assert_int_equal(store_note_add(f->s, &note, &err), 0);
    assert_true(note.id > 0 && note.created_at > 0);
    store_note second = {0, u, m, NULL, "Second\nnote", 0};
    assert_int_equal(store_note_add(f->s, &second, &err), 0);
    store_note bad = {0, u, 999999999, NULL, "nobody wrote this", 0};
    assert_int_not_equal(store_note_add(f->s, &bad, &err), 0);
    store_note *nv;
    assert_int_equal(store_notes_list(f->s, u, 10, f->a, &nv, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(nv[0].body, "Second\nnote");
    assert_string_equal(nv[0].author_name, "Mo");
    assert_int_equal(nv[1].id, note.id);
    assert_int_equal(store_notes_list(f->s, g, 10, f->a, &nv, &n, &err), 0);
    assert_int_equal(n, 0);

    const char *uid = arena_printf(f->a, "%lld", (long long)u);
    store_log_entry e1 = {0, 1000, m, "ban", "user", uid, "one"};
    store_log_entry e2 = {0, 2000, m, "unban", "user", uid, ""};
    store_log_entry other = {0, 3000, m, "ban", "user", "999999999", "other"};
    assert_int_equal(store_log_append(f->s, &e1, &err), 0);
    assert_int_equal(store_log_append(f->s, &e2, &err), 0);
    assert_int_equal(store_log_append(f->s, &other, &err), 0);
    store_log_entry *le;
    assert_int_equal(store_log_about(f->s, "user", uid, 10, f->a, &le, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(le[0].action, "unban");
    assert_string_equal(le[1].reason, "one");
    assert_int_equal(store_log_about(f->s, "user", uid, 1, f->a, &le, &n, &err), 0);
    assert_int_equal(n, 1);
}

/* The article list: counts by status, search, status filter, paging by
 * (created_at, id); closing the ones created before a time. */
static void
articles_list_and_close(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    int64_t u = new_user(f, "Writer");
    const char *old = arena_printf(f->a, "old-%s", f->tag);
    const char *mid = arena_printf(f->a, "mid-%s", f->tag);
    const char *fresh = arena_printf(f->a, "new-%s", f->tag);
    add_comment(f, old, u, COMMENT_PUBLISHED);
    add_comment(f, old, u, COMMENT_PENDING);
    add_comment(f, old, u, COMMENT_REJECTED);
    store_article_changes up = {0};
    up.title = "Middle story";
    up.has_status = true;
    up.status = ARTICLE_PREMODERATED;
    assert_int_equal(store_article_update(f->s, mid, &up, &err), 0);
    add_comment(f, fresh, u, COMMENT_PUBLISHED);

    store_article_filter flt = {0};
    flt.status = -1;
    flt.text = f->tag;
    store_article_row *rows;
    size_t n;
    assert_int_equal(store_articles_list(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 3);
    /* Created in the same millisecond or not, the order is (created_at, id)
     * descending; find each by id. */
    const store_article_row *ro = NULL, *rm = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].article.id, old) == 0)
            ro = &rows[i];
        if (strcmp(rows[i].article.id, mid) == 0)
            rm = &rows[i];
        if (i > 0)
            assert_true(rows[i - 1].article.created_at > rows[i].article.created_at ||
                        (rows[i - 1].article.created_at == rows[i].article.created_at &&
                         strcmp(rows[i - 1].article.id, rows[i].article.id) > 0));
    }
    assert_non_null(ro);
    assert_non_null(rm);
    assert_int_equal(ro->article.comment_count, 1);
    assert_int_equal(ro->pending, 1);
    assert_int_equal(ro->total, 3);
    assert_string_equal(rm->article.title, "Middle story");
    assert_int_equal(rm->article.status, ARTICLE_PREMODERATED);
    assert_int_equal(rm->total, 0);

    /* Paging walks the same three, one at a time. */
    store_article_filter pg = flt;
    size_t seen = 0;
    for (;;) {
        assert_int_equal(store_articles_list(f->s, &pg, 1, f->a, &rows, &n, &err), 0);
        if (n == 0)
            break;
        seen++;
        pg.before_at = rows[0].article.created_at;
        pg.before_id = rows[0].article.id;
    }
    assert_int_equal(seen, 3);

    flt.text = "middle STORY";
    assert_int_equal(store_articles_list(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_true(n >= 1);
    flt.text = f->tag;
    flt.status = ARTICLE_PREMODERATED;
    assert_int_equal(store_articles_list(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].article.id, mid);

    /* Closing: only those created before the cutoff, and only once. The
     * test's articles are the newest, so a cutoff just past them closes
     * them (and, in a shared database, maybe older ones of other tests). */
    store_article fa;
    assert_int_equal(store_article_get(f->s, fresh, f->a, &fa, &err), 0);
    const char **ids;
    assert_int_equal(store_articles_close_before(f->s, 1, 0, f->a, &ids, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_articles_close_before(f->s, fa.created_at + 1, 0, f->a, &ids, &n, &err),
                     0);
    bool closed_old = false;
    for (size_t i = 0; i < n; i++)
        closed_old = closed_old || strcmp(ids[i], old) == 0;
    assert_true(closed_old);
    assert_int_equal(store_article_get(f->s, old, f->a, &fa, &err), 0);
    assert_int_equal(fa.status, ARTICLE_CLOSED);
    assert_int_equal(store_articles_close_before(f->s, fa.created_at + 1, 0, f->a, &ids, &n, &err),
                     0);
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(ids[i], old);
}

static int64_t
add_text(fixture *f, const char *art, int64_t author, store_comment_status st, const char *body)
{
    pl_error err = {0};
    store_comment c = {0};
    c.article_id = art;
    c.author_id = author;
    c.body = body;
    c.html = "<p>x</p>";
    c.status = st;
    assert_int_equal(store_comment_insert(f->s, &c, &err), 0);
    return c.id;
}

static void
search_ids(fixture *f, const store_search *q, int limit, int64_t *want, size_t n_want)
{
    pl_error err = {0};
    store_comment_list l = {0};
    assert_int_equal(store_comments_search(f->s, q, limit, f->a, &l, &err), 0);
    assert_int_equal(l.n, n_want);
    for (size_t i = 0; i < n_want; i++)
        assert_int_equal(l.items[i].id, want[i]);
}

/* The desk's search: words through the full-text index (every word, any
 * case, no operators), author, article and status, newest first, paged; a
 * deleted comment leaves the index. Words carry the test's tag, so a shared
 * database's other comments never match. */
static void
comments_search(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    char word[64];
    size_t w = 0;
    for (const char *p = f->tag; *p && w < sizeof word - 3; p++)
        word[w++] = *p >= '0' && *p <= '9' ? (char)('a' + (*p - '0')) : 'q';
    word[w] = '\0';
    int64_t u1 = new_user(f, "Searcher One"), u2 = new_user(f, "Searcher Two");
    const char *art_a = arena_printf(f->a, "sa-%s", f->tag),
               *art_b = arena_printf(f->a, "sb-%s", f->tag);
    int64_t c1 =
        add_text(f, art_a, u1, COMMENT_PUBLISHED, arena_printf(f->a, "The %s harbour wall.", word));
    int64_t c2 =
        add_text(f, art_a, u2, COMMENT_PUBLISHED, arena_printf(f->a, "%s: the budget", word));
    int64_t c3 =
        add_text(f, art_b, u1, COMMENT_PENDING, arena_printf(f->a, "HARBOUR ferry %s", word));

    store_search q = {.status = -1};
    q.text = arena_printf(f->a, "harbour %s", word);
    search_ids(f, &q, 10, (int64_t[]){c3, c1}, 2);
    q.text = arena_printf(f->a, "%s budget OR harbour", word);
    search_ids(f, &q, 10, NULL, 0);
    q.text = arena_printf(f->a, "\"%s\" ferry", word);
    search_ids(f, &q, 10, (int64_t[]){c3}, 1);
    q.text = "!!! ...";
    search_ids(f, &q, 10, NULL, 0);
    q.text = word;
    q.article_id = art_a;
    search_ids(f, &q, 10, (int64_t[]){c2, c1}, 2);
    q.article_id = NULL;
    q.author_id = u1;
    search_ids(f, &q, 10, (int64_t[]){c3, c1}, 2);
    q.status = COMMENT_PENDING;
    search_ids(f, &q, 10, (int64_t[]){c3}, 1);

    /* Without words: the author's or the article's comments. */
    q = (store_search){.status = -1, .author_id = u2};
    search_ids(f, &q, 10, (int64_t[]){c2}, 1);
    q = (store_search){.status = -1, .article_id = art_b};
    search_ids(f, &q, 10, (int64_t[]){c3}, 1);

    /* Paging: ids below before_id. */
    q = (store_search){.status = -1, .text = word};
    search_ids(f, &q, 1, (int64_t[]){c3}, 1);
    q.before_id = c3;
    search_ids(f, &q, 2, (int64_t[]){c2, c1}, 2);
    q.before_id = c2;
    search_ids(f, &q, 5, (int64_t[]){c1}, 1);

    /* A deleted comment's words leave the index; it is not listed at all. */
    assert_int_equal(store_comment_set_status(f->s, c2, COMMENT_DELETED, &err), 0);
    q = (store_search){.status = -1, .text = word};
    search_ids(f, &q, 10, (int64_t[]){c3, c1}, 2);
    q = (store_search){.status = -1, .article_id = art_a};
    search_ids(f, &q, 10, (int64_t[]){c1}, 1);

    store_comment_list l;
    assert_int_equal(store_comments_search(f->s, &q, 0, f->a, &l, &err), PL_EINVAL);
}

/* The writer's group commit (server/jobs.c): comments written, edited,
 * undone and deleted in savepoints of one transaction are found by their
 * words as they stand at the commit, and only those (SQLite indexes a new
 * comment just before the commit, migration 25). */
static void
search_after_a_group_commit(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    char word[64];
    size_t w = 0;
    for (const char *p = f->tag; *p && w < sizeof word - 3; p++)
        word[w++] = *p >= '0' && *p <= '9' ? (char)('a' + (*p - '0')) : 'z';
    word[w] = '\0';
    int64_t u = new_user(f, "Group Writer");
    const char *art = arena_printf(f->a, "sg-%s", f->tag);
    const char *kept = arena_printf(f->a, "%s kept words", word);
    const char *edited = arena_printf(f->a, "%s edited words", word);
    const char *first = arena_printf(f->a, "%s first draft", word);

    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    int64_t c1 = add_text(f, art, u, COMMENT_PUBLISHED, kept);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    /* Written, then edited in the same transaction. */
    assert_int_equal(store_savepoint(f->s, &err), 0);
    int64_t c2 = add_text(f, art, u, COMMENT_PUBLISHED, first);
    assert_int_equal(store_comment_edit(f->s, c2, edited, "<p>x</p>", COMMENT_PUBLISHED, "", NULL,
                                        time_now_ms(), &err),
                     0);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    /* Undone with its savepoint. */
    assert_int_equal(store_savepoint(f->s, &err), 0);
    add_text(f, art, u, COMMENT_PUBLISHED, arena_printf(f->a, "%s undone words", word));
    store_savepoint_rollback(f->s);
    /* Written, then deleted (its body becomes ''). */
    assert_int_equal(store_savepoint(f->s, &err), 0);
    int64_t c4 = add_text(f, art, u, COMMENT_PUBLISHED, arena_printf(f->a, "%s gone", word));
    assert_int_equal(store_comment_set_status(f->s, c4, COMMENT_DELETED, &err), 0);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);

    store_search q = {.status = -1, .text = word};
    search_ids(f, &q, 10, (int64_t[]){c2, c1}, 2);
    q.text = arena_printf(f->a, "%s kept", word);
    search_ids(f, &q, 10, (int64_t[]){c1}, 1);
    q.text = arena_printf(f->a, "%s edited", word);
    search_ids(f, &q, 10, (int64_t[]){c2}, 1);
    q.text = arena_printf(f->a, "%s draft", word);
    search_ids(f, &q, 10, NULL, 0);
    q.text = arena_printf(f->a, "%s undone", word);
    search_ids(f, &q, 10, NULL, 0);
    q.text = arena_printf(f->a, "%s gone", word);
    search_ids(f, &q, 10, NULL, 0);

    /* Edited again after the commit: the index follows. */
    assert_int_equal(store_comment_edit(f->s, c1, arena_printf(f->a, "%s later", word), "<p>x</p>",
                                        COMMENT_PUBLISHED, "", NULL, time_now_ms(), &err),
                     0);
    q.text = arena_printf(f->a, "%s kept", word);
    search_ids(f, &q, 10, NULL, 0);
    q.text = arena_printf(f->a, "%s later", word);
    search_ids(f, &q, 10, (int64_t[]){c1}, 1);
}

/* A search inside a job indexes what the transaction wrote so far (SQLite's
 * fts_flush); when that job is undone, the comments it indexed wait again
 * and the commit indexes them: every comment of the group is found after
 * it, and a later group that writes no comment changes nothing. */
static void
search_in_an_undone_job(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    char word[64];
    size_t w = 0;
    for (const char *p = f->tag; *p && w < sizeof word - 3; p++)
        word[w++] = *p >= '0' && *p <= '9' ? (char)('a' + (*p - '0')) : 'u';
    word[w] = '\0';
    int64_t u = new_user(f, "Undone Searcher");
    const char *art = arena_printf(f->a, "su-%s", f->tag);

    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    int64_t c1 = add_text(f, art, u, COMMENT_PUBLISHED, arena_printf(f->a, "%s first job", word));
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    /* The second job searches (finding the first job's comment), then is
     * undone. */
    assert_int_equal(store_savepoint(f->s, &err), 0);
    store_search q = {.status = -1, .text = word};
    search_ids(f, &q, 10, (int64_t[]){c1}, 1);
    store_savepoint_rollback(f->s);
    assert_int_equal(store_commit(f->s, &err), 0);
    search_ids(f, &q, 10, (int64_t[]){c1}, 1);

    /* A job writes and searches, the next one is undone after writing. */
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    int64_t c2 = add_text(f, art, u, COMMENT_PUBLISHED, arena_printf(f->a, "%s second job", word));
    search_ids(f, &q, 10, (int64_t[]){c2, c1}, 2);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    add_text(f, art, u, COMMENT_PUBLISHED, arena_printf(f->a, "%s undone job", word));
    store_savepoint_rollback(f->s);
    assert_int_equal(store_commit(f->s, &err), 0);
    search_ids(f, &q, 10, (int64_t[]){c2, c1}, 2);

    /* A group without a new comment. */
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_savepoint(f->s, &err), 0);
    assert_int_equal(store_comment_set_status(f->s, c2, COMMENT_HIDDEN, &err), 0);
    assert_int_equal(store_savepoint_release(f->s, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);
    search_ids(f, &q, 10, (int64_t[]){c2, c1}, 2);
    int64_t c3 = add_text(f, art, u, COMMENT_PUBLISHED, arena_printf(f->a, "%s alone", word));
    search_ids(f, &q, 10, (int64_t[]){c3, c2, c1}, 3);
}

/* SQLite only: comments that wait in comments_fts_pending (migration 25)
 * in a committed state, as a write made without a store leaves them (here
 * the sqlite3 library, as the sqlite3 tool would), are indexed by the first
 * transaction of a store opened on the file, even one that writes no
 * comment: the store's fts_pending starts set, and only a flush that
 * emptied the table clears it. */
static void
search_finds_what_waited_before_the_store_opened(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    if (f->dir[0] == '\0')
        skip(); /* PostgreSQL indexes a comment as it is written */
    char word[64];
    size_t w = 0;
    for (const char *p = f->tag; *p && w < sizeof word - 3; p++)
        word[w++] = *p >= '0' && *p <= '9' ? (char)('a' + (*p - '0')) : 'p';
    word[w] = '\0';
    int64_t u = new_user(f, "Early Writer");
    const char *art = arena_printf(f->a, "sp-%s", f->tag);
    int64_t c1 = add_text(f, art, u, COMMENT_PUBLISHED, arena_printf(f->a, "%s stored", word));
    store_close(f->s);
    f->s = NULL;

    sqlite3 *db;
    sqlite3_stmt *st;
    char path[128];
    snprintf(path, sizeof path, "%s/test.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO comments (article_id, root_id, author_id,"
                                        " body, html, status, created_at)"
                                        " SELECT article_id, id + 1, author_id, ?1, html, status,"
                                        " created_at + 1 FROM comments WHERE id = ?2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, arena_printf(f->a, "%s waited", word), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, c1);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    int64_t c2 = sqlite3_last_insert_rowid(db);
    sqlite3_finalize(st);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM comments_fts_pending", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);

    assert_int_equal(store_open(f->url, false, &f->s, &err), 0);
    store_search q = {.status = -1, .text = word};
    search_ids(f, &q, 10, (int64_t[]){c1}, 1); /* not yet in the index */
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);
    search_ids(f, &q, 10, (int64_t[]){c2, c1}, 2);
}

/* Words few comments have, beyond the newest 1,000 (PostgreSQL's walk,
 * SEARCH_WALK_MAX, before its words' index drives): the same pages, newest
 * first, as words every comment has; inside a caller's transaction too. */
static void
search_words_beyond_the_walk(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    char word[64];
    size_t w = 0;
    for (const char *p = f->tag; *p && w < sizeof word - 3; p++)
        word[w++] = *p >= '0' && *p <= '9' ? (char)('a' + (*p - '0')) : 'w';
    word[w] = '\0';
    int64_t u = new_user(f, "Walker");
    const char *art = arena_printf(f->a, "walk-%s", f->tag);
    const char *old_body = arena_printf(f->a, "An old %s remark.", word);
    int64_t old[3];
    for (int i = 0; i < 3; i++)
        old[i] = add_text(f, art, u, COMMENT_PUBLISHED, old_body);
    const char *filler = arena_printf(f->a, "Filler %sx here.", word);
    int64_t last_filler = 0;
    for (int i = 0; i < 1005; i++)
        last_filler = add_text(f, art, u, COMMENT_PUBLISHED, filler);
    int64_t newest =
        add_text(f, art, u, COMMENT_PUBLISHED, arena_printf(f->a, "A new %s remark.", word));

    store_search q = {.status = -1, .text = word};
    search_ids(f, &q, 2, (int64_t[]){newest, old[2]}, 2);
    q.before_id = old[2];
    search_ids(f, &q, 5, (int64_t[]){old[1], old[0]}, 2);
    q.before_id = 0;
    q.text = arena_printf(f->a, "%sx", word); /* a page the walk fills */
    search_ids(f, &q, 1, (int64_t[]){last_filler}, 1);

    /* In the caller's transaction, which goes on after it. */
    assert_int_equal(store_begin(f->s, &err), 0);
    q.text = word;
    search_ids(f, &q, 10, (int64_t[]){newest, old[2], old[1], old[0]}, 4);
    int64_t later = add_text(f, art, u, COMMENT_PUBLISHED, old_body);
    search_ids(f, &q, 1, (int64_t[]){later}, 1);
    assert_int_equal(store_commit(f->s, &err), 0);
    search_ids(f, &q, 2, (int64_t[]){later, newest}, 2);
}

/* The people of a site: those with a comment there, each with their
 * comments there counted, whatever the status; the default site's are
 * those of article keys without '/'. Read from the author index since
 * migration 27 (SQLite; PostgreSQL 28), which carries the article key. */
static void
people_by_site_count_their_comments_there(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *tag = f->tag;
    int64_t site = 0;
    assert_int_equal(
        store_site_create(f->s, arena_printf(f->a, "ppl-%s", tag), "People", "", 5000, &site, &err),
        0);
    const char *home = arena_printf(f->a, "ppl-%s", tag);
    const char *there = arena_printf(f->a, "%lld/ppl-%s", (long long)site, tag);
    const char *next = arena_printf(f->a, "%lld0/ppl-%s", (long long)site, tag);
    int64_t a = new_user(f, arena_printf(f->a, "Ada %s", tag));
    int64_t b = new_user(f, arena_printf(f->a, "Bo %s", tag));
    int64_t c = new_user(f, arena_printf(f->a, "Cy %s", tag));
    add_comment(f, home, a, COMMENT_PUBLISHED);
    add_comment(f, home, a, COMMENT_PENDING);
    add_comment(f, there, a, COMMENT_REJECTED);
    add_comment(f, there, b, COMMENT_PUBLISHED);
    add_comment(f, there, b, COMMENT_PUBLISHED);
    add_comment(f, next, c, COMMENT_PUBLISHED); /* another site's key, just past the range */

    store_user_filter flt = {.role = -1, .now = (int64_t)time(NULL) * 1000, .text = tag};
    store_user_row *rows;
    size_t n;
    flt.site = 1;
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, a);
    assert_int_equal(rows[0].comments, 2);
    flt.site = site;
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].user.id, b);
    assert_int_equal(rows[0].comments, 2);
    assert_int_equal(rows[1].user.id, a);
    assert_int_equal(rows[1].comments, 1);
    flt.site = 0;
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(rows[2].user.id, a);
    assert_int_equal(rows[2].comments, 3);
}

/* The log and the search by site (docs/SITES.md): a log entry keeps the
 * site of its comment, article or site target, and none for a user; the
 * search keeps one site's comments. The site is made here, so on a shared
 * database only this test's rows are its. */
static void
log_and_search_by_site(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *slug = arena_printf(f->a, "ls%s", f->tag);
    int64_t site = 0;
    assert_int_equal(store_site_create(f->s, slug, "Logs", "", 5000, &site, &err), 0);
    int64_t author = new_user(f, "siteauthor"), mod = new_user(f, "sitemod");
    const char *art = arena_printf(f->a, "%lld/lg-%s", (long long)site, f->tag);
    const char *near = arena_printf(f->a, "%lld0/lg-%s", (long long)site, f->tag);
    const char *plain = arena_printf(f->a, "lg-%s", f->tag);
    int64_t c1 = add_comment(f, plain, author, COMMENT_PUBLISHED);
    int64_t c2 = add_comment(f, art, author, COMMENT_PUBLISHED);
    int64_t c3 = add_comment(f, near, author, COMMENT_PUBLISHED);
    const char *t1 = arena_printf(f->a, "%lld", (long long)c1);
    const char *t2 = arena_printf(f->a, "%lld", (long long)c2);
    const char *t3 = arena_printf(f->a, "%lld", (long long)c3);
    const char *tu = arena_printf(f->a, "%lld", (long long)author);
    const char *ts = arena_printf(f->a, "%lld", (long long)site);
    store_log_entry es[] = {
        {0, 0, mod, "approve", "comment", t1, ""},
        {0, 0, mod, "approve", "comment", t2, ""},
        {0, 0, mod, "approve", "comment", t3, ""},
        {0, 0, mod, "ban", "user", tu, "spam"},
        {0, 0, mod, "article_update", "article", art, ""},
        {0, 0, mod, "site_update", "site", ts, ""},
        {0, 0, mod, "setting", "setting", "flag_threshold", "2 -> 3"},
    };
    for (size_t i = 0; i < sizeof es / sizeof es[0]; i++)
        assert_int_equal(store_log_append(f->s, &es[i], &err), 0);

    store_log_entry *v;
    size_t n;
    store_log_filter by_site = {.site = site};
    assert_int_equal(store_log_query(f->s, &by_site, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].action, "site_update");
    assert_string_equal(v[1].action, "article_update");
    assert_string_equal(v[2].target_id, t2);
    by_site.action = "approve";
    assert_int_equal(store_log_query(f->s, &by_site, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].target_id, t2);
    /* Paged through modlog_site. */
    by_site.action = NULL;
    assert_int_equal(store_log_query(f->s, &by_site, 1, f->a, &v, &n, &err), 0);
    by_site.before_id = v[0].id;
    assert_int_equal(store_log_query(f->s, &by_site, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    /* With the other filters: the author's entries of one site; a user
     * entry belongs to no site. */
    store_log_filter by_author = {.author_id = author, .site = 1};
    assert_int_equal(store_log_query(f->s, &by_author, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].target_id, t1);
    by_author.site = site;
    assert_int_equal(store_log_query(f->s, &by_author, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].target_id, t2);
    by_author.site = 0;
    assert_int_equal(store_log_query(f->s, &by_author, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 4);
    store_log_filter by_mod = {.actor_id = mod, .site = site};
    assert_int_equal(store_log_query(f->s, &by_mod, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 3);
    store_log_filter by_article = {.article_id = art, .site = site};
    assert_int_equal(store_log_query(f->s, &by_article, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    by_article.site = 1;
    assert_int_equal(store_log_query(f->s, &by_article, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 0);
    /* The entry keeps its site after its comment is deleted. */
    assert_int_equal(store_comment_set_status(f->s, c2, COMMENT_DELETED, &err), 0);
    by_site = (store_log_filter){.site = site, .action = "approve"};
    assert_int_equal(store_log_query(f->s, &by_site, 10, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);

    /* The search of one site: site 1's comments have no prefix; "ID0/" is
     * another site's. */
    int64_t c4 = add_comment(f, art, author, COMMENT_PENDING);
    store_search q = {.status = -1, .site = site};
    search_ids(f, &q, 10, (int64_t[]){c4}, 1);
    q.author_id = author;
    search_ids(f, &q, 10, (int64_t[]){c4}, 1);
    q.site = 1;
    search_ids(f, &q, 10, (int64_t[]){c1}, 1);
    q = (store_search){.status = COMMENT_PENDING, .site = site};
    search_ids(f, &q, 10, (int64_t[]){c4}, 1);
    q = (store_search){.status = -1, .article_id = near, .site = site};
    search_ids(f, &q, 10, NULL, 0);
    q = (store_search){.status = -1, .text = "body", .author_id = author, .site = site};
    search_ids(f, &q, 10, (int64_t[]){c4}, 1);
    q.site = 0;
    search_ids(f, &q, 10, (int64_t[]){c4, c3, c1}, 3);

    /* People by site: who wrote there (any status), their comments there
     * counted; the moderator wrote nothing. The tag is in both addresses. */
    store_user_row *rows;
    store_user_filter uf = {.text = f->tag, .role = -1, .site = site};
    assert_int_equal(store_users_search(f->s, &uf, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, author);
    assert_int_equal(rows[0].comments, 2);
    uf.site = 1;
    assert_int_equal(store_users_search(f->s, &uf, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].comments, 1);
    uf.site = 0;
    assert_int_equal(store_users_search(f->s, &uf, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].user.id, mod);
    assert_int_equal(rows[1].comments, 4);

    /* A small site's people are gathered from its key range: newest first,
     * paged below an id, with the other filters; a writer on the site "N0"
     * only is not one of site N's. */
    int64_t second = new_user(f, "sitesecond"), other = new_user(f, "siteother");
    add_comment(f, art, second, COMMENT_REJECTED);
    add_comment(f, near, other, COMMENT_PUBLISHED);
    uf = (store_user_filter){.text = f->tag, .role = -1, .site = site};
    assert_int_equal(store_users_search(f->s, &uf, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].user.id, second);
    assert_int_equal(rows[0].comments, 1);
    assert_int_equal(rows[1].user.id, author);
    assert_int_equal(rows[1].comments, 2);
    assert_int_equal(store_users_search(f->s, &uf, 1, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, second);
    uf.before_id = second;
    assert_int_equal(store_users_search(f->s, &uf, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, author);
    uf.before_id = 0;
    uf.exact_name = "SiteSecond";
    assert_int_equal(store_users_search(f->s, &uf, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, second);
    uf.exact_name = NULL;
    uf.role = ROLE_MODERATOR;
    assert_int_equal(store_users_search(f->s, &uf, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
}

/* People by a part of a name or address of 3 characters or more (the
 * trigram index on SQLite, pg_trgm's on PostgreSQL): the same people as the
 * LIKE finds, any ASCII case, quotes and LIKE's own characters as plain
 * text, newest first, paged; shorter text is looked for without it; an
 * account deleted (renamed) is no longer found by its old name. */
static void
people_search_by_part_of_a_name(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *tag = f->tag;
    int64_t a = new_user(f, arena_printf(f->a, "Quentin \"Q\" Zorb %s", tag));
    int64_t b = new_user(f, arena_printf(f->a, "zorbina %s", tag));
    int64_t c = new_user(f, arena_printf(f->a, "Other %s", tag));
    store_user_filter flt = {.role = -1};
    store_user_row *rows;
    size_t n;
    flt.text = arena_printf(f->a, "ZORB");
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    size_t zorbs = 0;
    for (size_t i = 0; i < n; i++)
        zorbs += rows[i].user.id == a || rows[i].user.id == b;
    assert_int_equal(zorbs, 2);
    flt.text = arena_printf(f->a, "ZORB %s", tag);
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, a);
    flt.text = arena_printf(f->a, "%s", tag);
    assert_int_equal(store_users_search(f->s, &flt, 2, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].user.id, c);
    assert_int_equal(rows[1].user.id, b);
    flt.before_id = b;
    assert_int_equal(store_users_search(f->s, &flt, 2, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, a);
    flt.before_id = 0;
    /* A part of the address, and quotes and LIKE's characters as text. */
    flt.text = arena_printf(f->a, "-%d-%s@EXAMPLE.ORG", f->seq - 2, tag);
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].user.id, a);
    flt.text = "\"q\" zorb";
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(rows[i].user.id, b);
    flt.text = arena_printf(f->a, "zorb_%s", tag);
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    flt.text = "Zo";
    assert_int_equal(store_users_search(f->s, &flt, 100, f->a, &rows, &n, &err), 0);
    assert_true(n >= 2);
    /* Deleted: renamed, so not found by the old name. */
    assert_int_equal(store_user_delete(f->s, b, false, &err), 0);
    flt.text = arena_printf(f->a, "zorbina %s", tag);
    assert_int_equal(store_users_search(f->s, &flt, 10, f->a, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
}

/* The queues and the search of a site other than the default with few
 * comments read its article key range ('N/' <= key < 'N0'): every status
 * and queue, paged, words asked about each comment (at most 200 of the
 * status) or the words' matches walked (more), and nothing of the site
 * "N0" or of the default site. The site is the test's own, so a shared
 * database's other rows never count. */
static void
site_queues_and_search_by_key_range(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const char *slug = arena_printf(f->a, "kr%s", f->tag);
    int64_t site = 0;
    assert_int_equal(store_site_create(f->s, slug, "Range", "", 5000, &site, &err), 0);
    int64_t author = new_user(f, "rangeauthor"), flagger = new_user(f, "rangeflagger");
    const char *a1 = arena_printf(f->a, "%lld/a-%s", (long long)site, f->tag);
    const char *a2 = arena_printf(f->a, "%lld/b-%s", (long long)site, f->tag);
    const char *near = arena_printf(f->a, "%lld0/a-%s", (long long)site, f->tag);
    const char *plain = arena_printf(f->a, "kr-%s", f->tag);
    const char *word = arena_printf(f->a, "w%s", f->tag);
    const char *body = arena_printf(f->a, "some %s here", word);
    int64_t pend[3], rej, pub, hid, del;
    pend[0] = add_text(f, a1, author, COMMENT_PENDING, body);
    pub = add_text(f, a2, author, COMMENT_PUBLISHED, body);
    pend[1] = add_text(f, a2, author, COMMENT_PENDING, "other words");
    rej = add_text(f, a1, author, COMMENT_REJECTED, body);
    hid = add_text(f, a1, author, COMMENT_HIDDEN, body);
    del = add_text(f, a2, author, COMMENT_PUBLISHED, body);
    pend[2] = add_text(f, a1, author, COMMENT_PENDING, body);
    assert_int_equal(store_comment_set_status(f->s, del, COMMENT_DELETED, &err), 0);
    int64_t np = add_text(f, near, author, COMMENT_PENDING, body);
    int64_t dp = add_text(f, plain, author, COMMENT_PENDING, body);
    int64_t flag_id = 0;
    int64_t flagged[] = {pub, hid, np, dp, rej};
    for (size_t i = 0; i < sizeof flagged / sizeof flagged[0]; i++)
        assert_int_equal(store_flag_insert(f->s, flagged[i], flagger, "spam", "", &flag_id, &err),
                         0);

    /* The queues, oldest first, paged by after. */
    store_comment_list l = {0};
    bool more = false;
    assert_int_equal(store_site_queue_list(f->s, site, QUEUE_PENDING, 0, 10, f->a, &l, &more, &err),
                     0);
    assert_int_equal(l.n, 3);
    assert_false(more);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(l.items[i].id, pend[i]);
    assert_int_equal(store_site_queue_list(f->s, site, QUEUE_PENDING, 0, 2, f->a, &l, &more, &err),
                     0);
    assert_int_equal(l.n, 2);
    assert_true(more);
    assert_int_equal(
        store_site_queue_list(f->s, site, QUEUE_PENDING, pend[1], 2, f->a, &l, &more, &err), 0);
    assert_int_equal(l.n, 1);
    assert_false(more);
    assert_int_equal(l.items[0].id, pend[2]);
    assert_int_equal(store_site_queue_list(f->s, site, QUEUE_FLAGGED, 0, 10, f->a, &l, &more, &err),
                     0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.items[0].id, pub);
    assert_int_equal(l.items[1].id, hid);
    assert_int_equal(
        store_site_queue_list(f->s, site, QUEUE_FLAGGED, pub, 10, f->a, &l, &more, &err), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.items[0].id, hid);
    assert_int_equal(
        store_site_queue_list(f->s, site, QUEUE_REJECTED, 0, 10, f->a, &l, &more, &err), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.items[0].id, rej);

    /* The search, newest first, paged by before; deleted ones never. */
    store_search q = {.status = -1, .site = site};
    search_ids(f, &q, 10, (int64_t[]){pend[2], hid, rej, pend[1], pub, pend[0]}, 6);
    search_ids(f, &q, 2, (int64_t[]){pend[2], hid}, 2);
    q.before_id = hid;
    search_ids(f, &q, 2, (int64_t[]){rej, pend[1]}, 2);
    q = (store_search){.status = COMMENT_PENDING, .site = site};
    search_ids(f, &q, 10, (int64_t[]){pend[2], pend[1], pend[0]}, 3);
    q = (store_search){.status = COMMENT_DELETED, .site = site};
    search_ids(f, &q, 10, (int64_t[]){del}, 1);
    q = (store_search){.status = -1, .text = word, .site = site};
    search_ids(f, &q, 10, (int64_t[]){pend[2], hid, rej, pub, pend[0]}, 5);
    q.before_id = rej;
    search_ids(f, &q, 1, (int64_t[]){pub}, 1);
    q = (store_search){.status = COMMENT_PENDING, .text = word, .site = site};
    search_ids(f, &q, 10, (int64_t[]){pend[2], pend[0]}, 2);

    /* More than 200 comments of the status: the words' matches walked. */
    int64_t last = 0;
    for (int i = 0; i < 205; i++)
        last = add_text(f, a2, author, COMMENT_PUBLISHED, i % 2 ? body : "nothing");
    q = (store_search){.status = -1, .text = word, .site = site};
    search_ids(f, &q, 2, (int64_t[]){last - 1, last - 3}, 2);
    q.before_id = pend[2] + 3;
    search_ids(f, &q, 3, (int64_t[]){pend[2], hid, rej}, 3);
    q = (store_search){.status = COMMENT_PENDING, .text = word, .site = site};
    search_ids(f, &q, 10, (int64_t[]){pend[2], pend[0]}, 2);
}

/* Moderators limited to some sites: none is every site; a set replaces
 * the one before; an unknown site changes nothing; closing old articles of
 * one site leaves the others'. */
static void
moderator_sites_and_closing_by_site(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    int64_t a_site = 0, b_site = 0;
    assert_int_equal(
        store_site_create(f->s, arena_printf(f->a, "ma%s", f->tag), "A", "", 5000, &a_site, &err),
        0);
    assert_int_equal(
        store_site_create(f->s, arena_printf(f->a, "mb%s", f->tag), "B", "", 5000, &b_site, &err),
        0);
    int64_t mod = new_user(f, "limited");
    int64_t *v;
    size_t n;
    assert_int_equal(store_moderator_sites(f->s, mod, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 0);
    int64_t both[] = {a_site, b_site};
    assert_int_equal(store_moderator_sites_set(f->s, mod, both, 2, &err), 0);
    assert_int_equal(store_moderator_sites(f->s, mod, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0], a_site);
    assert_int_equal(v[1], b_site);
    int64_t one[] = {b_site};
    assert_int_equal(store_moderator_sites_set(f->s, mod, one, 1, &err), 0);
    assert_int_equal(store_moderator_sites(f->s, mod, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0], b_site);
    int64_t unknown[] = {a_site, 999999999};
    assert_int_equal(store_moderator_sites_set(f->s, mod, unknown, 2, &err), PL_ENOTFOUND);
    assert_int_equal(store_moderator_sites(f->s, mod, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0], b_site);
    assert_int_equal(store_moderator_sites_set(f->s, mod, NULL, 0, &err), 0);
    assert_int_equal(store_moderator_sites(f->s, mod, f->a, &v, &n, &err), 0);
    assert_int_equal(n, 0);

    /* Closing by site: only site A's old article. */
    int64_t author = new_user(f, "closer");
    const char *in_a = arena_printf(f->a, "%lld/old-%s", (long long)a_site, f->tag);
    const char *in_b = arena_printf(f->a, "%lld/old-%s", (long long)b_site, f->tag);
    add_comment(f, in_a, author, COMMENT_PUBLISHED);
    add_comment(f, in_b, author, COMMENT_PUBLISHED);
    store_article art;
    assert_int_equal(store_article_get(f->s, in_a, f->a, &art, &err), 0);
    const char **ids;
    assert_int_equal(
        store_articles_close_before(f->s, art.created_at + 1000000, a_site, f->a, &ids, &n, &err),
        0);
    assert_int_equal(n, 1);
    assert_string_equal(ids[0], in_a);
    assert_int_equal(store_article_get(f->s, in_b, f->a, &art, &err), 0);
    assert_int_equal(art.status, ARTICLE_OPEN);
}

static void
log_why(fixture *f, const char *action, int64_t comment, int64_t at, const char *why)
{
    pl_error err = {0};
    store_log_entry e = {
        0, at, 0, action, "comment", arena_printf(f->a, "%lld", (long long)comment), why};
    assert_int_equal(store_log_append(f->s, &e, &err), 0);
}

static void
log_at(fixture *f, const char *action, int64_t comment, int64_t at)
{
    log_why(f, action, comment, at, "spam");
}

/* A moderator's decision at `at` that leaves the comment in status to. */
static int64_t
decide_at(fixture *f, int64_t comment, int64_t mod, const char *action, store_comment_status prev,
          store_comment_status to, int64_t at)
{
    pl_error err = {0};
    store_decision d = {0, comment, mod, at, action, prev, false, ""};
    assert_int_equal(store_decision_insert(f->s, &d, &err), 0);
    assert_int_equal(store_comment_set_state(f->s, comment, to, false, "", &err), 0);
    return d.id;
}

static void
flag_at(fixture *f, int64_t comment, int64_t user, const char *reason, int64_t at)
{
    pl_error err = {0};
    store_export_flag fl = {0, comment, user, reason, "", at, false, FLAG_OPEN};
    assert_int_equal(store_flag_restore(f->s, &fl, &err), 0);
}

/* The desk's numbers over three days of a past that no other test writes
 * to (a day of 1980-1993 picked from the test's tag), on a site of its own:
 * a shared database, or an earlier run's comments still held there, does
 * not disturb them. */
static void
stats_over_three_days(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const int64_t H = 3600000, D = STORE_DAY_MS;
    uint64_t h = 5381;
    for (const char *p = f->tag; *p; p++)
        h = h * 33 + (unsigned char)*p;
    const int64_t d0 = 315532800000LL + (int64_t)(h % 5000) * D; /* 1980-01-01 + n days */
    int64_t site = 0;
    assert_int_equal(store_site_create(f->s, arena_printf(f->a, "st-%s", f->tag), "Stats", "", 5000,
                                       &site, &err),
                     0);
    const char *art = arena_printf(f->a, "%lld/st-%s", (long long)site, f->tag);
    int64_t author = new_user(f, "Stats Author"), mod = new_user(f, "Stats Moderator");
    int64_t r1 = new_user(f, "Stats Flagger One"), r2 = new_user(f, "Stats Flagger Two");
    store_user eu = {0};
    eu.email = arena_printf(f->a, "engine-%s@parley.invalid", f->tag);
    eu.name = "Engine";
    eu.pw_hash = "";
    eu.kind = USER_ENGINE;
    assert_int_equal(store_user_insert(f->s, &eu, &err), 0);

    /* Held the day before the range and still pending. */
    int64_t c0 = add_at(f, art, author, COMMENT_PENDING, d0 - 12 * H);
    log_at(f, "auto_hold", c0, d0 - 12 * H);
    /* Held on day 0: c1 approved on day 1 (overturned), c2 rejected at once. */
    int64_t c1 = add_at(f, art, author, COMMENT_PENDING, d0 + 1 * H);
    log_at(f, "auto_hold", c1, d0 + 1 * H);
    decide_at(f, c1, mod, "approve", COMMENT_PENDING, COMMENT_PUBLISHED, d0 + D + 2 * H);
    int64_t c2 = add_at(f, art, author, COMMENT_PENDING, d0 + 2 * H);
    log_at(f, "auto_hold", c2, d0 + 2 * H);
    decide_at(f, c2, mod, "reject", COMMENT_PENDING, COMMENT_REJECTED, d0 + 3 * H);
    /* Refused by the engine on day 1, approved on day 2. */
    int64_t c3 = add_at(f, art, author, COMMENT_REJECTED, d0 + D + 1 * H);
    log_at(f, "auto_reject", c3, d0 + D + 1 * H);
    decide_at(f, c3, mod, "approve", COMMENT_REJECTED, COMMENT_PUBLISHED, d0 + 2 * D + 1 * H);
    /* Held on day 1 only because the article is premoderated, then
     * approved: the publisher's rule, not the engine's judgement. */
    int64_t c9 = add_at(f, art, author, COMMENT_PENDING, d0 + D + 3 * H);
    log_why(f, "auto_hold", c9, d0 + D + 3 * H, "premoderated");
    decide_at(f, c9, mod, "approve", COMMENT_PENDING, COMMENT_PUBLISHED, d0 + D + 4 * H);
    /* Published on day 1, flagged twice, rejected on day 2 (flags upheld). */
    int64_t c4 = add_at(f, art, author, COMMENT_PUBLISHED, d0 + D + 5 * H);
    flag_at(f, c4, r1, "spam", d0 + D + 6 * H);
    flag_at(f, c4, r2, "personal_attack", d0 + D + 7 * H);
    int64_t d4 =
        decide_at(f, c4, mod, "reject", COMMENT_PUBLISHED, COMMENT_REJECTED, d0 + 2 * D + 7 * H);
    assert_int_equal(store_flags_review(f->s, c4, FLAG_UPHELD, d4, &err), 0);
    /* Day 2: published and sent for review by the engine (its flag open), a
     * deleted one, and a held one whose approval was undone. */
    int64_t c5 = add_at(f, art, author, COMMENT_PUBLISHED, d0 + 2 * D + 1 * H);
    log_at(f, "auto_review", c5, d0 + 2 * D + 1 * H);
    flag_at(f, c5, eu.id, "other", d0 + 2 * D + 1 * H);
    add_at(f, art, author, COMMENT_DELETED, d0 + 2 * D + 2 * H);
    int64_t c8 = add_at(f, art, author, COMMENT_PENDING, d0 + 2 * D + 3 * H);
    log_at(f, "auto_hold", c8, d0 + 2 * D + 3 * H);
    int64_t d8 =
        decide_at(f, c8, mod, "approve", COMMENT_PENDING, COMMENT_PUBLISHED, d0 + 2 * D + 4 * H);
    assert_int_equal(store_decision_undo(f->s, d8, &err), 0);
    assert_int_equal(store_comment_set_state(f->s, c8, COMMENT_PENDING, false, "", &err), 0);
    /* The day after the range. */
    add_at(f, art, author, COMMENT_PUBLISHED, d0 + 3 * D + 1 * H);

    store_stats st;
    assert_int_equal(store_stats_get(f->s, d0, d0 + 3 * D, &site, 1, f->a, &st, &err), 0);
    assert_int_equal(st.n_days, 3);
    const store_stats_day *d = st.days;
    /* Comments by the status they have now. */
    assert_int_equal(d[0].comments[COMMENT_PUBLISHED], 1);
    assert_int_equal(d[0].comments[COMMENT_REJECTED], 1);
    assert_int_equal(d[1].comments[COMMENT_PUBLISHED], 2);
    assert_int_equal(d[1].comments[COMMENT_REJECTED], 1);
    assert_int_equal(d[2].comments[COMMENT_PUBLISHED], 1);
    assert_int_equal(d[2].comments[COMMENT_PENDING], 1);
    assert_int_equal(d[2].comments[COMMENT_DELETED], 1);
    assert_int_equal(d[2].comments[COMMENT_REJECTED], 0);
    /* Queues at each day's end. */
    assert_int_equal(d[0].pending_queue, 2); /* c0, c1 */
    assert_int_equal(d[1].pending_queue, 1); /* c0 */
    assert_int_equal(d[2].pending_queue, 2); /* c0, c8 */
    assert_int_equal(d[0].flagged_queue, 0);
    assert_int_equal(d[1].flagged_queue, 1); /* c4 */
    assert_int_equal(d[2].flagged_queue, 1); /* c5 */
    /* Decisions and their waits (the undone one left out). */
    assert_int_equal(d[0].rejected, 1);
    assert_int_equal(d[0].median_wait, 1 * H);
    assert_int_equal(d[1].approved, 2);
    assert_int_equal(d[1].median_wait, 13 * H); /* 1 h and 25 h */
    assert_int_equal(d[2].approved, 1);
    assert_int_equal(d[2].rejected, 1);
    assert_int_equal(d[2].median_wait, 24 * H + 30 * 60000); /* 24 h and 25 h */
    assert_int_equal(st.decisions, 5);
    assert_int_equal(st.median_wait, 24 * H);
    /* Readers' flags; the engine's review request is not one. */
    assert_int_equal(d[1].flags, 2);
    assert_int_equal(d[2].flags, 0);
    assert_int_equal(st.n_reasons, 2);
    assert_string_equal(st.reasons[0].reason, "personal_attack");
    assert_int_equal(st.reasons[0].outcome[FLAG_UPHELD], 1);
    assert_int_equal(st.reasons[1].per_day[1], 1);
    /* The engine's decisions and the moderators' verdicts. */
    assert_int_equal(d[0].engine[STATS_HELD], 2);
    assert_int_equal(d[0].overturned, 1);
    assert_int_equal(d[0].upheld, 1);
    assert_int_equal(d[1].engine[STATS_REFUSED], 1);
    assert_int_equal(d[1].overturned, 1);
    assert_int_equal(d[2].engine[STATS_HELD], 1);
    assert_int_equal(d[2].engine[STATS_REVIEW], 1);
    assert_int_equal(d[2].overturned + d[2].upheld, 0);
    assert_int_equal(st.engine[STATS_HELD], 3);
    assert_int_equal(st.overturned[STATS_HELD], 1);
    assert_int_equal(st.upheld[STATS_HELD], 1);
    assert_int_equal(st.overturned[STATS_REFUSED], 1);

    /* A day alone; ranges that are not whole days or too long. */
    assert_int_equal(store_stats_get(f->s, d0 + D, d0 + 2 * D, &site, 1, f->a, &st, &err), 0);
    assert_int_equal(st.n_days, 1);
    assert_int_equal(st.days[0].pending_queue, 1);
    assert_int_equal(st.days[0].flagged_queue, 1);
    assert_int_equal(st.median_wait, 13 * H);
    assert_int_equal(st.engine[STATS_HELD], 0); /* the premoderated hold */
    assert_int_equal(store_stats_get(f->s, d0, d0 + D + 1, &site, 1, f->a, &st, &err), PL_EINVAL);
    assert_int_equal(store_stats_get(f->s, d0, d0, &site, 1, f->a, &st, &err), PL_EINVAL);
    assert_int_equal(store_stats_get(f->s, d0, d0 + 367 * D, &site, 1, f->a, &st, &err), PL_EINVAL);
}

static int
cmp_wait(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static uint64_t
xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* The median of v[0..n) by sorting a copy: what store_stats_end must give. */
static int64_t
sorted_median(const int64_t *v, size_t n)
{
    if (n == 0)
        return -1;
    int64_t *c = malloc(n * sizeof *c);
    assert_non_null(c);
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_wait);
    int64_t m = n % 2 ? c[n / 2] : c[n / 2 - 1] + (c[n / 2] - c[n / 2 - 1]) / 2;
    free(c);
    return m;
}

/* store_stats_end's medians (each day's from its sorted run, the range's
 * by selection, several sites' rows put back in day order) against a sort,
 * on waits fed as the backends feed them: by site, then day, then wait.
 * Shapes that break a naive quickselect: all equal, two values, ascending
 * over the whole range, random with many repeats; odd and even counts. */
static void
stats_medians_of_many_waits(void **state)
{
    fixture *f = *state;
    pl_error err = {0};
    const int days = 40;
    int64_t *all = malloc(40 * 300 * 3 * sizeof *all);
    int64_t *day_waits = malloc(300 * 3 * sizeof *day_waits);
    int64_t(*vals)[40][300] = malloc(3 * sizeof *vals); /* [site][day]: each run sorted */
    assert_non_null(all);
    assert_non_null(day_waits);
    assert_non_null(vals);
    uint64_t seed = 88172645463325252ULL;
    for (int shape = 0; shape < 4; shape++) {
        for (size_t n_sites = 1; n_sites <= 3; n_sites++) {
            store_stats st;
            assert_int_equal(store_stats_begin(&st, 0, days * STORE_DAY_MS, f->a, &err), 0);
            st.waits_unsorted = n_sites > 1;
            size_t n_all = 0;
            size_t per[3][40]; /* [site][day]: how many waits */
            for (size_t k = 0; k < n_sites; k++)
                for (int d = 0; d < days; d++) {
                    per[k][d] = d % 7 == 3 ? 0 : (size_t)(xorshift(&seed) % 300); /* some empty */
                    for (size_t i = 0; i < per[k][d]; i++) {
                        uint64_t r = xorshift(&seed);
                        int64_t w = shape == 0   ? 3600000
                                    : shape == 1 ? (int64_t)(r % 2) * 1000
                                    : shape == 2 ? (int64_t)d * 1000000 + (int64_t)i
                                                 : (int64_t)(r % 50) * 60000;
                        vals[k][d][i] = w;
                    }
                    qsort(vals[k][d], per[k][d], sizeof vals[k][d][0], cmp_wait);
                }
            for (size_t k = 0; k < n_sites; k++)
                for (int d = 0; d < days; d++)
                    for (size_t i = 0; i < per[k][d]; i++) {
                        int64_t v[4] = {d, (int64_t)(i % 2), vals[k][d][i], 1};
                        store_stats_row(&st, STATS_Q_DECISIONS, v, NULL, f->a);
                        all[n_all++] = vals[k][d][i];
                    }
            store_stats_end(&st, f->a);
            assert_int_equal(st.decisions, (int64_t)n_all);
            assert_int_equal(st.median_wait, sorted_median(all, n_all));
            for (int d = 0; d < days; d++) {
                size_t n = 0;
                for (size_t k = 0; k < n_sites; k++)
                    for (size_t i = 0; i < per[k][d]; i++)
                        day_waits[n++] = vals[k][d][i];
                assert_int_equal(st.days[d].approved + st.days[d].rejected, (int64_t)n);
                assert_int_equal(st.days[d].median_wait, sorted_median(day_waits, n));
            }
        }
    }
    free(all);
    free(day_waits);
    free(vals);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(decision_undo_restores_state_and_reopens_flags, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(log_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(mutes_delete_and_sso, setup, teardown),
        cmocka_unit_test_setup_teardown(people_search_filters_and_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(people_by_site_count_their_comments_there, setup, teardown),
        cmocka_unit_test_setup_teardown(notes_flags_and_log_about_a_user, setup, teardown),
        cmocka_unit_test_setup_teardown(articles_list_and_close, setup, teardown),
        cmocka_unit_test_setup_teardown(comments_search, setup, teardown),
        cmocka_unit_test_setup_teardown(search_after_a_group_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(search_in_an_undone_job, setup, teardown),
        cmocka_unit_test_setup_teardown(search_finds_what_waited_before_the_store_opened, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(search_words_beyond_the_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(log_and_search_by_site, setup, teardown),
        cmocka_unit_test_setup_teardown(site_queues_and_search_by_key_range, setup, teardown),
        cmocka_unit_test_setup_teardown(people_search_by_part_of_a_name, setup, teardown),
        cmocka_unit_test_setup_teardown(moderator_sites_and_closing_by_site, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_over_three_days, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_medians_of_many_waits, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
