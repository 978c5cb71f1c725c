/* api/notify.c: notification mails and their settings.
 *
 * Three mails, each queued by the write step of the job that caused it
 * (so it exists exactly when the change committed; mail/mail.h):
 *   - a reply: to the author of the comment replied to, when they want
 *     replies (on by default for new accounts), did not mute the replier,
 *     and were not mailed about the same thread within the hour;
 *   - a moderator's decision: to the author when a moderator rejects or
 *     features their comment, with the moderator's reason;
 *   - the pending queue: to staff who set a threshold, when a comment held
 *     for review brings the queue to it or past it (at most once an hour).
 * Every one carries a one-click unsubscribe link for its kind, both in the
 * body and in List-Unsubscribe / List-Unsubscribe-Post (RFC 8058), served by
 * POST /api/v1/unsubscribe?token=T. Addresses under .invalid (deleted
 * accounts, the engine's own account) are never mailed.
 *
 * Each mail is in its recipient's language (users.language, else English:
 * the request that causes it is someone else's), its sentences from the
 * server's catalogues (web/i18n/site/, docs/I18N.md).
 */
#include "api/api_int.h"
#include "app/i18n.h"
#include "mail/mail.h"
#include "util/log.h"
#include "util/text.h"

#include <string.h>

#define UNSUB_TTL_MS (180 * 86400 * 1000LL)
#define PACE_MS (3600 * 1000LL)

static bool
mailable(const store_user *u)
{
    size_t n = strlen(u->email);
    return !u->deleted && n > 8 && strcmp(u->email + n - 8, ".invalid") != 0;
}

static const char *
base_url(arena *a, const config *cfg)
{
    size_t n = strlen(cfg->public_url);
    while (n > 0 && cfg->public_url[n - 1] == '/')
        n--;
    return arena_strndup(a, cfg->public_url, n);
}

/* Quotes text for a plain-text mail: "> " before every line. */
static const char *
quoted(arena *a, const char *s)
{
    const char *out = "> ";
    for (const char *p = s; *p;) {
        size_t k = strcspn(p, "\n");
        out = arena_printf(a, "%s%.*s", out, (int)k, p);
        p += k;
        if (*p == '\n') {
            out = arena_printf(a, "%s\n> ", out);
            p++;
        }
    }
    return out;
}

/* "label: url" for a plain-text mail, as lang writes it (French puts a
 * space before the colon). */
static const char *
link_line(arena *a, const char *lang, const char *label, const char *url)
{
    const char *v[] = {"label", label, "url", url};
    return i18n_format(a, lang, "mail_link_line", 0, v, 2, false);
}

/* A quoted comment in an HTML mail, its rule on the side the text starts
 * (mail programs know few logical CSS properties). */
static const char *
blockquote(arena *a, const char *lang, const char *text)
{
    const char *side = strcmp(i18n_dir(lang), "rtl") == 0 ? "right" : "left";
    return arena_printf(a,
                        "<blockquote style=\"border-%s:3px solid #ccc;margin:0;padding-%s:1em;"
                        "white-space:pre-wrap\">%s</blockquote>",
                        side, side, html_escape(a, text));
}

/* Queues m to u with an unsubscribe token of this purpose: the link goes
 * into List-Unsubscribe, and the sentence of why_key (why this mail came)
 * with the page's link ends both bodies, in lang. */
static int
queue_notification(job *j, store *s, const store_user *u, store_token_purpose purpose,
                   const char *lang, const char *why_key, mail_msg *m, pl_error *err)
{
    const config *cfg = req_config(j->r);
    arena *a = j->r->a;
    char token[64];
    int rc = api_mail_token(j, s, u->id, purpose, UNSUB_TTL_MS, token, err);
    if (rc < 0)
        return rc;
    const char *base = base_url(a, cfg);
    const char *page = arena_printf(a, "%s/unsubscribe?token=%s", base, token);
    const char *stop = i18n_text(lang, "unsubscribe_button");
    m->to = u->email;
    m->unsubscribe = arena_printf(a, "%s/api/v1/unsubscribe?token=%s", base, token);
    m->text = arena_printf(a, "%s\n-- \n%s %s\n", m->text, i18n_text(lang, why_key),
                           link_line(a, lang, stop, page));
    m->html = arena_printf(a,
                           "<!doctype html><html lang=\"%s\" dir=\"%s\"><body "
                           "style=\"font-family:sans-serif;line-height:1.5\">%s<hr><p "
                           "style=\"font-size:small\">%s <a href=\"%s\">%s</a>.</p></body></html>",
                           lang, i18n_dir(lang), m->html, html_escape(a, i18n_text(lang, why_key)),
                           html_escape(a, page), html_escape(a, stop));
    mail_queue(s, cfg, m, j->r->now, &job_change(j)->mail);
    return 0;
}

