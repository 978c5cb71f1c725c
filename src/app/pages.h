/* app/pages.h: everything outside /api/: the widget's files, the
 * guidelines, terms and FAQ pages, the moderator desk, the demo article page
 * and /healthz. All of it is compiled into the binary (util/assets.h). */
#ifndef PARLEY_APP_PAGES_H
#define PARLEY_APP_PAGES_H

#include "server/server.h"

/* The publisher's Markdown replacements named in the config
 * (guidelines_file, terms_file, faq_file), read once (NULL: the default). */
typedef struct page_set {
    char *md[3];
    size_t len[3];
} page_set;

/* Reads them. Returns 0 or PL_EINVAL with err naming the file. */
int pages_load(const config *cfg, page_set **out, pl_error *err);
void pages_free(page_set *p); /* p may be NULL */
/* The pages whose text (pages.guidelines, .terms, .faq) the config of a
 * site sets otherwise than the server's: NULL when none. */
page_set *pages_own(const config *site, const config *server);

/* With the demo on: gives the demo article (web/index.html, id
 * "demo-welcome") its title and text in the store, so the on-topic check
 * has something to compare with. Leaves an article that has text alone. */
int pages_seed_demo(const config *cfg, store *s, pl_error *err);

/* Answers one non-API request. */
void pages_dispatch(req *r);

#endif
