/* moderation/spam.h: the site's rules about where comments may link.
 *
 * Two lists of domains from the config, read once at start:
 *   moderation.link_allow  links to these never count as spam (the
 *                          publisher's own site, a public broadcaster);
 *   moderation.link_block  a link to any of these makes the comment spam.
 * A domain covers itself and its subdomains ("example.com" covers
 * "news.example.com", not "badexample.com"). Lists are separated by spaces
 * or commas; names are compared without case.
 *
 * The engine (rules_article.c, rule "spam") asks spam_links_check for every
 * comment: a blocked link gives a spam reason with the link as its excerpt;
 * allowed links do not count toward moderation.max_links nor toward the
 * new-account link rules. Immutable after spam_domains_new, shared by all
 * threads.
 */
#ifndef PARLEY_MODERATION_SPAM_H
#define PARLEY_MODERATION_SPAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/config.h"
#include "util/error.h"

typedef struct spam_domains spam_domains;

/* Reads the two lists from cfg (NULL: both empty). PL_EINVAL naming the
 * setting when a name is not a domain. */
int spam_domains_new(const config *cfg, spam_domains **out, pl_error *err);
void spam_domains_free(spam_domains *d); /* d may be NULL */

typedef struct spam_link_report {
    size_t links;   /* links found (http://, https://, www.) */
    size_t allowed; /* of those, to an allowed domain */
    /* The first link to a blocked domain: its byte span in the text, and
     * end == 0 when there is none. */
    uint32_t blocked_start, blocked_end;
} spam_link_report;

/* Looks at every link in s[0..n). d may be NULL (no lists). */
void spam_links_check(const spam_domains *d, const char *s, size_t n, spam_link_report *out);

/* The repeated-comment check (rule "spam"): whether one of the author's
 * recent bodies (bodies[i] posted at times[i]; times may be NULL: all
 * recent) within window_ms of now folds (normalize.h) to the same text as
 * the comment, whose folded text is folded[0..len). Exactly what folding
 * each of them and comparing would answer, without folding each on every
 * comment: each thread keeps, for bodies it has folded, the hash and length
 * of their folded text, keyed on the body's bytes (a memo of a function of
 * those bytes alone, so no two threads or nodes can answer differently);
 * a body whose folded hash and length match is folded again and compared
 * byte for byte. Folds into a. */
bool spam_repeat_seen(arena *a, const char *folded, size_t len, const char *const *bodies,
                      const int64_t *times, size_t n, int64_t now, int64_t window_ms);

/* True when host (lower case, no port) is domain or one of its subdomains. */
bool spam_host_in(const char *host, size_t host_len, const char *domain);

#endif
