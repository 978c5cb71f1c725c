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

#include "moderation/moderation.h"
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

/* Whether s[0..n) could hold a link at all: it has "://" or "www." (any
 * case). When not, s holds no link. */
bool spam_maybe_link(const char *s, size_t n);

/* Looks at every link in s[0..n). d may be NULL (no lists). maybe_link is
 * spam_maybe_link(s, n), asked once by the caller, which needs the answer
 * for its own count of links too: when false, the report is empty and s is
 * not read. true is always safe (the same report, found the slow way);
 * false for a text with a link loses that link. */
void spam_links_check(const spam_domains *d, const char *s, size_t n, bool maybe_link,
                      spam_link_report *out);

/* The repeated-comment check (rule "spam"): whether one of the author's
 * recent bodies (bodies[i] posted at times[i]; times may be NULL: all
 * recent) within window_ms of now folds (normalize.h) to the same text as
 * the comment, whose folded text is folded[0..len) and the hash of that
 * text spam_fold_hash(folded, len) = *hash (NULL: hashed here when a
 * recent comment is in the window; moderation_fold computes it with the
 * comment's key). Exactly what folding
 * each of them and comparing would answer, without folding each on every
 * comment:
 *  - keys (may be NULL: none) are the recent comments' stored repeat keys
 *    (moderation.h, moderation_fold_key). Where keys[i].ver is
 *    SPAM_FOLD_VERSION, the key stands for bodies[i]'s folded text: one of
 *    another hash or length cannot fold the same, and bodies[i] may be NULL
 *    then (the store did not read it); where the key matches, bodies[i]
 *    must be given, and is folded and compared byte for byte. A key of
 *    another version (or none, ver 0) is ignored and the body folded.
 *  - for the bodies folded, each thread keeps the hash and length of their
 *    folded text, keyed on the body's bytes (a memo of a function of those
 *    bytes alone, so no two threads or nodes can answer differently); a
 *    body whose folded hash and length match is folded again and compared
 *    byte for byte.
 * Folds into a. */
bool spam_repeat_seen(arena *a, const char *folded, size_t len, const uint64_t *hash,
                      const char *const *bodies, const moderation_fold_key *keys,
                      const int64_t *times, size_t n, int64_t now, int64_t window_ms);

/* The version of the repeat key: SPAM_FOLD_VERSION names the pair (norm_fold,
 * spam_fold_hash) that made a key. Keys are stored with the comments
 * (docs/STORAGE.md), so raise it with any change to either that can change
 * a key (what a text folds to, or the hash of the folded bytes):
 * test_spam pins the keys of texts that exercise every folding step, and
 * fails until the pins and this number are changed together. Keys of
 * another version are never compared: their bodies are folded again. */
/* 2: "who're" folds to "who re"; 3: "he'll" to "he ll" (both 2026-12-07) */
#define SPAM_FOLD_VERSION 3

/* The repeat key's hash of a folded text: 64 bits, the same on every
 * machine and build (the bytes are read as little-endian words), part of
 * the stored format. */
uint64_t spam_fold_hash(const char *folded, size_t len);

/* True when host (lower case, no port) is domain or one of its subdomains. */
bool spam_host_in(const char *host, size_t host_len, const char *domain);

#endif
