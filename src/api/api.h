/* api/api.h: the handlers of /api/v1 (API.md), one file per resource.
 *
 * Handlers run on the request's loop thread. They validate input at the
 * edge, read through req_store(), decide (moderation for writes) and either
 * answer at once or submit a job whose write step runs on the writer thread.
 * Nothing below api/ knows about HTTP.
 */
#ifndef PARLEY_API_API_H
#define PARLEY_API_API_H

#include "server/server.h"

/* Routes one /api/ request to its handler. */
void api_dispatch(req *r);

/* server_options.origin_check: true when origin is one of a site's
 * (api/sites.c, docs/SITES.md). */
bool api_site_origin_known(req *r, const char *origin);
/* site_ctx.page_site: the site a page (/guidelines, /terms, /faq) is for,
 * found as an API request's (api_site); 0 when it names none that exists
 * or one its Origin may not name. */
int64_t api_page_site(req *r);

/* The routes, for metrics: how many, and one's label ("GET /api/v1/me"). */
int api_route_count(void);
void api_route_name(int i, char *buf, size_t n);

#endif
