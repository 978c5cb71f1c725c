/* moderation/spam.c: see spam.h. */
#include "moderation/spam.h"
#include "moderation/normalize.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct spam_domains {
    char **allow, **block;
    size_t n_allow, n_block;
};

static bool
domain_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
}

/* Splits a list into lower-case names; PL_EINVAL for anything that is not
 * a domain name. */
static int
parse_list(const char *name, const char *v, char ***out, size_t *n, pl_error *err)
{
    *out = NULL;
    *n = 0;
    if (v == NULL)
        return 0;
    const char *p = v;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        const char *st = p;
        while (*p && *p != ' ' && *p != ',' && *p != '\t')
            p++;
        size_t len = (size_t)(p - st);
        if (len == 0)
            continue;
        char *d = xstrndup(st, len);
        for (char *q = d; *q; q++)
            if (*q >= 'A' && *q <= 'Z')
                *q = (char)(*q - 'A' + 'a');
        bool ok = len <= 253 && d[0] != '.' && d[0] != '-' && d[len - 1] != '.' &&
                  strstr(d, "..") == NULL;
        for (size_t i = 0; ok && i < len; i++)
            ok = domain_char(d[i]);
        if (!ok) {
            int rc = pl_errorf(err, PL_EINVAL, "%s: \"%s\" is not a domain name", name, d);
            free(d);
            return rc;
        }
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = d;
    }
    return 0;
}

