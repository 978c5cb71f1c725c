/* moderation/topic.c: see topic.h.
 *
 * Hashing words into a set keeps the cost linear in the texts with no
 * allocation per word; a 32-bit FNV-1a collision between two content words
 * only makes a comment look slightly more on topic, the safe direction.
 */
#include "moderation/topic.h"

#include <stdbool.h>
#include <string.h>

/* Common English words that say nothing about a topic. Sorted for bsearch. */
static const char *const stop_words[] = {
    "about",   "above",   "after",    "again",   "against", "all",       "also",     "although",
    "always",  "among",   "and",      "another", "any",     "anyone",    "anything", "are",
    "around",  "because", "been",     "before",  "being",   "below",     "between",  "both",
    "but",     "can",     "cannot",   "could",   "did",     "does",      "doing",    "done",
    "dont",    "down",    "during",   "each",    "either",  "else",      "enough",   "even",
    "ever",    "every",   "for",      "from",    "further", "get",       "gets",     "getting",
    "going",   "gone",    "got",      "had",     "has",     "have",      "having",   "her",
    "here",    "hers",    "herself",  "him",     "himself", "his",       "how",      "however",
    "into",    "its",     "itself",   "just",    "know",    "least",     "less",     "let",
    "like",    "made",    "make",     "makes",   "many",    "may",       "maybe",    "might",
    "mine",    "more",    "most",     "much",    "must",    "myself",    "need",     "never",
    "nor",     "not",     "nothing",  "now",     "off",     "often",     "once",     "one",
    "only",    "other",   "others",   "our",     "ours",    "out",       "over",     "own",
    "people",  "really",  "said",     "same",    "say",     "says",      "see",      "seem",
    "she",     "should",  "since",    "some",    "someone", "something", "still",    "such",
    "take",    "than",    "that",     "thats",   "the",     "their",     "theirs",   "them",
    "then",    "there",   "these",    "they",    "thing",   "things",    "think",    "this",
    "those",   "though",  "through",  "too",     "under",   "until",     "upon",     "very",
    "want",    "was",     "way",      "well",    "were",    "what",      "when",     "where",
    "whether", "which",   "while",    "who",     "whom",    "whose",     "why",      "will",
    "with",    "within",  "without",  "would",   "yes",     "yet",       "you",      "your",
    "youre",   "yours",   "yourself",
};

static uint32_t
fnv(const char *w, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)w[i]) * 16777619u;
    return h ? h : 1;
}

static bool
stop_has(const topic_stops *st, uint32_t h)
{
    size_t i = h & (TOPIC_STOP_SLOTS - 1);
    while (st->slots[i] != 0) {
        if (st->slots[i] == h)
            return true;
        i = (i + 1) & (TOPIC_STOP_SLOTS - 1);
    }
    return false;
}

void
topic_stops_init(topic_stops *st)
{
    memset(st, 0, sizeof *st);
    for (size_t k = 0; k < sizeof stop_words / sizeof stop_words[0]; k++) {
        uint32_t h = fnv(stop_words[k], strlen(stop_words[k]));
        size_t i = h & (TOPIC_STOP_SLOTS - 1);
        while (st->slots[i] != 0 && st->slots[i] != h)
            i = (i + 1) & (TOPIC_STOP_SLOTS - 1);
        st->slots[i] = h;
    }
}

/* Stems the word in w (n letters) and returns its hash, or 0 when it is
 * not a content word. */
static uint32_t
word_hash(const topic_stops *st, const char *w, size_t n)
{
    if (n < 3 || n > 30)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return 0;
    if (n <= 9 && stop_has(st, fnv(w, n)))
        return 0;
    static const char *const sfx[] = {"ing", "ed", "ly", "es", "er", "s"};
    static const size_t sfx_len[] = {3, 2, 2, 2, 2, 1};
    for (size_t k = 0; k < sizeof sfx / sizeof sfx[0]; k++) {
        size_t l = sfx_len[k];
        if (n >= l + 4 && !memcmp(w + n - l, sfx[k], l)) {
            n -= l;
            break;
        }
    }
    return fnv(w, n > 6 ? 6 : n);
}

