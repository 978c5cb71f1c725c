/* app/events.c: see events.h. The streams themselves (limits, heartbeats,
 * delivery on each loop) are the server's (server/stream.c); this file says
 * what a stream is about (an article) and what its messages say. */
#include "app/events.h"
#include "app/events_int.h"

#include <stdio.h>

void
events_subscribe(req *r, const char *article_id)
{
    static const char hello[] = "retry: 5000\n: connected\n\n";
    req_stream(r, article_id, hello, sizeof hello - 1);
}

void
events_publish(app *a, const char *article_id, const char *type, int64_t comment_id,
               int64_t author_id)
{
    /* The author lets a widget leave out comments by readers its reader
     * muted; it is public already (every comment shows it). */
    char author[48] = "";
    if (author_id > 0)
        snprintf(author, sizeof author, ",\"author_id\":\"%lld\"", (long long)author_id);
    char text[200];
    int n = snprintf(text, sizeof text,
                     "event: comment\ndata: {\"type\":\"%s\",\"comment_id\":\"%lld\"%s}\n\n", type,
                     (long long)comment_id, author);
    stream_publish(a, article_id, text, n > 0 && (size_t)n < sizeof text ? (size_t)n : 0);
}