static const char *
article_title(const store_article *art)
{
    return art->title && art->title[0] ? art->title : art->id;
}

/* ---- replies ----------------------------------------------------------- */

int
api_notify_reply(job *j, store *s, const store_comment *reply, pl_error *err)
{
    const config *cfg = req_config(j->r);
    arena *a = j->r->a;
    if (!mail_enabled(cfg) || reply->parent_id == 0 || reply->status != COMMENT_PUBLISHED)
        return 0;
    store_comment parent;
    store_user author, replier;
    store_user_mail prefs;
    int rc = store_comment_get(s, reply->parent_id, 0, a, &parent, err);
    if (rc < 0 || parent.author_id == reply->author_id || parent.status == COMMENT_DELETED)
        return rc == PL_ENOTFOUND ? 0 : rc;
    if ((rc = store_user_by_id(s, parent.author_id, a, &author, err)) < 0 ||
        (rc = store_user_mail_get(s, author.id, &prefs, err)) < 0)
        return rc;
    if (!prefs.notify_replies || !mailable(&author))
        return 0;
    store_mute *mutes;
    size_t nm;
    if ((rc = store_mutes_list(s, author.id, a, &mutes, &nm, err)) < 0)
        return rc;
    for (size_t i = 0; i < nm; i++)
        if (mutes[i].user_id == reply->author_id)
            return 0;
    bool allowed;
    if ((rc = store_notify_once(s, author.id, parent.root_id, j->r->now, PACE_MS, &allowed, err)) <
            0 ||
        !allowed)
        return rc;
    if ((rc = store_user_by_id(s, reply->author_id, a, &replier, err)) < 0)
        return rc;
    store_article art;
    if ((rc = store_article_get(s, reply->article_id, a, &art, err)) < 0)
        return rc;
    const char *title = article_title(&art);
    const char *where = art.url && art.url[0] ? art.url : base_url(a, cfg);
    const char *body = text_excerpt(a, reply->body, 600, 0, "...");
    const char *lang = i18n_user_lang(&author, NULL);
    const char *tv[] = {"name", replier.name, "title", title};
    const char *hv[] = {"name", html_escape(a, replier.name), "title", html_escape(a, title)};
    const char *hello[] = {"name", author.name}, *hello_h[] = {"name", html_escape(a, author.name)};
    const char *open = i18n_text(lang, "mail_reply_open");
    mail_msg m = {0};
    m.subject = i18n_format(a, lang, "mail_reply_subject", 0, tv, 2, false);
    m.text = arena_printf(
        a, "%s\n\n%s\n\n%s\n\n%s\n\n%s\n", i18n_format(a, lang, "mail_hello", 0, hello, 1, false),
        i18n_format(a, lang, "mail_reply_intro", 0, tv, 2, false), quoted(a, body),
        link_line(a, lang, open, where), i18n_text(lang, "mail_reply_pace"));
    m.html = arena_printf(a, "<p>%s</p><p>%s</p>%s<p><a href=\"%s\">%s</a></p><p>%s</p>",
                          i18n_format(a, lang, "mail_hello", 0, hello_h, 1, true),
                          i18n_format(a, lang, "mail_reply_intro", 0, hv, 2, true),
                          blockquote(a, lang, body), html_escape(a, where), html_escape(a, open),
                          html_escape(a, i18n_text(lang, "mail_reply_pace")));
    return queue_notification(j, s, &author, TOKEN_UNSUB_REPLIES, lang, "mail_why_replies", &m,
                              err);
}

/* ---- moderators' decisions ------------------------------------------------ */