static void
free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int
spam_domains_new(const config *cfg, spam_domains **out, pl_error *err)
{
    spam_domains *d = xcalloc(1, sizeof *d);
    int rc =
        parse_list("moderation.link_allow", cfg ? config_extra(cfg, "moderation.link_allow") : NULL,
                   &d->allow, &d->n_allow, err);
    if (rc == 0)
        rc = parse_list("moderation.link_block",
                        cfg ? config_extra(cfg, "moderation.link_block") : NULL, &d->block,
                        &d->n_block, err);
    if (rc < 0) {
        spam_domains_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

void
spam_domains_free(spam_domains *d)
{
    if (d == NULL)
        return;
    free_list(d->allow, d->n_allow);
    free_list(d->block, d->n_block);
    free(d);
}

bool
spam_host_in(const char *host, size_t host_len, const char *domain)
{
    size_t dl = strlen(domain);
    if (host_len < dl || memcmp(host + host_len - dl, domain, dl) != 0)
        return false;
    return host_len == dl || host[host_len - dl - 1] == '.';
}

static bool
listed(char *const *v, size_t n, const char *host, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (spam_host_in(host, len, v[i]))
            return true;
    return false;
}

/* Where a link starts at s[i], the length of its scheme prefix ("http://",
 * "https://"; "www." keeps its "www." as part of the host), else 0. */
static size_t
link_prefix(const char *s, size_t n, size_t i, bool *www)
{
    *www = false;
    if (i > 0) {
        char b = (char)(s[i - 1] | 0x20);
        if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9'))
            return 0; /* inside a word: "xhttp://" is not a link */
    }
    if (n - i >= 8 && !strncasecmp(s + i, "https://", 8))
        return 8;
    if (n - i >= 7 && !strncasecmp(s + i, "http://", 7))
        return 7;
    if (n - i >= 4 && !strncasecmp(s + i, "www.", 4)) {
        *www = true;
        return 4;
    }
    return 0;
}

bool
spam_maybe_link(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (const char *d = s; (d = memchr(d, ':', n - (size_t)(d - s))) != NULL; d++)
        if ((size_t)(d - s) + 2 < n && d[1] == '/' && d[2] == '/')
            return true;
    for (const char *d = s; (d = memchr(d, '.', n - (size_t)(d - s))) != NULL; d++)
        if (d - s >= 3 && ((d[-1] | 0x20) == 'w') && ((d[-2] | 0x20) == 'w') &&
            ((d[-3] | 0x20) == 'w'))
            return true;
    return false;
}

void
spam_links_check(const spam_domains *d, const char *s, size_t n, bool maybe_link,
                 spam_link_report *out)
{
    memset(out, 0, sizeof *out);
    /* Every link begins "http://", "https://" or "www.": most comments
     * have none, and spam_maybe_link's two memchr passes rule that out
     * sooner than the walk below looking at every "h" and "w". */
    if (!maybe_link)
        return;
    for (size_t i = 0; i < n; i++) {
        char ch = (char)(s[i] | 0x20);
        if (ch != 'h' && ch != 'w')
            continue;
        bool www;
        size_t pre = link_prefix(s, n, i, &www);
        if (pre == 0)
            continue;
        size_t ls = i, hs = www ? i : i + pre, k = hs;
        /* The host runs to the first character no host has; userinfo
         * ("user:pw@") before it is skipped, a port after it dropped. */
        while (k < n) {
            char c = s[k];
            char lc = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
            if (c == '@')
                hs = k + 1;
            else if (!domain_char(lc) && c != ':')
                break;
            k++;
        }
        size_t he = k;
        size_t end = he;
        while (end < n && s[end] != ' ' && s[end] != '\n' && s[end] != '\t' && s[end] != '\r' &&
               s[end] != ')' && s[end] != ']' && s[end] != '>' && s[end] != '"')
            end++;
        /* Drop a port, then a trailing dot. */
        for (size_t j = hs; j < he; j++)
            if (s[j] == ':') {
                he = j;
                break;
            }
        while (he > hs && s[he - 1] == '.')
            he--;
        if (www && he <= ls + 4)
            he = hs; /* "www." alone names no host */
        char host[254];
        size_t hl = he - hs < sizeof host - 1 ? he - hs : sizeof host - 1;
        for (size_t j = 0; j < hl; j++) {
            char c = s[hs + j];
            host[j] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
        host[hl] = '\0';
        i = end > i ? end - 1 : i;
        if (hl == 0)
            continue;
        out->links++;
        if (d == NULL)
            continue;
        if (listed(d->block, d->n_block, host, hl)) {
            if (out->blocked_end == 0) {
                out->blocked_start = (uint32_t)ls;
                out->blocked_end = (uint32_t)end;
            }
        } else if (listed(d->allow, d->n_allow, host, hl)) {
            out->allowed++;
        }
    }
}

/* ---- the repeated-comment check ------------------------------------------ */

/* The memo: per thread, direct-mapped on the hash of a body's bytes, each
 * slot a copy of the body (to tell it from another with the same hash) and
 * the hash and length of its folded text. Bodies over MEMO_BODY_MAX bytes,
 * and bodies that would take the copies past MEMO_BYTES, are folded every
 * time: a thread holds at most MEMO_BYTES of copies beside its slots.
 * Since the stored repeat keys it serves only the bodies that come without
 * a key of this version. On a comment write those are few: comments
 * imported, or written before the keys or under an older fold (until they
 * leave the window). It stays for the desk's settings preview
 * (api/settings.c, preview_engine, on the slow threads), which hands the
 * engine its sample's recent bodies without keys: an author's comments of
 * the last minutes fall in the windows of each of their later ones, a
 * sample may be judged under two engines (the settings in force and the
 * change), and a moderator previews change after change on the same
 * sample, so the same bodies come back. It answers what folding answers
 * (test_spam), so it can only save work. */
#define MEMO_SLOTS 4096
#define MEMO_BODY_MAX 2048
#define MEMO_BYTES (1024 * 1024)

typedef struct memo_slot {
    char *body; /* NULL: empty */
    size_t body_len, body_cap;
    uint64_t body_hash;
    uint64_t fold_hash;
    size_t fold_len;
} memo_slot;

typedef struct memo {
    size_t bytes; /* the copies' capacity, summed */
    memo_slot slot[MEMO_SLOTS];
} memo;

static pthread_key_t memo_key;
static bool memo_ok; /* the key was made */
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;

static void
memo_free(void *p)
{
    memo *m = p;
    for (size_t i = 0; i < MEMO_SLOTS; i++)
        free(m->slot[i].body);
    free(m);
}

static void
memo_init(void)
{
    memo_ok = pthread_key_create(&memo_key, memo_free) == 0;
}

/* This thread's memo; NULL when none can be kept (the check folds then). */
static memo *
memo_get(void)
{
    pthread_once(&memo_once, memo_init);
    if (!memo_ok)
        return NULL;
    memo *m = pthread_getspecific(memo_key);
    if (m == NULL) {
        m = xcalloc(1, sizeof *m);
        if (pthread_setspecific(memo_key, m) != 0) {
            free(m);
            return NULL;
        }
    }
    return m;
}

/* n <= 8 bytes at p as a little-endian number (the missing high bytes 0),
 * so the hash is the same on every machine. */
static inline uint64_t
le_word(const char *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    uint64_t w = 0;
    for (size_t k = 0; k < n; k++)
        w |= (uint64_t)b[k] << (8 * k);
    return w;
}

/* A 64-bit hash of n bytes, eight at a time (a multiply and a shift per
 * word). The memo's slots and the stored repeat keys hang on it, so it is
 * part of the stored format (spam_fold_hash): never change it without
 * raising SPAM_FOLD_VERSION. Equal hashes are always confirmed byte for
 * byte. */
static uint64_t
hash64(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        h = (h ^ le_word(s + i, 8)) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    h = (h ^ le_word(s + i, n - i)) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

uint64_t
spam_fold_hash(const char *folded, size_t len)
{
    return hash64(folded, len);
}

/* The hash and length of body's folded text: from the memo when it holds
 * these bytes, else folded (and remembered when it fits). */
static void
folded_key(memo *m, arena *a, const char *body, size_t n, uint64_t *hash, size_t *len)
{
    uint64_t bh = hash64(body, n);
    memo_slot *s = m != NULL && n > 0 && n <= MEMO_BODY_MAX ? &m->slot[bh % MEMO_SLOTS] : NULL;
    if (s != NULL && s->body != NULL && s->body_hash == bh && s->body_len == n &&
        memcmp(s->body, body, n) == 0) {
        *hash = s->fold_hash;
        *len = s->fold_len;
        return;
    }
    norm_text t;
    norm_fold(a, body, n, &t);
    *hash = hash64(t.s, t.len);
    *len = t.len;
    if (s == NULL)
        return;
    if (s->body == NULL || s->body_cap < n) {
        if (m->bytes - s->body_cap + n > MEMO_BYTES)
            return; /* full: this one is folded every time */
        s->body = xrealloc(s->body, n);
        m->bytes += n - s->body_cap;
        s->body_cap = n;
    }
    memcpy(s->body, body, n);
    s->body_len = n;
    s->body_hash = bh;
    s->fold_hash = *hash;
    s->fold_len = *len;
}

bool
spam_repeat_seen(arena *a, const char *folded, size_t len, const uint64_t *hash,
                 const char *const *bodies, const moderation_fold_key *keys, const int64_t *times,
                 size_t n, int64_t now, int64_t window_ms)
{
    memo *m = NULL;
    bool asked = hash != NULL, memo_asked = false;
    uint64_t want = hash != NULL ? *hash : 0;
    for (size_t i = 0; i < n; i++) {
        if (times != NULL && now - times[i] > window_ms)
            continue;
        if (!asked) {
            want = hash64(folded, len);
            asked = true;
        }
        const char *b = bodies[i];
        uint64_t h;
        size_t hl, bn = 0;
        if (keys != NULL && keys[i].ver == SPAM_FOLD_VERSION) {
            h = keys[i].hash;
            hl = keys[i].len;
        } else {
            if (!memo_asked) {
                m = memo_get();
                memo_asked = true;
            }
            bn = b != NULL ? strlen(b) : 0;
            folded_key(m, a, b != NULL ? b : "", bn, &h, &hl);
        }
        if (hl != len || h != want || b == NULL)
            continue; /* folded texts of other lengths or hashes differ */
        if (bn == 0)
            bn = strlen(b);
        norm_text rt;
        norm_fold(a, b, bn, &rt);
        if (rt.len == len && memcmp(rt.s, folded, len) == 0)
            return true;
    }
    return false;
}