typedef void (*word_fn)(void *ctx, uint32_t h);

static void
each_word(const topic_stops *st, const norm_text *t, word_fn fn, void *ctx)
{
    size_t i = 0;
    char w[32];
    while (i < t->len) {
        size_t e = i;
        while (e < t->len && t->s[e] != ' ')
            e++;
        if (e - i < sizeof w - 1) {
            /* Expand collapsed doubles so "ball" and "bal" stay apart. */
            size_t n = 0;
            for (size_t k = i; k < e && n + 2 < sizeof w; k++) {
                w[n++] = t->s[k];
                if (t->run[k] == 2)
                    w[n++] = t->s[k];
            }
            uint32_t h = word_hash(st, w, n);
            if (h)
                fn(ctx, h);
        }
        i = e + 1;
    }
}

static bool
set_insert(topic_set *s, uint32_t h)
{
    size_t m = s->cap - 1, i = h & m;
    while (s->slots[i] != 0) {
        if (s->slots[i] == h)
            return false;
        i = (i + 1) & m;
    }
    s->slots[i] = h;
    s->n++;
    return true;
}

static bool
set_has(const topic_set *s, uint32_t h)
{
    if (s->cap == 0)
        return false;
    size_t m = s->cap - 1, i = h & m;
    while (s->slots[i] != 0) {
        if (s->slots[i] == h)
            return true;
        i = (i + 1) & m;
    }
    return false;
}

typedef struct add_ctx {
    arena *a;
    topic_set *set;
} add_ctx;

static void
grow(arena *a, topic_set *s, size_t want)
{
    size_t cap = 64;
    while (cap < want * 2)
        cap *= 2;
    if (cap <= s->cap)
        return;
    topic_set n = {arena_zalloc(a, cap * sizeof *n.slots), cap, 0};
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            set_insert(&n, s->slots[i]);
    *s = n;
}

static void
add_word(void *ctx, uint32_t h)
{
    add_ctx *c = ctx;
    if (c->set->n + 1 > c->set->cap / 2)
        grow(c->a, c->set, c->set->n + 1);
    set_insert(c->set, h);
}

void
topic_add(const topic_stops *st, arena *a, topic_set *set, const norm_text *t)
{
    grow(a, set, t->len / 4 + 16);
    add_ctx c = {a, set};
    each_word(st, t, add_word, &c);
}

void
topic_add_plain(const topic_stops *st, arena *a, topic_set *set, const char *text, size_t n)
{
    grow(a, set, n / 6 + 16);
    char w[32];
    size_t k = 0;
    bool ok = true;
    for (size_t i = 0; i <= n; i++) {
        char ch = i < n ? text[i] : ' ';
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch + 32);
        if (ch == '\'')
            continue; /* "don't" is "dont", as the normaliser spells it */
        if ((ch >= 'a' && ch <= 'z') || (unsigned char)ch >= 0x80) {
            if (k + 1 < sizeof w)
                w[k++] = ch;
            else
                ok = false;
            continue;
        }
        if (k > 0 && ok) {
            uint32_t h = word_hash(st, w, k);
            if (h) {
                if (set->n + 1 > set->cap / 2)
                    grow(a, set, set->n + 1);
                set_insert(set, h);
            }
        }
        k = 0;
        ok = true;
    }
}

double
topic_share(const topic_set *comment, const topic_set *article, const topic_set *also)
{
    if (comment->n == 0)
        return 1.0;
    size_t shared = 0;
    for (size_t i = 0; i < comment->cap; i++) {
        uint32_t h = comment->slots[i];
        if (h != 0 && (set_has(article, h) || (also != NULL && set_has(also, h))))
            shared++;
    }
    return (double)shared / (double)comment->n;
}
