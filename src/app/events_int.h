/* app/events_int.h: the part of app/events.c the rest of app/ calls. */
#ifndef PARLEY_APP_EVENTS_INT_H
#define PARLEY_APP_EVENTS_INT_H

#include <stdint.h>

#include "server/server.h"

/* Any thread: announces a change of the article's comments to the streams
 * of every loop. */
void events_publish(app *a, const char *article_id, const char *type, int64_t comment_id,
                    int64_t author_id);

#endif
