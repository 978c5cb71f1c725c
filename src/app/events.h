/* app/events.h: live updates over Server-Sent Events.
 *
 * GET /api/v1/articles/{id}/events keeps the response open and sends one
 * `event: comment` message per committed change to the article's comments
 * (data: {"type": "created"|"edited"|"removed", "comment_id": "12"}), so an
 * open widget can offer "N new comments" without polling. The writer thread
 * publishes after each group commit; each loop delivers to its own
 * subscribers. A comment line every stream_heartbeat_s keeps proxies from
 * closing idle streams and finds dead peers (with TCP_USER_TIMEOUT) and
 * readers that stopped reading (data left unsent two beats in a row). A
 * stream ends after stream_lifetime_s, and streams are counted per client
 * and in total apart from request connections (docs/SECURITY.md). An idle
 * subscriber costs its connection and one small record: the request's arena
 * is freed once the stream starts.
 */
#ifndef PARLEY_APP_EVENTS_H
#define PARLEY_APP_EVENTS_H

#include <stdint.h>

#include "server/server.h"

/* Takes over r and streams events for the article until the client leaves
 * or the server stops. */
void events_subscribe(req *r, const char *article_id);

#endif