int
api_notify_decision(job *j, store *s, const store_comment *c, const char *action,
                    const char *reason, pl_error *err)
{
    const config *cfg = req_config(j->r);
    arena *a = j->r->a;
    bool reject = strcmp(action, "reject") == 0;
    if (!mail_enabled(cfg) || (!reject && strcmp(action, "feature") != 0) ||
        c->author_id == j->r->user->id)
        return 0;
    store_user author;
    store_user_mail prefs;
    store_article art;
    int rc;
    if ((rc = store_user_by_id(s, c->author_id, a, &author, err)) < 0 ||
        (rc = store_user_mail_get(s, author.id, &prefs, err)) < 0)
        return rc;
    if (!prefs.notify_moderation || !mailable(&author))
        return 0;
    if ((rc = store_article_get(s, c->article_id, a, &art, err)) < 0)
        return rc;
    const char *title = article_title(&art);
    const char *why = reason && reason[0] ? reason : NULL;
    const char *body = text_excerpt(a, c->body ? c->body : "", 600, 0, "...");
    const char *base = base_url(a, cfg);
    const char *lang = i18n_user_lang(&author, NULL);
    const char *tv[] = {"name", author.name, "title", title, "reason", "", "link", ""};
    const char *hv[] = {
        "name", html_escape(a, author.name), "title", html_escape(a, title), "reason", "", "link",
        ""};
    const char *hello = i18n_format(a, lang, "mail_hello", 0, tv, 1, false);
    const char *hello_h = i18n_format(a, lang, "mail_hello", 0, hv, 1, true);
    mail_msg m = {0};
    if (reject) {
        const char *guide = arena_printf(a, "%s/guidelines", base);
        tv[5] = why ? why : i18n_text(lang, "mail_no_reason");
        hv[5] = html_escape(a, tv[5]);
        tv[7] = guide;
        hv[7] =
            arena_printf(a, "<a href=\"%s\">%s</a>", html_escape(a, guide), html_escape(a, guide));
        m.subject = i18n_format(a, lang, "mail_rejected_subject", 0, tv, 4, false);
        m.text = arena_printf(a, "%s\n\n%s\n\n%s\n\n%s\n\n%s\n\n%s\n", hello,
                              i18n_format(a, lang, "mail_rejected_intro", 0, tv, 4, false),
                              i18n_format(a, lang, "mail_reason", 0, tv, 4, false),
                              i18n_text(lang, "mail_your_comment"), quoted(a, body),
                              i18n_format(a, lang, "mail_guidelines", 0, tv, 4, false));
        m.html = arena_printf(a, "<p>%s</p><p>%s</p><p>%s</p><p>%s</p>%s<p>%s</p>", hello_h,
                              i18n_format(a, lang, "mail_rejected_intro", 0, hv, 4, true),
                              i18n_format(a, lang, "mail_reason", 0, hv, 4, true),
                              html_escape(a, i18n_text(lang, "mail_your_comment")),
                              blockquote(a, lang, body),
                              i18n_format(a, lang, "mail_guidelines", 0, hv, 4, true));
    } else {
        const char *where = art.url && art.url[0] ? art.url : base;
        const char *see = i18n_text(lang, "mail_see_it");
        tv[5] = why ? why : "";
        hv[5] = html_escape(a, tv[5]);
        const char *note = why ? i18n_format(a, lang, "mail_note", 0, tv, 4, false) : NULL;
        const char *note_h = why ? i18n_format(a, lang, "mail_note", 0, hv, 4, true) : NULL;
        m.subject = i18n_format(a, lang, "mail_featured_subject", 0, tv, 4, false);
        m.text = arena_printf(a, "%s\n\n%s%s%s\n\n%s\n\n%s\n", hello,
                              i18n_format(a, lang, "mail_featured_intro", 0, tv, 4, false),
                              note ? "\n\n" : "", note ? note : "", quoted(a, body),
                              link_line(a, lang, see, where));
        m.html =
            arena_printf(a, "<p>%s</p><p>%s</p>%s%s%s%s<p><a href=\"%s\">%s</a></p>", hello_h,
                         i18n_format(a, lang, "mail_featured_intro", 0, hv, 4, true),
                         note ? "<p>" : "", note ? note_h : "", note ? "</p>" : "",
                         blockquote(a, lang, body), html_escape(a, where), html_escape(a, see));
    }
    return queue_notification(j, s, &author, TOKEN_UNSUB_MODERATION, lang, "mail_why_moderation",
                              &m, err);
}

