/* app/webhooks.h: delivers the site's events to its webhook.
 *
 * Writes that cause an event (api/webhook.c) add it to the outbox table in
 * their own transaction (store_outbox_add); this module's sender thread
 * takes due events from there, POSTs each to webhook_url and records the
 * outcome. A delivery succeeds on any 2xx answer; anything else (no
 * connection, a timeout, another status) is retried after webhook_retry_ms,
 * doubling each time up to an hour, and given up (state failed) after
 * webhook_max_attempts. Because the outbox is in the database, events
 * committed before a crash or restart are delivered afterwards; on
 * PostgreSQL every node runs a sender and each event is claimed by one.
 *
 * The body of a delivery is {"id", "event", "created_at", "data"} (or, with
 * webhook_format = slack, {"text"}), signed with
 * X-Parley-Signature: sha256=HEX, the HMAC-SHA256 of the exact body under
 * webhook_secret. Delivery is at least once: a receiver that answered 2xx
 * after the sender gave up waiting gets the event again, with the same
 * X-Parley-Delivery id.
 */
#ifndef PARLEY_APP_WEBHOOKS_H
#define PARLEY_APP_WEBHOOKS_H

#include <stddef.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/config.h"
#include "util/error.h"

typedef struct webhooks webhooks;

/* Starts the sender on its own store connection when cfg->webhook_url is
 * set; *out is NULL (and the result 0) when it is not. Fails when libcurl
 * cannot be loaded or the database cannot be opened. Keeps a reference to
 * cfg. */
int webhooks_start(const config *cfg, webhooks **out, pl_error *err);

/* Tells the sender that new events were committed. w may be NULL; safe
 * from any thread. */
void webhooks_wake(webhooks *w);

/* Stops the sender (an attempt in flight is abandoned and stays due) and
 * frees it. w may be NULL. */
void webhooks_stop(webhooks *w);

/* The body sent for item (see the file comment), allocated from a; NULL
 * when the stored payload is not JSON (never written so by this program). */
const char *webhooks_body(const config *cfg, const store_outbox_item *item, arena *a);

/* Writes "sha256=" and the lower-case hex HMAC-SHA256 of body under
 * secret into out (7 + 64 + 1 bytes). */
#define WEBHOOKS_SIGNATURE_SIZE 72
void webhooks_sign(const char *secret, const char *body, size_t len,
                   char out[WEBHOOKS_SIGNATURE_SIZE]);

#endif
