/* app/events_int.h: the parts of app/events.c that server/ and app/ call
 * (publishing from the writer, heartbeats and shutdown on loops). */
#ifndef PARLEY_APP_EVENTS_INT_H
#define PARLEY_APP_EVENTS_INT_H

#include "server/server_int.h"

/* Any thread: announces a change of the article's comments to every loop. */
void events_publish(app *a, const char *article_id, const char *type, int64_t comment_id,
                    int64_t author_id);
/* Loop thread: sends the keep-alive comment when it is due. */
void events_heartbeat(loop *lp, int64_t now_ms);
/* Loop thread: ends every stream of the loop (shutdown). */
void events_close_all(loop *lp);
/* Size of one loop's stream list, for app->streams. */
size_t events_list_size(void);
/* Number of open streams on the loop. */
long events_count(loop *lp);

#endif