/* ---- the pending queue -------------------------------------------------- */

int
api_notify_queue(job *j, store *s, pl_error *err)
{
    const config *cfg = req_config(j->r);
    arena *a = j->r->a;
    if (!mail_enabled(cfg))
        return 0;
    int64_t counts[3];
    store_user *staff;
    size_t n;
    int rc;
    if ((rc = store_queue_counts(s, counts, err)) < 0 ||
        (rc = store_queue_watchers(s, counts[QUEUE_PENDING], a, &staff, &n, err)) < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        bool allowed;
        if (!mailable(&staff[i]))
            continue;
        if ((rc = store_notify_once(s, staff[i].id, 0, j->r->now, PACE_MS, &allowed, err)) < 0)
            return rc;
        if (!allowed)
            continue;
        const char *desk = arena_printf(a, "%s/admin/", base_url(a, cfg));
        long long pending = (long long)counts[QUEUE_PENDING];
        const char *lang = i18n_user_lang(&staff[i], NULL);
        const char *tv[] = {"name", staff[i].name};
        const char *hv[] = {"name", html_escape(a, staff[i].name)};
        const char *open = i18n_text(lang, "mail_open_desk");
        mail_msg m = {0};
        m.subject = i18n_format(a, lang, "mail_queue_subject", pending, NULL, 0, false);
        m.text = arena_printf(a, "%s\n\n%s %s\n\n%s\n",
                              i18n_format(a, lang, "mail_hello", 0, tv, 1, false),
                              i18n_format(a, lang, "mail_queue_text", pending, NULL, 0, false),
                              link_line(a, lang, open, desk), i18n_text(lang, "mail_queue_pace"));
        m.html = arena_printf(a, "<p>%s</p><p>%s</p><p><a href=\"%s\">%s</a></p><p>%s</p>",
                              i18n_format(a, lang, "mail_hello", 0, hv, 1, true),
                              i18n_format(a, lang, "mail_queue_text", pending, NULL, 0, true),
                              html_escape(a, desk), html_escape(a, open),
                              html_escape(a, i18n_text(lang, "mail_queue_pace")));
        if ((rc = queue_notification(j, s, &staff[i], TOKEN_UNSUB_QUEUE, lang, "mail_why_queue", &m,
                                     err)) < 0)
            return rc;
    }
    return 0;
}

/* ---- settings: GET/PUT /me/notifications ---------------------------------- */

typedef struct prefs_job {
    int replies, moderation; /* -1: leave as is */
    int64_t queue;           /* -1: leave as is */
    store_user_mail result;
} prefs_job;

static json_t *
prefs_json(req *r, const store_user_mail *m)
{
    json_t *o =
        json_pack("{s:b, s:b}", "replies", m->notify_replies, "moderation", m->notify_moderation);
    if (r->user->role != ROLE_READER)
        json_object_set_new(o, "queue_threshold", json_integer((json_int_t)m->notify_queue));
    return json_pack("{s:o, s:b}", "notifications", o, "mail", mail_enabled(req_config(r)));
}

void
api_notifications_get(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_user(r))
        return;
    store_user_mail m;
    if (api_user_mail(r, &m))
        req_send_json(r, 200, prefs_json(r, &m));
}

static int
prefs_write(job *j, store *s, pl_error *err)
{
    prefs_job *pj = j->data;
    store_user_mail *m = &pj->result;
    int rc = store_user_mail_get(s, j->r->user->id, m, err);
    if (rc < 0)
        return rc;
    if (pj->replies >= 0)
        m->notify_replies = pj->replies;
    if (pj->moderation >= 0)
        m->notify_moderation = pj->moderation;
    if (pj->queue >= 0)
        m->notify_queue = pj->queue;
    return store_user_mail_set(s, j->r->user->id, m, err);
}

static void
prefs_done(job *j)
{
    prefs_job *pj = j->data;
    if (j->rc < 0) {
        log_error("msg=\"mail settings write failed\" error=\"%s\"", j->err.msg);
        api_send_rc(j->r, j->rc, &j->err);
        return;
    }
    req_send_json(j->r, 200, prefs_json(j->r, &pj->result));
}

