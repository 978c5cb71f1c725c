/* mail/mail.h: Parley's outgoing mail.
 *
 * Mail is off unless `smtp_url` and `mail_from` are set. A handler never
 * sends mail itself: its job's write step composes the message and queues it
 * in the outbox (store_mail_enqueue) inside the same transaction as the
 * change that caused it, so the mail exists exactly when the change
 * committed. A sender thread (mailer) takes due mails from the outbox and
 * hands them to the SMTP server with libcurl; a failure is retried later
 * with a doubling delay, up to mail_max_attempts; a 5xx answer (the server
 * refuses the mail for good) ends it at once. Nothing here ever delays or
 * fails the request that caused the mail: a request waits for the outbox
 * row, never for the network.
 */
#ifndef PARLEY_MAIL_MAIL_H
#define PARLEY_MAIL_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/config.h"

/* True when mail is configured (smtp_url and mail_from set). */
bool mail_enabled(const config *cfg);

/* Checks the mail settings at start: smtp_url must be smtp:// or smtps://
 * and mail_from must hold a plausible address when smtp_url is set. */
int mail_check_config(const config *cfg, pl_error *err);

/* One mail to compose: bodies in UTF-8; unsubscribe (may be NULL) is the
 * one-click URL that goes into List-Unsubscribe (RFC 8058). */
typedef struct mail_msg {
    const char *to;
    const char *subject;
    const char *text;
    const char *html;
    const char *unsubscribe;
} mail_msg;

/* The whole RFC 5322 message (CRLF lines): From, To, Subject (RFC 2047
 * encoded when not ASCII), Date, Message-ID, List-Unsubscribe headers when
 * asked, and a multipart/alternative body with the text and HTML parts in
 * base64. Allocated from a. */
char *mail_compose(arena *a, const config *cfg, const mail_msg *m, int64_t now);

/* Composes m and queues it (from a write step). Over the per-recipient
 * limit the mail is dropped and logged; any failure is logged and swallowed
 * (the caller's change stands), so this returns nothing. On PostgreSQL a
 * failed queueing is undone alone (the store's own savepoint). Sets
 * *queued when the mail went into the outbox. */
void mail_queue(store *s, const config *cfg, const mail_msg *m, int64_t now, bool *queued);

/* Escapes text for HTML bodies (&, <, >, ", '). */
char *mail_html_escape(arena *a, const char *s);

/* The site's name for mail texts: the host of public_url, or "Parley". */
const char *mail_site_name(arena *a, const config *cfg);

/* ---- the sender thread ----------------------------------------------------- */

typedef struct mailer mailer;

/* Opens its own store connection and starts the sender thread. */
int mailer_start(const config *cfg, mailer **out, pl_error *err);
/* Tells the sender that new mail was committed (cheap; any thread). */
void mailer_wake(mailer *m);
/* Stops the thread (a send in progress is aborted and retried at the next
 * start) and closes its store. m may be NULL. */
void mailer_stop(mailer *m);

#endif
