/* tests/unit/store/test_desk.c: the store functions of the moderator desk
 * (store.h, "moderation desk" section), against SQLite or the database of
 * PARLEY_TEST_DB_URL: decisions and their undo, flag outcomes and the
 * flaggers' records, queue counts with hidden comments, the author's
 * history, the filtered log, mutes, account deletion and SSO replay.
 * Counts that a shared database could disturb are compared as deltas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

#include "store_fixture.h"

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

static int64_t
add_comment(fixture *f, const char *art, int64_t author, store_comment_status st)
{
    pl_error err = {0};
    store_comment c = {0};
    c.article_id = art;
    c.author_id = author;
    c.body = "body";
    c.html = "<p>body</p>";
    c.status = st;
    assert_int_equal(store_comment_insert(f->s, &c, &err), 0);
    return c.id;
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(decision_undo_restores_state_and_reopens_flags, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(log_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(mutes_delete_and_sso, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