static bool
opt_bool(req *r, json_t *o, const char *field, int *out)
{
    json_t *v = json_object_get(o, field);
    *out = -1;
    if (v == NULL)
        return true;
    if (!json_is_boolean(v)) {
        char msg[100];
        snprintf(msg, sizeof msg, "The field '%s' must be true or false.", field);
        req_send_error(r, 400, "invalid_field", msg, field, NULL);
        return false;
    }
    *out = json_is_true(v);
    return true;
}

void
api_notifications_put(req *r, const route_args *a)
{
    (void)a;
    if (!api_require_user(r))
        return;
    static const char *const allowed[] = {"replies", "moderation", "queue_threshold", NULL};
    json_t *o = api_body_object(r, allowed);
    if (o == NULL)
        return;
    prefs_job *pj = arena_zalloc(r->a, sizeof *pj);
    pj->queue = -1;
    bool ok =
        opt_bool(r, o, "replies", &pj->replies) && opt_bool(r, o, "moderation", &pj->moderation);
    json_t *q = json_object_get(o, "queue_threshold");
    if (ok && q != NULL) {
        if (r->user->role == ROLE_READER) {
            req_send_error(r, 403, "forbidden",
                           "Only moderators and admins can ask for mail about the queue.",
                           "queue_threshold", NULL);
            ok = false;
        } else if (!json_is_integer(q) || json_integer_value(q) < 0 ||
                   json_integer_value(q) > 100000) {
            req_send_error(r, 400, "invalid_field",
                           "queue_threshold must be a whole number from 0 (off) to 100000.",
                           "queue_threshold", NULL);
            ok = false;
        } else {
            pj->queue = json_integer_value(q);
        }
    }
    json_decref(o);
    if (!ok)
        return;
    job_run(r, pj, prefs_write, prefs_done);
}

/* ---- one-click unsubscribe ---------------------------------------------- */

typedef struct unsub_job {
    unsigned char hash[STORE_TOKEN_HASH_LEN];
    const char *what;
} unsub_job;

static int
unsub_write(job *j, store *s, pl_error *err)
{
    unsub_job *uj = j->data;
    static const struct {
        store_token_purpose purpose;
        const char *what;
    } kinds[] = {{TOKEN_UNSUB_REPLIES, "replies"},
                 {TOKEN_UNSUB_MODERATION, "moderation"},
                 {TOKEN_UNSUB_QUEUE, "queue"}};
    int64_t uid = 0;
    int rc = PL_ENOTFOUND;
    size_t k;
    for (k = 0; k < sizeof kinds / sizeof kinds[0] && rc == PL_ENOTFOUND; k++)
        rc = store_token_use(s, uj->hash, kinds[k].purpose, j->r->now, false, &uid, err);
    if (rc < 0)
        return rc;
    store_user_mail m;
    if ((rc = store_user_mail_get(s, uid, &m, err)) < 0)
        return rc;
    uj->what = kinds[k - 1].what;
    if (kinds[k - 1].purpose == TOKEN_UNSUB_REPLIES)
        m.notify_replies = false;
    else if (kinds[k - 1].purpose == TOKEN_UNSUB_MODERATION)
        m.notify_moderation = false;
    else
        m.notify_queue = 0;
    return store_user_mail_set(s, uid, &m, err);
}

static void
unsub_done(job *j)
{
    unsub_job *uj = j->data;
    req *r = j->r;
    if (j->rc == PL_ENOTFOUND) {
        req_send_error(r, 400, "invalid_token",
                       "This unsubscribe link is unknown or expired; change your mail settings "
                       "in your account instead.",
                       "token", NULL);
        return;
    }
    if (j->rc < 0) {
        log_error("msg=\"unsubscribe failed\" error=\"%s\"", j->err.msg);
        api_send_rc(r, j->rc, &j->err);
        return;
    }
    req_send_json(r, 200, json_pack("{s:s}", "unsubscribed", uj->what));
}

void
api_unsubscribe(req *r, const route_args *a)
{
    (void)a;
    const char *token = req_query(r, "token", NULL);
    if (token == NULL || token[0] == '\0' || strlen(token) > 128) {
        req_send_error(r, 400, "invalid_field", "The link lacks its token.", "token", NULL);
        return;
    }
    unsub_job *uj = arena_zalloc(r->a, sizeof *uj);
    session_token_hash(token, uj->hash);
    job_run(r, uj, unsub_write, unsub_done);
}
