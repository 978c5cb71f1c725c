/* moderation/classifier.c: featuriser, model file loader, scorer and
 * explainer of the moderation model (classifier.h).
 *
 * The model file (docs/MODERATION.md, "Classifier") is untrusted bytes until
 * classifier_load has checked its magic, version, every parameter, its exact
 * size and its CRC-32; after that the model is immutable, so scoring from
 * many threads needs no lock. Scoring streams the features of the text into
 * float sums without allocating: its cost is linear in the text length.
 */
#include "moderation/classifier.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <zlib.h>

#include "util/assets.h"
#include "util/le.h"
#include "util/xalloc.h"

/* Version 3 adds the pooled filters (word order); a model without them is
 * still written, and read, as version 2. */
#define MODEL_VERSION 3u
#define MODEL_VERSION_PLAIN 2u

/* The first eight bytes of a model file (not a C string: no NUL). */
static const unsigned char model_magic[8] = {'P', 'L', 'Y', 'M', 'O', 'D', 'E', 'L'};

/* Tokens longer than this are cut into pieces: it bounds the work per
 * token and the stack buffer, and no real word is that long. */
#define TOK_MAX 40

/* Code points beyond Unicode mark padding and placeholders, so they never
 * collide with anything a comment can contain. */
#define PAD_LEFT 0x110001u
#define PAD_RIGHT 0x110002u
#define PH_URL 0x110010u
#define PH_USER 0x110011u
#define PH_NUM 0x110012u

#define FNV_PRIME UINT64_C(0x100000001b3)
#define BASIS_WORD UINT64_C(0xcbf29ce484222325)
#define BASIS_BIGRAM UINT64_C(0x84222325cbf29ce4)
#define BASIS_CHAR UINT64_C(0x9e3779b97f4a7c15)

/* ---- hashing -------------------------------------------------------------- */

static inline uint64_t
mix(uint64_t h, uint32_t c)
{
    return (h ^ c) * FNV_PRIME;
}

/* FNV alone spreads the low bits poorly; the buckets are the low bits. */
static inline uint32_t
finish(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return (uint32_t)h;
}

/* ---- featuriser ----------------------------------------------------------- */

/* Features go out in batches: the scorer can then issue all the batch's
 * loads into the weight table before it needs the first one, which hides
 * most cache misses (the table is larger than the caches). A batch spans
 * words: where a word begins is marked in it (tok_mark), so a scorer that
 * reads words in order still loads 64 features' rows at once, not one
 * word's. */
#define BATCH 64

/* Word number i of a batch begins before feature at (at <= the batch's
 * length; words without features have equal at) and spans bytes [begin,
 * end) of the text. known is 0, or for a sink that sums common words from
 * the model's table (sink_spec.known) 1 + the word's index in it: its
 * character n-grams are then left out of the batch. */
typedef struct tok_mark {
    uint32_t at, begin, end, known;
} tok_mark;

/* n features, and (when words are asked for) n_mark words beginning among
 * them, in text order: the features before mark[0].at belong to the word
 * before the batch. */
typedef void (*batch_fn)(const uint32_t *hash, size_t n, const tok_mark *mark, size_t n_mark,
                         void *ctx);
/* Told each token's mark (its byte span, and the common word it is when
 * its character n-grams were left out) before its features: the explainer
 * needs to know which words a feature came from. */
typedef void (*token_fn)(const tok_mark *mark, void *ctx);
typedef void (*feat_fn)(const uint32_t *hash, size_t n, void *ctx);

/* One config's features of the text: its hashes, its batches and where it
 * sends them. The tokens are the same for every config (only the hashing
 * reads it), so one pass over the text can feed two (FZ_SINKS): the
 * model's and the spam score's. */
typedef struct fsink {
    const classifier_config *cfg;
    batch_fn emit;
    int marks; /* mark where words begin (scoring by words, explaining) */
    void *ctx;
    uint32_t batch[BATCH];
    size_t n_batch;
    tok_mark mark[BATCH];
    size_t n_mark;
    uint64_t prev_word; /* hash of the previous token, for bigrams */
    int have_prev;
    const classifier_grams *grams; /* cfg's common words, or NULL */
    int known;                     /* a common word is marked, without its character n-grams */
    /* or, with grams, told a common word's index instead of its n-grams */
    void (*known_word)(uint32_t word, void *ctx);
    void *known_ctx;
} fsink;

#define FZ_SINKS 2

typedef struct fz {
    fsink sink[FZ_SINKS];
    int n_sink;
    size_t pos, next; /* byte span of the code point being read */
    size_t tok_begin; /* byte offset where the current token began */
    uint32_t tok[TOK_MAX];
    size_t len;
    /* The first sink's common words, or NULL when no sink has any: every
     * table is built from common_words in the same order and keeps a word
     * once (classifier_grams_new), so a word has the same index in all of
     * them, and one look-up serves every sink. */
    const classifier_grams *grams;
} fz;

static void
emit_batch(fsink *z)
{
    z->emit(z->batch, z->n_batch, z->mark, z->n_mark, z->ctx);
    z->n_batch = 0;
    z->n_mark = 0;
}

static void
push(fsink *z, uint32_t hash)
{
    z->batch[z->n_batch++] = hash;
    if (z->n_batch == BATCH)
        emit_batch(z);
}

/* Feeds a batch to feat and tok in text order: tok(begin, end) before the
 * features of each word, as if the featuriser had called them one by one. */
static void
batch_walk(const uint32_t *hash, size_t n, const tok_mark *mark, size_t n_mark, feat_fn feat,
           token_fn tok, void *ctx)
{
    size_t i = 0;
    for (size_t m = 0; m <= n_mark; m++) {
        size_t end = m < n_mark ? mark[m].at : n;
        if (end > i)
            feat(hash + i, end - i, ctx);
        i = end;
        if (m < n_mark)
            tok(&mark[m], ctx);
    }
}

static int
is_letter_cp(uint32_t c)
{
    if (c < 128)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    switch (utf8proc_category((utf8proc_int32_t)c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return 1;
    default:
        return 0;
    }
}

static int
is_digit_cp(uint32_t c)
{
    return c >= '0' && c <= '9';
}

/* Symbols that belong to a word when they sit inside one: apostrophes
 * ("don't") and the usual leetspeak and masking characters ("sh!t", "a$$",
 * "f*ck", "@ss"). */
static int
is_inner_symbol(uint32_t c)
{
    return c == '\'' || c == '@' || c == '$' || c == '*' || c == '!';
}

static uint32_t
leet(uint32_t c)
{
    switch (c) {
    case '0':
        return 'o';
    case '1':
    case '!':
        return 'i';
    case '3':
        return 'e';
    case '4':
    case '@':
        return 'a';
    case '5':
    case '$':
        return 's';
    case '7':
        return 't';
    case '8':
        return 'b';
    case '9':
        return 'g';
    default:
        return c;
    }
}

/* Starts a token spanning bytes [begin, end): the features pushed until the
 * next call belong to it. Marked in the batch, which goes out first only
 * when its marks are full. */
static void
token_start(fsink *z, size_t begin, size_t end)
{
    if (!z->marks)
        return;
    if (z->n_mark == BATCH)
        emit_batch(z);
    z->mark[z->n_mark++] = (tok_mark){(uint32_t)z->n_batch, (uint32_t)begin, (uint32_t)end, 0};
}

/* A word's unigram and the bigram it ends, from its hash h (unigram:
 * finish(h) with CLASSIFIER_WORD_BIT). */
static inline __attribute__((always_inline)) void
emit_word_hashed(fsink *z, uint64_t h, uint32_t unigram)
{
    if (z->cfg->flags & CLASSIFIER_F_WORDS)
        push(z, unigram);
    if ((z->cfg->flags & CLASSIFIER_F_BIGRAMS) && z->have_prev)
        push(z, finish(mix(mix(BASIS_BIGRAM ^ z->cfg->seed, (uint32_t)z->prev_word), (uint32_t)h)) |
                    CLASSIFIER_WORD_BIT);
    z->prev_word = h;
    z->have_prev = 1;
}

static uint64_t
word_hash(const classifier_config *cfg, const uint32_t *cp, size_t len)
{
    uint64_t h = BASIS_WORD ^ cfg->seed;
    for (size_t i = 0; i < len; i++)
        h = mix(h, cp[i]);
    return h;
}

static void
emit_word(fsink *z, const uint32_t *cp, size_t len)
{
    uint64_t h = word_hash(z->cfg, cp, len);
    emit_word_hashed(z, h, finish(h) | CLASSIFIER_WORD_BIT);
}

/* The n-grams of the starts from s on, one start at a time. */
static void
emit_chars_from(fsink *z, const uint32_t *pad, size_t plen, uint64_t basis, uint32_t lo,
                uint32_t hi, size_t s)
{
    for (; s < plen; s++) {
        size_t top = plen - s < hi ? plen - s : hi;
        uint64_t h = basis;
        size_t k = 1;
        for (; k < lo && k <= top; k++)
            h = mix(h, pad[s + k - 1]);
        /* The n-grams from here on go out as push would send them: a batch
         * that would fill up on the way is left to push. */
        if (k <= top && z->n_batch + (top - k + 1) < BATCH) {
            uint32_t *out = z->batch + z->n_batch;
            for (; k <= top; k++) {
                h = mix(h, pad[s + k - 1]);
                *out++ = finish(h) & ~CLASSIFIER_WORD_BIT;
            }
            z->n_batch = (size_t)(out - z->batch);
            continue;
        }
        for (; k <= top; k++) {
            h = mix(h, pad[s + k - 1]);
            push(z, finish(h) & ~CLASSIFIER_WORD_BIT);
        }
    }
}

/* The starts with hi code points ahead of them, each giving its n-grams of
 * lo to hi code points, as emit_chars_from would: with lo and hi known
 * when this is compiled (the shipped models' ranges), the loops unroll.
 * The starts nearer the end go to emit_chars_from. */
static inline __attribute__((always_inline)) void
emit_chars_full(fsink *z, const uint32_t *pad, size_t plen, uint64_t basis, uint32_t lo,
                uint32_t hi)
{
    size_t s = 0, per = hi - lo + 1;
    for (; s + hi <= plen; s++) {
        uint64_t h = basis;
        for (uint32_t k = 1; k < lo; k++)
            h = mix(h, pad[s + k - 1]);
        if (z->n_batch + per < BATCH) {
            uint32_t *out = z->batch + z->n_batch;
            for (uint32_t k = lo; k <= hi; k++) {
                h = mix(h, pad[s + k - 1]);
                *out++ = finish(h) & ~CLASSIFIER_WORD_BIT;
            }
            z->n_batch += per;
        } else {
            for (uint32_t k = lo; k <= hi; k++) {
                h = mix(h, pad[s + k - 1]);
                push(z, finish(h) & ~CLASSIFIER_WORD_BIT);
            }
        }
    }
    emit_chars_from(z, pad, plen, basis, lo, hi, s);
}

/* The character n-grams of a token, given padded: PAD_LEFT, its plen - 2
 * code points, PAD_RIGHT (flush pads it once for every sink). */
static void
emit_chars(fsink *z, const uint32_t *pad, size_t plen)
{
    uint32_t lo = z->cfg->char_min, hi = z->cfg->char_max;

    if (hi == 0)
        return;
    uint64_t basis = BASIS_CHAR ^ z->cfg->seed;
    if (lo == 2 && hi == 5) /* the shipped model */
        emit_chars_full(z, pad, plen, basis, 2, 5);
    else if (lo == 3 && hi == 5) /* the shipped spam score */
        emit_chars_full(z, pad, plen, basis, 3, 5);
    else
        emit_chars_from(z, pad, plen, basis, lo, hi, 0);
}

/* n features worked out before, sent as push would send them one by one:
 * the batch goes out whenever it fills up. */
static void
emit_known(fsink *z, const uint32_t *hash, size_t n)
{
    while (n > 0) {
        size_t m = BATCH - z->n_batch < n ? BATCH - z->n_batch : n;
        memcpy(z->batch + z->n_batch, hash, m * sizeof *hash);
        z->n_batch += m;
        hash += m;
        n -= m;
        if (z->n_batch == BATCH)
            emit_batch(z);
    }
}

/* Room for need items of size bytes, first of them at the first call: the
 * kept arrays start large enough for a short comment's features (a tweet
 * has a few hundred), so most comments allocate each array once instead of
 * doubling it four or five times. */
static void *
grow(void *p, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : first;
    while (c < need)
        c *= 2;
    *cap = c;
    return xrealloc(p, c * size);
}

/* ---- common words ----------------------------------------------------------- */

/* About half the character n-grams of English comments are those of a few
 * hundred words (the function words above all), which every comment hashes
 * again and again. A table per config holds their n-grams and word hash,
 * found by the word's letters packed into two 64-bit keys. */
#define GRAMS_WORD_MAX 16

/* Commonest words of English and of news comments, in no particular order:
 * lower-case letters only, as the featuriser folds them (apostrophes
 * dropped: "dont"). A word listed twice is kept once. */
static const char common_words[] =
    "the be to of and a in that have i it for not on with he as you do at this but his by "
    "from they we say her she or an will my one all would there their what so up out if "
    "about who get which go me when make can like time no just him know take people into "
    "year your good some could them see other than then now look only come its over think "
    "also back after use two how our work first well way even new want because any these "
    "give day most us is are was were been being has had did does doing said says going got "
    "made thought knew told tell dont cant wont im ive youre thats isnt doesnt didnt hes "
    "shes theyre whats lets theres wasnt arent wouldnt couldnt shouldnt ill youll theyll "
    "weve youve id very really much many more less still never always ever again here where "
    "why too yes yeah ok okay oh lol man men woman women child children kids life world "
    "country state states city home house school family friend friends money business "
    "government law right rights left part place case point group number problem fact hand "
    "eye eyes head face week month years days thing things ways side should must may might "
    "need needs let put keep keeps kept try tried start started stop stopped help show shows "
    "shown hear heard play run move live lives believe hold bring happen happens happened "
    "write sit stand lose lost pay paid meet include continue set learn change lead "
    "understand watch follow create speak read spend grow open walk win offer remember love "
    "loved consider appear buy wait serve die died send expect build stay fall cut reach "
    "kill killed remain suggest raise pass sell require report decide pull whom whose "
    "someone something anything nothing everything everyone anyone nobody somebody everybody "
    "before while during since until through between against among without within along "
    "across behind around above below under off down near big small old young long short "
    "high low great little own same different last next few early late important public bad "
    "best better worse worst sure real true false free full whole hard easy clear able wrong "
    "possible likely black white red blue american americans america president trump obama "
    "biden clinton hillary democrats democrat republicans republican liberals liberal "
    "conservatives conservative party vote voted voting voters election police gun guns "
    "control news media fake truth lie lies lying war military border illegal immigration "
    "immigrants tax taxes health care court judge justice congress senate god church "
    "christian muslim muslims jesus stupid idiot idiots dumb crazy hate hates shit fuck "
    "fucking damn hell ass please thank thanks sorry welcome hello hi person game games team "
    "player players support supporters issue issues question questions story article comment "
    "comments words word name mr mrs ms st three four five six seven eight nine ten hundred "
    "thousand million billion every each both either neither such another yet though "
    "although however whether unless already soon later today tomorrow yesterday tonight "
    "maybe perhaps probably actually exactly gets getting gotten goes went gone comes came "
    "coming sees saw seen seeing makes making takes took taken taking gives gave given "
    "giving find finds found tells telling ask asks asked feel feels felt become became "
    "leave leaves call calls called seem seems seemed turn turns turned mean means meant "
    "hers ours yours theirs myself yourself himself herself itself ourselves themselves don "
    "doesn didn isn wasn aren weren haven hasn hadn won wouldn couldn shouldn";

typedef struct gram_key {
    uint64_t k[2];
    uint32_t len, hash;
} gram_key;

typedef struct gram_word {
    uint64_t k[2];
    uint32_t len;
    uint32_t unigram; /* finish(word) with CLASSIFIER_WORD_BIT */
    uint64_t word;    /* the word's hash, for the bigrams */
    uint32_t at, n;   /* its character n-grams: hash[at .. at + n) */
    char text[GRAMS_WORD_MAX + 1];
} gram_word;

struct classifier_grams {
    classifier_config cfg;
    uint32_t mask;   /* slots - 1 */
    uint32_t *slot;  /* [mask + 1]: word index + 1, or 0 */
    gram_word *word; /* [n_word] */
    size_t n_word;
    uint32_t *hash; /* [n_hash] */
    size_t n_hash, cap_hash;
};

/* The key of a token of n code points, false when it cannot be in a table
 * (too long, or not ASCII). */
static inline bool
gram_key_of(const uint32_t *w, size_t n, gram_key *key)
{
    if (n > GRAMS_WORD_MAX)
        return false;
    uint64_t k[2] = {0, 0}, any = 0;
    for (size_t i = 0; i < n; i++) {
        any |= w[i];
        k[i >> 3] |= (uint64_t)w[i] << (8 * (i & 7));
    }
    if (any >= 128)
        return false;
    key->k[0] = k[0];
    key->k[1] = k[1];
    key->len = (uint32_t)n;
    key->hash = (uint32_t)(((k[0] ^ (k[1] * UINT64_C(0xc2b2ae3d27d4eb4f)) ^ n) *
                            UINT64_C(0x9e3779b97f4a7c15)) >>
                           32);
    return true;
}

static const gram_word *
grams_lookup(const classifier_grams *g, const gram_key *key)
{
    for (uint32_t i = key->hash & g->mask;; i = (i + 1) & g->mask) {
        uint32_t e = g->slot[i];
        if (e == 0)
            return NULL;
        const gram_word *w = &g->word[e - 1];
        if (w->k[0] == key->k[0] && w->k[1] == key->k[1] && w->len == key->len)
            return w;
    }
}

static void
grams_collect(const uint32_t *hash, size_t n, const tok_mark *mark, size_t n_mark, void *ctx)
{
    classifier_grams *g = ctx;
    (void)mark;
    (void)n_mark;
    g->hash = grow(g->hash, &g->cap_hash, g->n_hash + n, sizeof *g->hash, 4096);
    if (n > 0)
        memcpy(g->hash + g->n_hash, hash, n * sizeof *hash);
    g->n_hash += n;
}

classifier_grams *
classifier_grams_new(const classifier_config *cfg)
{
    classifier_grams *g = xcalloc(1, sizeof *g);
    size_t words = 0;
    for (const char *p = common_words; *p != '\0'; p++)
        words += *p != ' ' && (p[1] == ' ' || p[1] == '\0');
    uint32_t slots = 16;
    while (slots < 2 * words)
        slots *= 2;
    g->cfg = *cfg;
    g->mask = slots - 1;
    g->slot = xcalloc(slots, sizeof *g->slot);
    g->word = xcalloc(words + 1, sizeof *g->word);
    for (const char *p = common_words; *p != '\0';) {
        size_t n = strcspn(p, " ");
        const char *text = p;
        p += n;
        p += *p == ' ';
        uint32_t w[GRAMS_WORD_MAX + 2], *cp = w + 1;
        gram_key key;
        bool ok = n > 0 && n <= GRAMS_WORD_MAX;
        for (size_t i = 0; ok && i < n; i++) {
            ok = text[i] >= 'a' && text[i] <= 'z' &&
                 !(i >= 2 && text[i] == text[i - 1] && text[i] == text[i - 2]);
            cp[i] = (unsigned char)text[i];
        }
        if (!ok || !gram_key_of(cp, n, &key) || grams_lookup(g, &key) != NULL)
            continue;
        /* The n-grams as emit_chars would send them for this token. */
        fsink z = {.cfg = &g->cfg, .emit = grams_collect, .ctx = g};
        size_t at = g->n_hash;
        w[0] = PAD_LEFT;
        w[n + 1] = PAD_RIGHT;
        emit_chars(&z, w, n + 2);
        if (z.n_batch > 0)
            emit_batch(&z);
        uint64_t h = word_hash(&g->cfg, cp, n);
        gram_word *e = &g->word[g->n_word];
        e->k[0] = key.k[0];
        e->k[1] = key.k[1];
        e->len = key.len;
        e->unigram = finish(h) | CLASSIFIER_WORD_BIT;
        e->word = h;
        e->at = (uint32_t)at;
        e->n = (uint32_t)(g->n_hash - at);
        memcpy(e->text, text, n);
        uint32_t i = key.hash & g->mask;
        while (g->slot[i] != 0)
            i = (i + 1) & g->mask;
        g->slot[i] = (uint32_t)++g->n_word;
    }
    return g;
}

void
classifier_grams_free(classifier_grams *g)
{
    if (g == NULL)
        return;
    free(g->slot);
    free(g->word);
    free(g->hash);
    free(g);
}

size_t
classifier_grams_memory(const classifier_grams *g)
{
    if (g == NULL)
        return 0;
    return sizeof *g + (g->mask + 1) * sizeof *g->slot + g->n_word * sizeof *g->word +
           g->cap_hash * sizeof *g->hash;
}

size_t
classifier_grams_count(const classifier_grams *g)
{
    return g->n_word;
}

const char *
classifier_grams_word(const classifier_grams *g, size_t i)
{
    return i < g->n_word ? g->word[i].text : NULL;
}

long
classifier_grams_find(const classifier_grams *g, const char *word, size_t n, const uint32_t **hash)
{
    uint32_t w[GRAMS_WORD_MAX];
    gram_key key;
    if (n > GRAMS_WORD_MAX)
        return -1;
    for (size_t i = 0; i < n; i++)
        w[i] = (unsigned char)word[i];
    const gram_word *e = gram_key_of(w, n, &key) ? grams_lookup(g, &key) : NULL;
    if (e == NULL)
        return -1;
    *hash = g->hash + e->at;
    return (long)e->n;
}

/* A token of one code point (a placeholder, an emoji) in every sink. */
static void
emit_placeholder(fz *z, uint32_t ph, size_t begin, size_t end)
{
    for (int i = 0; i < z->n_sink; i++) {
        token_start(&z->sink[i], begin, end);
        emit_word(&z->sink[i], &ph, 1);
    }
}

/* Ends the current token: trims symbols at its edges, maps leetspeak when it
 * holds a letter, and emits its features. */
static void
flush(fz *z)
{
    uint32_t *t = z->tok;
    size_t a = 0, b = z->len, n = 0;
    int letters = 0, digits = 0;

    z->len = 0;
    while (a < b && t[a] != '$' && t[a] != '@' && is_inner_symbol(t[a]))
        a++;
    while (b > a && is_inner_symbol(t[b - 1]) && t[b - 1] != '$')
        b--;
    if (a == b)
        return;
    /* The word goes straight between its pads for the n-grams; it is
     * written in the same walk that counts letters and digits, and used
     * only when there is a letter. */
    uint32_t pad[TOK_MAX + 2], *w = pad + 1;
    for (size_t i = a; i < b; i++) {
        uint32_t c = t[i];
        /* a letter a-z, most of a token, is no digit, no symbol, and
         * leetspeak leaves it as it is */
        if (c - 'a' < 26u) {
            letters++;
        } else {
            if (is_digit_cp(c))
                digits++;
            else if (!is_inner_symbol(c))
                letters++;
            c = leet(c);
            if (c == '\'')
                continue;
        }
        /* Leet mapping can create new runs ("bo0o"): collapse again. */
        if (n >= 2 && w[n - 1] == c && w[n - 2] == c)
            continue;
        w[n++] = c;
    }
    if (letters == 0) {
        if (digits > 0)
            emit_placeholder(z, PH_NUM, z->tok_begin, z->pos);
        return;
    }
    if (n == 0)
        return;
    pad[0] = PAD_LEFT;
    pad[n + 1] = PAD_RIGHT;
    gram_key key;
    const gram_word *found =
        z->grams != NULL && gram_key_of(w, n, &key) ? grams_lookup(z->grams, &key) : NULL;
    for (int i = 0; i < z->n_sink; i++) {
        fsink *f = &z->sink[i];
        const gram_word *g =
            found != NULL && f->grams != NULL ? &f->grams->word[found - z->grams->word] : NULL;
        token_start(f, z->tok_begin, z->pos);
        if (g != NULL && f->known) {
            /* marked before the word's features, which may send the batch */
            f->mark[f->n_mark - 1].known = (uint32_t)(g - f->grams->word) + 1;
            emit_word_hashed(f, g->word, g->unigram);
        } else if (g != NULL && f->known_word != NULL) {
            emit_word_hashed(f, g->word, g->unigram);
            f->known_word((uint32_t)(g - f->grams->word), f->known_ctx);
        } else if (g != NULL) {
            emit_word_hashed(f, g->word, g->unigram);
            emit_known(f, f->grams->hash + g->at, g->n);
        } else {
            emit_word(f, w, n);
            emit_chars(f, pad, n + 2);
        }
    }
}

static void
add_cp(fz *z, uint32_t c)
{
    if (is_letter_cp(c) || is_digit_cp(c) || (is_inner_symbol(c) && (z->len > 0 || c == '$'))) {
        /* Stretched letters: keep at most two in a row. */
        if (z->len >= 2 && z->tok[z->len - 1] == c && z->tok[z->len - 2] == c)
            return;
        if (z->len == TOK_MAX)
            flush(z);
        if (z->len == 0)
            z->tok_begin = z->pos;
        z->tok[z->len++] = c;
        return;
    }
    flush(z);
    if (c >= 128) {
        utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
        /* Emoji and other symbols carry tone ("🖕", "😂"): one word each. */
        if (cat == UTF8PROC_CATEGORY_SO)
            emit_placeholder(z, c, z->pos, z->next);
    }
}

static int
ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
prefix_ci(const char *s, size_t n, const char *p)
{
    size_t i = 0;
    for (; p[i] != '\0'; i++)
        if (i >= n || ascii_lower((unsigned char)s[i]) != p[i])
            return 0;
    return 1;
}

static int
is_space_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int
is_name_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Where a sink's features go: its config, its batch function and whether
 * it wants words marked. */
typedef struct sink_spec {
    const classifier_config *cfg;
    batch_fn emit;
    int marks;
    void *ctx;
    const classifier_grams *grams; /* cfg's common words, or NULL */
    /* With marks and grams: a common word's character n-grams are not
     * sent, its mark names it instead (the scorer by words takes their
     * sum from the model's table, classifier.gram_sums). */
    int known;
    /* With grams: a common word's index goes to known_word, its character
     * n-grams nowhere (classifier_rider.known). */
    void (*known_word)(uint32_t word, void *ctx);
    void *known_ctx;
} sink_spec;

/* Tokenises text once and sends each token's features of every spec (1 to
 * FZ_SINKS) to it: each sink gets exactly the batches a pass of its own
 * would have sent. */
static void
featurize_sinks(const sink_spec *spec, int n_spec, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    fz z;
    size_t i = 0;
    int boundary = 1; /* at the start of the text or after a space */

    z.n_sink = n_spec;
    z.grams = NULL;
    for (int k = 0; k < n_spec; k++) {
        fsink *f = &z.sink[k];
        f->cfg = spec[k].cfg;
        f->emit = spec[k].emit;
        f->marks = spec[k].marks;
        f->ctx = spec[k].ctx;
        f->n_batch = 0;
        f->n_mark = 0;
        f->prev_word = 0;
        f->have_prev = 0;
        /* A table is used only with the config it was made for. */
        const classifier_grams *g = spec[k].grams;
        f->grams = g != NULL && memcmp(&g->cfg, f->cfg, sizeof g->cfg) == 0 ? g : NULL;
        f->known = spec[k].known && f->marks && f->grams != NULL;
        f->known_word = f->grams != NULL ? spec[k].known_word : NULL;
        f->known_ctx = spec[k].known_ctx;
        if (z.grams == NULL)
            z.grams = f->grams;
    }
    z.pos = z.next = z.tok_begin = 0;
    z.len = 0;
    while (i < n) {
        unsigned char b = s[i];
        if (boundary && z.len == 0) {
            size_t j = i;
            if (prefix_ci(text + i, n - i, "http://") || prefix_ci(text + i, n - i, "https://") ||
                prefix_ci(text + i, n - i, "www.")) {
                while (j < n && !is_space_byte(s[j]))
                    j++;
                emit_placeholder(&z, PH_URL, i, j);
            } else if (b == '@' && i + 1 < n && is_name_byte(s[i + 1]) &&
                       !(i + 2 < n && s[i + 1] == 's' && s[i + 2] == 's')) {
                for (j = i + 1; j < n && is_name_byte(s[j]);)
                    j++;
                emit_placeholder(&z, PH_USER, i, j);
            } else if (n - i >= 3 && memcmp(text + i, "URL", 3) == 0 &&
                       (n - i == 3 || !is_name_byte(s[i + 3]))) {
                /* The public tweet corpora wrote links as the word URL. */
                j = i + 3;
                emit_placeholder(&z, PH_URL, i, j);
            }
            if (j != i) {
                i = j;
                boundary = 0;
                continue;
            }
        }
        z.pos = i;
        if (b < 128) {
            z.next = i + 1;
            uint32_t c = (uint32_t)ascii_lower(b);
            if (c >= 'a' && c <= 'z' && z.len > 0 && z.len < TOK_MAX) {
                /* A letter inside a token, most of a text: what add_cp
                 * does with it (a letter is no blank: boundary is 0). */
                if (!(z.len >= 2 && z.tok[z.len - 1] == c && z.tok[z.len - 2] == c))
                    z.tok[z.len++] = c;
                boundary = 0;
                i++;
                continue;
            }
            add_cp(&z, c);
            boundary = is_space_byte(b);
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (len <= 0) {
            flush(&z);
            boundary = 1;
            i++;
            continue;
        }
        i += (size_t)len;
        z.next = i;
        utf8proc_int32_t out[8];
        int last = 0;
        utf8proc_ssize_t m =
            utf8proc_decompose_char(cp, out, 8,
                                    UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                        UTF8PROC_STRIPMARK | UTF8PROC_IGNORE | UTF8PROC_LUMP,
                                    &last);
        if (m < 0 || m > 8) {
            flush(&z);
            continue;
        }
        for (utf8proc_ssize_t k = 0; k < m; k++)
            add_cp(&z, (uint32_t)(out[k] < 128 ? ascii_lower(out[k]) : out[k]));
        /* Unicode spaces (NBSP and kin) separate words like ASCII ones. */
        boundary = utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
    }
    z.pos = z.next = n;
    flush(&z);
    for (int k = 0; k < n_spec; k++)
        if (z.sink[k].n_batch > 0 || z.sink[k].n_mark > 0)
            emit_batch(&z.sink[k]);
}

static void
featurize(const classifier_config *cfg, const char *text, size_t n, batch_fn emit, int marks,
          void *ctx)
{
    sink_spec spec = {cfg, emit, marks, ctx, NULL, 0, NULL, NULL};
    featurize_sinks(&spec, 1, text, n);
}

typedef struct one_by_one {
    void (*emit)(uint32_t hash, void *ctx);
    void *ctx;
} one_by_one;

static void
emit_each(const uint32_t *hash, size_t n, void *ctx)
{
    one_by_one *o = ctx;
    for (size_t i = 0; i < n; i++)
        o->emit(hash[i], o->ctx);
}

static void
emit_batch_each(const uint32_t *hash, size_t n, const tok_mark *mark, size_t n_mark, void *ctx)
{
    (void)mark;
    (void)n_mark;
    emit_each(hash, n, ctx);
}

void
classifier_featurize(const classifier_config *cfg, const char *text, size_t n,
                     void (*emit)(uint32_t hash, void *ctx), void *ctx)
{
    one_by_one o = {emit, ctx};
    featurize(cfg, text, n, emit_batch_each, 0, &o);
}

typedef struct words_ctx {
    one_by_one o;
    void (*word)(uint32_t begin, uint32_t end, void *ctx);
} words_ctx;

static void
word_each(const tok_mark *mark, void *ctx)
{
    words_ctx *w = ctx;
    w->word(mark->begin, mark->end, w->o.ctx);
}

static void
emit_each_word(const uint32_t *hash, size_t n, void *ctx)
{
    words_ctx *w = ctx;
    emit_each(hash, n, &w->o);
}

static void
emit_batch_words(const uint32_t *hash, size_t n, const tok_mark *mark, size_t n_mark, void *ctx)
{
    batch_walk(hash, n, mark, n_mark, emit_each_word, word_each, ctx);
}

void
classifier_featurize_words(const classifier_config *cfg, const char *text, size_t n,
                           void (*emit)(uint32_t hash, void *ctx),
                           void (*word)(uint32_t begin, uint32_t end, void *ctx), void *ctx)
{
    words_ctx w = {{emit, ctx}, word};
    featurize(cfg, text, n, emit_batch_words, 1, &w);
}

/* ---- the network ---------------------------------------------------------- */

/* A model (docs/MODERATION.md, "Classifier"): every hashed feature has a
 * row of dim embedding values followed by CLF_ATTRS linear weights, stored
 * as int8 with one float scale per row. A text's features are summed in two
 * groups (words and bigrams; character n-grams), each divided by the square
 * root of its count. The embedding sum x goes through one hidden layer,
 * h = relu(W1 x + b1), and the logit of attribute a is
 * W2[a] . h + b2[a] + (the linear sum for a). Platt scaling turns logits
 * into calibrated probabilities: p = sigmoid(cal_a * logit + cal_b).
 *
 * With pooled filters (version 3), the words are also read in order: each
 * word's vector (its features' first dim values, summed, divided by the
 * square root of their count) feeds filters over width consecutive words,
 * max-pooled over the text and clipped at 0 (the max starts at 0), and the
 * pooled values enter the hidden layer too: h = relu(W1 x + Wp m + b1). */
struct classifier {
    classifier_config cfg;
    uint32_t log2_buckets, dim, hidden, row; /* row = dim + CLF_ATTRS */
    uint32_t width, filters;                 /* 0, 0: no pooled filters */
    const int8_t *rows;                      /* [buckets][row] */
    int8_t *rows_owned;                      /* rows when copied, else NULL */
    float *scale;                            /* [buckets] */
    float *w1t, *b1, *w2;                    /* [dim][hidden], [hidden], [CLF_ATTRS][hidden] */
    float *convt, *conv_b, *wpt; /* [width][dim][filters], [filters], [filters][hidden] */
    float b2[CLF_ATTRS], cal_a[CLF_ATTRS], cal_b[CLF_ATTRS], threshold[CLF_ATTRS];
    classifier_grams *grams; /* cfg's common words */
    /* [words in grams][row]: each common word's character n-gram rows
     * summed from zero in their order, as the scorer by words sums them
     * into the word's own sums (pool_word_known) */
    float *gram_sums;
};

#define ROW_MAX (CLASSIFIER_MAX_DIM + CLF_ATTRS)

typedef struct score_acc {
    const classifier *c;
    uint32_t mask;
    float sum[2][ROW_MAX]; /* [0] character n-grams, [1] words and bigrams */
    uint32_t count[2];
} score_acc;

/* Asks for the rows and scales of a batch of features before the first is
 * read: the table is larger than the caches, and a feature costs two or
 * three misses (its scale, its row, and the row's second cache line when it
 * straddles two: rows are dim + 6 bytes, unaligned) that would otherwise
 * come one after another. */
static void
prefetch_rows(const classifier *c, uint32_t mask, const uint32_t *hash, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t b = hash[i] & mask;
        const int8_t *r = c->rows + b * c->row;
        __builtin_prefetch(r);
        __builtin_prefetch(r + c->row - 1);
        __builtin_prefetch(c->scale + b);
    }
}

/* ---- kernels ------------------------------------------------------------- */

/* The loops below run on every comment. The build targets baseline x86-64
 * (SSE2); on x86-64 GCC also compiles them for AVX2 and picks the variant
 * when the program starts (function multiversioning), since eight floats a
 * step halve their cost. Never for FMA: a fused multiply-add rounds once
 * where a multiply and an add round twice, and the scores must stay the
 * same bit for bit on every machine. Vector width changes only how many
 * independent sums advance together, never the order of any one sum.
 * Not in sanitizer builds: under ThreadSanitizer the variant picker runs
 * before the sanitizer's runtime and the program crashes at start (a
 * two-line program with one clone does); the ASan unit tests run the
 * default variant. The picker is a glibc ifunc: other C libraries (musl)
 * get the baseline loops. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__) &&       \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define HOT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define HOT_CLONES
#endif

/* acc[i] += w[k * stride + i] * x[k] for i < n (n sums, stride apart in w
 * by k), adding the terms of each acc[i] in the order of k. Blocks of 32
 * sums stay in vector registers while x streams by: 32 independent chains
 * of additions instead of one per block of 8, which kept the adder waiting
 * on the previous sum. */
#define SUM_BLOCK 32

HOT_CLONES static void
mat_acc(float *acc, const float *w, size_t stride, const float *x, size_t nk, size_t n)
{
    size_t i = 0;
    for (; i + SUM_BLOCK <= n; i += SUM_BLOCK) {
        float a[SUM_BLOCK];
        memcpy(a, acc + i, sizeof a);
        for (size_t k = 0; k < nk; k++) {
            const float *wk = w + k * stride + i;
            float xk = x[k];
            for (int j = 0; j < SUM_BLOCK; j++)
                a[j] += wk[j] * xk;
        }
        memcpy(acc + i, a, sizeof a);
    }
    for (; i < n; i++) {
        float a = acc[i];
        for (size_t k = 0; k < nk; k++)
            a += w[k * stride + i] * x[k];
        acc[i] = a;
    }
}

/* The same over x[idx[0]], x[idx[1]], ... (nk values of x) and their rows
 * of w only. A copy of mat_acc rather than one function with an optional
 * idx: with a branch on idx == NULL inside the k loop GCC 12 no longer
 * vectorises the 32 sums, and the dense product (W1 over the embedding)
 * is the hottest loop of a score. */
HOT_CLONES static void
mat_acc_idx(float *acc, const float *w, size_t stride, const float *x, const uint32_t *idx,
            size_t nk, size_t n)
{
    size_t i = 0;
    for (; i + SUM_BLOCK <= n; i += SUM_BLOCK) {
        float a[SUM_BLOCK];
        memcpy(a, acc + i, sizeof a);
        for (size_t q = 0; q < nk; q++) {
            size_t k = idx[q];
            const float *wk = w + k * stride + i;
            float xk = x[k];
            for (int j = 0; j < SUM_BLOCK; j++)
                a[j] += wk[j] * xk;
        }
        memcpy(acc + i, a, sizeof a);
    }
    for (; i < n; i++) {
        float a = acc[i];
        for (size_t q = 0; q < nk; q++)
            a += w[idx[q] * stride + i] * x[idx[q]];
        acc[i] = a;
    }
}

/* mat_acc for two inputs x0 and x1 over the same weights (acc0 from x0,
 * acc1 from x1): each row of w is loaded once for both. Every sum adds the
 * terms mat_acc would add, in the same order. */
HOT_CLONES static void
mat_acc2(float *acc0, float *acc1, const float *w, size_t stride, const float *x0, const float *x1,
         size_t nk, size_t n)
{
    size_t i = 0;
    for (; i + SUM_BLOCK <= n; i += SUM_BLOCK) {
        float a[SUM_BLOCK], b[SUM_BLOCK];
        memcpy(a, acc0 + i, sizeof a);
        memcpy(b, acc1 + i, sizeof b);
        for (size_t k = 0; k < nk; k++) {
            const float *wk = w + k * stride + i;
            float xa = x0[k], xb = x1[k];
            for (int j = 0; j < SUM_BLOCK; j++)
                a[j] += wk[j] * xa;
            for (int j = 0; j < SUM_BLOCK; j++)
                b[j] += wk[j] * xb;
        }
        memcpy(acc0 + i, a, sizeof a);
        memcpy(acc1 + i, b, sizeof b);
    }
    for (; i < n; i++) {
        float a = acc0[i], b = acc1[i];
        for (size_t k = 0; k < nk; k++) {
            a += w[k * stride + i] * x0[k];
            b += w[k * stride + i] * x1[k];
        }
        acc0[i] = a;
        acc1[i] = b;
    }
}

/* mat_acc_idx for two independent sets of sums at once, acc0 over the first
 * nk0 of idx0 and acc1 over the first nk1 of idx1: while their common
 * steps interleave, one set's additions fill the adder while the other's
 * wait (each set alone is a chain of dependent additions per lane). Each
 * sum keeps the order of its own terms. */
HOT_CLONES static void
mat_acc_pair(float *acc0, float *acc1, const float *w, size_t stride, const float *x0,
             const float *x1, const uint32_t *idx0, const uint32_t *idx1, size_t nk0, size_t nk1,
             size_t n)
{
    size_t m = nk0 < nk1 ? nk0 : nk1, i = 0;
    for (; i + SUM_BLOCK <= n; i += SUM_BLOCK) {
        float a[SUM_BLOCK], b[SUM_BLOCK];
        memcpy(a, acc0 + i, sizeof a);
        memcpy(b, acc1 + i, sizeof b);
        for (size_t q = 0; q < m; q++) {
            const float *wa = w + idx0[q] * stride + i, *wb = w + idx1[q] * stride + i;
            float xa = x0[idx0[q]], xb = x1[idx1[q]];
            for (int j = 0; j < SUM_BLOCK; j++)
                a[j] += wa[j] * xa;
            for (int j = 0; j < SUM_BLOCK; j++)
                b[j] += wb[j] * xb;
        }
        memcpy(acc0 + i, a, sizeof a);
        memcpy(acc1 + i, b, sizeof b);
    }
    for (; i < n; i++) {
        float a = acc0[i], b = acc1[i];
        for (size_t q = 0; q < m; q++) {
            a += w[idx0[q] * stride + i] * x0[idx0[q]];
            b += w[idx1[q] * stride + i] * x1[idx1[q]];
        }
        acc0[i] = a;
        acc1[i] = b;
    }
    mat_acc_idx(acc0, w, stride, x0, idx0 + m, nk0 - m, n);
    mat_acc_idx(acc1, w, stride, x1, idx1 + m, nk1 - m, n);
}

/* The rows of n features into s0 (character n-grams) or s1 (words and
 * bigrams) and count (by group), feature by feature. */
HOT_CLONES static void
add_rows_plain(const classifier *c, uint32_t mask, const uint32_t *hash, size_t n, float *s0,
               float *s1, uint32_t count[2])
{
    size_t row = c->row;
    for (size_t i = 0; i < n; i++) {
        size_t b = hash[i] & mask;
        int g = (hash[i] & CLASSIFIER_WORD_BIT) != 0;
        const int8_t *r = c->rows + b * row;
        float s = c->scale[b], *acc = g ? s1 : s0;
        for (size_t k = 0; k < row; k++)
            acc[k] += s * (float)r[k];
        count[g]++;
    }
}

/* With AVX2, a group's rows are summed with the row's sums held in
 * registers while the rows stream by: add_rows_plain loads and stores
 * every sum for every feature, and sums the last values of a row that is
 * not a multiple of 8 long (38 for the shipped model) one at a time. The
 * row is read as blocks of 8 int8 values, the last block ending at the
 * row's end (values 30-37 of a 38-value row), so no byte beyond a row is
 * read; where two blocks overlap, both get the same terms in the same
 * order and hold the same bits. Each sum still adds its terms in the
 * features' order, one multiply and one add each (never fused), so the
 * sums are those of add_rows_plain bit for bit. Same conditions as
 * HOT_CLONES; picked at run time when the processor has AVX2. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__) &&       \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define ROWS_AVX2 1
#include <immintrin.h>

#define AVX2_INLINE __attribute__((target("avx2"), always_inline)) static inline

AVX2_INLINE size_t
block_at(size_t row, int j, int nb)
{
    return j + 1 < nb ? (size_t)j * 8 : row - 8;
}

AVX2_INLINE void
sum_rows_blocks(const classifier *c, uint32_t mask, const uint32_t *hash, size_t n, float *acc,
                int nb)
{
    size_t row = c->row;
    __m256 a[8];
    for (int j = 0; j < nb; j++)
        a[j] = _mm256_loadu_ps(acc + block_at(row, j, nb));
    for (size_t i = 0; i < n; i++) {
        size_t b = hash[i] & mask;
        const int8_t *r = c->rows + b * row;
        __m256 s = _mm256_set1_ps(c->scale[b]);
        for (int j = 0; j < nb; j++) {
            __m128i v = _mm_loadl_epi64((const __m128i *)(const void *)(r + block_at(row, j, nb)));
            __m256 f = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(v));
            a[j] = _mm256_add_ps(a[j], _mm256_mul_ps(s, f));
        }
    }
    for (int j = 0; j < nb; j++)
        _mm256_storeu_ps(acc + block_at(row, j, nb), a[j]);
}

/* One case per block count (the caller keeps rows of 8 to 64 values), so
 * that each call has a constant count: its loops over the blocks unroll and
 * the sums stay in registers. */
__attribute__((target("avx2"))) static void
sum_rows_avx2(const classifier *c, uint32_t mask, const uint32_t *hash, size_t n, float *acc)
{
    switch ((c->row + 7) / 8) {
    case 2:
        sum_rows_blocks(c, mask, hash, n, acc, 2);
        break;
    case 3:
        sum_rows_blocks(c, mask, hash, n, acc, 3);
        break;
    case 4:
        sum_rows_blocks(c, mask, hash, n, acc, 4);
        break;
    case 5:
        sum_rows_blocks(c, mask, hash, n, acc, 5);
        break;
    case 6:
        sum_rows_blocks(c, mask, hash, n, acc, 6);
        break;
    case 7:
        sum_rows_blocks(c, mask, hash, n, acc, 7);
        break;
    default:
        sum_rows_blocks(c, mask, hash, n, acc, 8);
        break;
    }
}
#else
#define ROWS_AVX2 0
#endif

/* The rows of n features into s0 (character n-grams) or s1 (words and
 * bigrams) and count (by group); the caller has prefetched them. */
static void
add_rows_to(const classifier *c, uint32_t mask, const uint32_t *hash, size_t n, float *s0,
            float *s1, uint32_t count[2])
{
#if ROWS_AVX2
    if (c->row >= 8 && c->row <= 64 && __builtin_cpu_supports("avx2")) {
        /* The two groups never share a sum: each is summed in its own
         * features' order, a run of one group at a time (a word's are its
         * word and bigram, then its character n-grams: two runs). */
        size_t i = 0;
        while (i < n) {
            uint32_t g = hash[i] & CLASSIFIER_WORD_BIT;
            size_t j = i + 1;
            while (j < n && (hash[j] & CLASSIFIER_WORD_BIT) == g)
                j++;
            sum_rows_avx2(c, mask, hash + i, j - i, g ? s1 : s0);
            count[g != 0] += (uint32_t)(j - i);
            i = j;
        }
        return;
    }
#endif
    add_rows_plain(c, mask, hash, n, s0, s1, count);
}

static void
add_rows(const classifier *c, uint32_t mask, const uint32_t *hash, size_t n, float sum[2][ROW_MAX],
         uint32_t count[2])
{
    add_rows_to(c, mask, hash, n, sum[0], sum[1], count);
}

static void
score_batch(const uint32_t *hash, size_t n, const tok_mark *mark, size_t n_mark, void *ctx)
{
    score_acc *a = ctx;
    (void)mark;
    (void)n_mark;
    prefetch_rows(a->c, a->mask, hash, n);
    add_rows(a->c, a->mask, hash, n, a->sum, a->count);
}

/* ---- words in order: the pooled filters ---------------------------------- */

/* Words beyond this many are scored together with the last one: an
 * explanation names a few words, and the cost stays bounded. */
#define EXPLAIN_TOKENS CLASSIFIER_EXPLAIN_WORDS

/* Per word: its byte span, and the features of each group it has. */
typedef struct tok_acc {
    uint32_t begin, end;
    uint32_t count[2];
} tok_acc;

/* The words of a text as the scorer by words read them, kept for the
 * explainer (classifier_word_drops_kept): each word's span, its two group
 * sums and counts, its vector and the output of every window of the
 * filters before the pool. The scorer sums a word's rows from zero in its
 * features' order, exactly as the explainer does, and adds the words to
 * the text's sums in order, exactly as the explainer adds them up, so the
 * explainer takes all of it as it is instead of summing every row a second
 * time and running the filters over every word again. Only for a text of
 * at most EXPLAIN_TOKENS words (whole): beyond, the explainer joins the
 * overflow into its last word, sums the scorer never formed, and
 * featurises the text again. */
typedef struct kept_words {
    bool whole;            /* every word of the text is here */
    size_t n, cap;         /* words kept, and room */
    tok_acc *tok;          /* [cap] */
    float *sums;           /* [cap][2][row]: word t, group g at (2t + g) * row */
    float *v;              /* [cap][dim] */
    float *win;            /* [cap + width - 1][filters] */
    float all[2][ROW_MAX]; /* the text's sums, by group */
    uint32_t count[2];     /* and its features, by group */
} kept_words;

/* Room for one more word in kw; the first room is for first words. */
static void
kept_words_room(const classifier *c, kept_words *kw, size_t first)
{
    size_t cap = kw->cap;
    kw->tok = grow(kw->tok, &cap, kw->n + 1, sizeof *kw->tok, first);
    if (cap == kw->cap)
        return;
    kw->sums = xrealloc(kw->sums, cap * 2 * c->row * sizeof *kw->sums);
    kw->v = xrealloc(kw->v, cap * c->dim * sizeof *kw->v);
    kw->win = xrealloc(kw->win, (cap + c->width - 1) * c->filters * sizeof *kw->win);
    kw->cap = cap;
}

/* The running state of one text through the pooled filters. Window e holds
 * words e - width + 1 .. e (zero vectors beyond the text's ends); the width
 * windows a word falls in are open together, in a ring, and each is
 * max-pooled when its last word has come. max starts at 0, which is the
 * clipping at 0 (relu of a max is the max with 0), and a text without words
 * pools to 0. */
typedef struct pool_acc {
    float *word[2];        /* the current word's row sums, by group */
    float own[2][ROW_MAX]; /* where they are when kw does not take them */
    uint32_t word_n[2];    /* its features, by group */
    int in_word;           /* a word has begun */
    uint32_t words;        /* words pooled so far */
    kept_words *kw;        /* the words kept for the explainer, or NULL */
    size_t kw_first;       /* room for so many words at first */
    float open[CLASSIFIER_MAX_WIDTH][CLASSIFIER_MAX_FILTERS];
    float max[CLASSIFIER_MAX_FILTERS];
} pool_acc;

/* acc += the filters' weights at window offset o times word vector v.
 * The filters are kept as [width][dim][filters] (see load), so that the
 * filters are the vector lanes (mat_acc); each filter adds its terms in
 * the order of k, however they are grouped. */
static void
conv_add(const classifier *c, float *acc, uint32_t o, const float *v)
{
    mat_acc(acc, c->convt + (size_t)o * c->dim * c->filters, c->filters, v, c->dim, c->filters);
}

static void
pool_max(uint32_t nf, float *max, const float *win)
{
    for (uint32_t f = 0; f < nf; f++)
        max[f] = win[f] > max[f] ? win[f] : max[f];
}

/* kw (may be NULL) is given the words as they go by; text_len is the
 * length of the text in bytes. */
static void
pool_init(const classifier *c, pool_acc *p, kept_words *kw, size_t text_len)
{
    memset(p->max, 0, sizeof p->max);
    p->word[0] = p->own[0];
    p->word[1] = p->own[1];
    p->word_n[0] = p->word_n[1] = 0;
    p->in_word = 0;
    p->words = 0;
    p->kw = kw;
    /* A word takes a byte and a blank at least, bar the rare character
     * whose compatibility form holds several words: room for every word
     * at once, short of a growth that copies the arrays. */
    p->kw_first = text_len / 2 + 8 < EXPLAIN_TOKENS ? text_len / 2 + 8 : EXPLAIN_TOKENS;
    for (uint32_t s = 0; s < c->width; s++)
        memcpy(p->open[s], c->conv_b, c->filters * sizeof *c->conv_b);
}

/* True while every word so far is kept in p->kw. */
static bool
pool_keeps(const pool_acc *p)
{
    return p->kw != NULL && p->kw->whole;
}

/* Window e is complete: the explainer gets its outputs as they are. */
static void
pool_keep_window(const classifier *c, pool_acc *p, uint32_t e)
{
    if (pool_keeps(p))
        memcpy(p->kw->win + (size_t)e * c->filters, p->open[e % c->width],
               c->filters * sizeof *p->kw->win);
}

/* Word number p->words, vector v: it ends one window and adds to the next
 * width - 1, the last of which opens now. */
HOT_CLONES static void
pool_word(const classifier *c, pool_acc *p, const float *v)
{
    uint32_t w = c->width, t = p->words;
    memcpy(p->open[(t + w - 1) % w], c->conv_b, c->filters * sizeof *c->conv_b);
    for (uint32_t j = 0; j < w; j++)
        conv_add(c, p->open[(t + j) % w], w - 1 - j, v);
    pool_keep_window(c, p, t);
    pool_max(c->filters, p->max, p->open[t % w]);
    p->words++;
}

/* A word begins, spanning bytes [begin, end): its sums start at zero, in
 * the kept words while they take it, else in p->own. */
static void
pool_word_begin(const classifier *c, pool_acc *p, uint32_t begin, uint32_t end)
{
    kept_words *kw = p->kw;
    if (pool_keeps(p) && kw->n == EXPLAIN_TOKENS)
        kw->whole = false;
    if (pool_keeps(p)) {
        kept_words_room(c, kw, p->kw_first);
        kw->tok[kw->n] = (tok_acc){begin, end, {0, 0}};
        p->word[0] = kw->sums + 2 * kw->n * c->row;
        p->word[1] = p->word[0] + c->row;
        kw->n++;
    } else {
        p->word[0] = p->own[0];
        p->word[1] = p->own[1];
    }
    memset(p->word[0], 0, c->row * sizeof *p->word[0]);
    memset(p->word[1], 0, c->row * sizeof *p->word[1]);
    p->in_word = 1;
}

/* s[k] += x[k] for k < n; s and x do not overlap. In blocks of 8 (one
 * vector with AVX2) without a loop for the rest: the last block ends at n
 * and is added before the others are stored, so where it overlaps the one
 * before, both hold the same sum of the same two values. */
static inline void
add_to(float *restrict s, const float *restrict x, size_t n)
{
    if (n < 8) {
        for (size_t k = 0; k < n; k++)
            s[k] += x[k];
        return;
    }
    float last[8];
    for (int j = 0; j < 8; j++)
        last[j] = s[n - 8 + j] + x[n - 8 + j];
    for (size_t i = 0; i + 8 < n; i += 8)
        for (int j = 0; j < 8; j++)
            s[i + j] += x[i + j];
    memcpy(s + n - 8, last, sizeof last);
}

/* Ends the current word, if one has begun: its sums join the text's
 * (sum, count) and its vector goes to the filters. */
HOT_CLONES static void
pool_word_end(const classifier *c, pool_acc *p, float sum[2][ROW_MAX], uint32_t count[2])
{
    if (!p->in_word)
        return;
    float own_v[CLASSIFIER_MAX_DIM], *v = own_v;
    if (pool_keeps(p)) {
        tok_acc *t = &p->kw->tok[p->words];
        t->count[0] = p->word_n[0];
        t->count[1] = p->word_n[1];
        v = p->kw->v + (size_t)p->words * c->dim;
    }
    uint32_t n = p->word_n[0] + p->word_n[1];
    float inv = n > 0 ? 1.0f / sqrtf((float)n) : 0.0f;
    for (uint32_t k = 0; k < c->dim; k++)
        v[k] = (p->word[0][k] + p->word[1][k]) * inv;
    for (int g = 0; g < 2; g++) {
        add_to(sum[g], p->word[g], c->row);
        count[g] += p->word_n[g];
        p->word_n[g] = 0;
    }
    pool_word(c, p, v);
    p->in_word = 0;
}

/* After the last word: the windows that reach past it are pooled too. */
static void
pool_end(const classifier *c, pool_acc *p, float sum[2][ROW_MAX], uint32_t count[2])
{
    pool_word_end(c, p, sum, count);
    if (p->words == 0)
        return;
    for (uint32_t e = p->words; e + 1 < p->words + c->width; e++) {
        pool_keep_window(c, p, e);
        pool_max(c->filters, p->max, p->open[e % c->width]);
    }
}

typedef struct score_words_acc {
    score_acc s;
    pool_acc p;
} score_words_acc;

/* The rows of features of one word into that word's sums. Features before
 * the first word (there are none) would join the text's directly. */
static void
score_words_feats(const uint32_t *hash, size_t n, void *ctx)
{
    score_words_acc *a = ctx;
    if (a->p.in_word) {
        add_rows_to(a->s.c, a->s.mask, hash, n, a->p.word[0], a->p.word[1], a->p.word_n);
    } else {
        if (a->p.kw != NULL) /* the explainer would make a word of them */
            a->p.kw->whole = false;
        add_rows(a->s.c, a->s.mask, hash, n, a->s.sum, a->s.count);
    }
}

/* The word just begun is common word w of the model's table, whose
 * character n-grams the featuriser left out: their sum is the table's.
 * They are the only features of the word's first group, and the word's
 * sums start at zero, so the sum is the one their rows would have given
 * (the same kernel, from zero, in the same order). */
static void
pool_word_known(score_words_acc *a, uint32_t w)
{
    const classifier *c = a->s.c;
    memcpy(a->p.word[0], c->gram_sums + (size_t)w * c->row, c->row * sizeof *c->gram_sums);
    a->p.word_n[0] = c->grams->word[w].n;
}

/* A word begins: the one before it ends, and a common word's character
 * n-grams come from the table. */
static void
score_words_token(const tok_mark *mark, void *ctx)
{
    score_words_acc *a = ctx;
    pool_word_end(a->s.c, &a->p, a->s.sum, a->s.count);
    pool_word_begin(a->s.c, &a->p, mark->begin, mark->end);
    if (mark->known != 0)
        pool_word_known(a, mark->known - 1);
}

/* A batch of features over several words: every row is asked for first,
 * then the words are summed and pooled in order. */
static void
score_words_batch(const uint32_t *hash, size_t n, const tok_mark *mark, size_t n_mark, void *ctx)
{
    score_words_acc *a = ctx;
    prefetch_rows(a->s.c, a->s.mask, hash, n);
    batch_walk(hash, n, mark, n_mark, score_words_feats, score_words_token, ctx);
}

static double
sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* logit[a] = b2[a] + lin[a] + W2[a] . h, in double, each sum in the order
 * of j; the six sums advance together (six independent chains of
 * additions rather than one after another). */
HOT_CLONES static void
output(const classifier *c, const float *lin, const float *h, double logit[CLF_ATTRS])
{
    double z[CLF_ATTRS];
    for (int a = 0; a < CLF_ATTRS; a++)
        z[a] = (double)c->b2[a] + (double)lin[a];
    for (uint32_t j = 0; j < c->hidden; j++)
        for (int a = 0; a < CLF_ATTRS; a++)
            z[a] += (double)(c->w2[(size_t)a * c->hidden + j] * h[j]);
    for (int a = 0; a < CLF_ATTRS; a++)
        logit[a] = z[a];
}

/* output's logit of attribute a alone, for n texts at once: text t's
 * linear part at lin + t * CLF_ATTRS, its hidden layer at h + t * hidden.
 * Each sum adds its terms as output adds them, in the order of j; the
 * sums of OUT_BLOCK texts advance together (independent chains of
 * additions, as output's six attributes). */
#define OUT_BLOCK 4

HOT_CLONES static void
output_attr(const classifier *c, int a, const float *lin, const float *h, size_t n, double *logit)
{
    uint32_t hidden = c->hidden;
    const float *w = c->w2 + (size_t)a * hidden;
    size_t t = 0;
    for (; t + OUT_BLOCK <= n; t += OUT_BLOCK) {
        double z[OUT_BLOCK];
        for (int q = 0; q < OUT_BLOCK; q++)
            z[q] = (double)c->b2[a] + (double)lin[(t + (size_t)q) * CLF_ATTRS + (size_t)a];
        for (uint32_t j = 0; j < hidden; j++)
            for (int q = 0; q < OUT_BLOCK; q++)
                z[q] += (double)(w[j] * h[(t + (size_t)q) * hidden + j]);
        for (int q = 0; q < OUT_BLOCK; q++)
            logit[t + (size_t)q] = z[q];
    }
    for (; t < n; t++) {
        double z = (double)c->b2[a] + (double)lin[t * CLF_ATTRS + (size_t)a];
        for (uint32_t j = 0; j < hidden; j++)
            z += (double)(w[j] * h[t * hidden + j]);
        logit[t] = z;
    }
}

/* What a group's summed rows are multiplied by: 1 / sqrt(count), or with
 * CLASSIFIER_F_MEAN 1 / count, so that a text said twice scores as once. */
static inline float
group_inv(const classifier *c, uint32_t count)
{
    if (count == 0)
        return 0.0f;
    return (c->cfg.flags & CLASSIFIER_F_MEAN) ? 1.0f / (float)count : 1.0f / sqrtf((float)count);
}

/* Writes the filters whose pooled value is not 0 into on, in order, and
 * returns how many: the products over pooled skip the others (clipped at
 * 0: many filters on most texts). Without a branch per filter, which the
 * processor could not predict (whether a filter is 0 varies from text to
 * text). */
static size_t
filters_on(const classifier *c, const float *pooled, uint32_t *on)
{
    size_t n = 0;
    for (uint32_t f = 0; f < c->filters; f++) {
        on[n] = f;
        n += pooled[f] != 0;
    }
    return n;
}

/* The input x (row values: the embedding, then the linear part) and the
 * hidden layer h, after the relu, from the two group sums and counts. W1
 * is kept transposed ([dim][hidden], see load): the loop over the hidden
 * units is then the inner one and needs no reordering of any sum to run on
 * vector registers, and each unit still adds its terms in the order of k. */
static void
hidden_layer(const classifier *c, const float sum[2][ROW_MAX], const uint32_t count[2],
             const float *pooled, float x[ROW_MAX], float *h)
{
    float inv[2];
    uint32_t hidden = c->hidden;
    for (int g = 0; g < 2; g++)
        inv[g] = group_inv(c, count[g]);
    for (size_t k = 0; k < c->row; k++)
        x[k] = sum[0][k] * inv[0] + sum[1][k] * inv[1];
    memcpy(h, c->b1, hidden * sizeof *h);
    mat_acc(h, c->w1t, hidden, x, c->dim, hidden);
    if (c->filters > 0) {
        /* Zeroed only for clang's analyzer, which loses filters_on's count. */
        uint32_t on[CLASSIFIER_MAX_FILTERS] = {0};
        size_t n_on = filters_on(c, pooled, on);
        mat_acc_idx(h, c->wpt, hidden, pooled, on, n_on, hidden);
    }
    for (uint32_t j = 0; j < hidden; j++)
        h[j] = h[j] > 0 ? h[j] : 0;
}

/* Logits of every attribute from the two group sums and counts. */
static void
forward(const classifier *c, const float sum[2][ROW_MAX], const uint32_t count[2],
        const float *pooled, double logit[CLF_ATTRS])
{
    float x[ROW_MAX] = {0}, h[CLASSIFIER_MAX_HIDDEN];
    hidden_layer(c, sum, count, pooled, x, h);
    output(c, x + c->dim, h, logit);
}

/* hidden_layer for two texts at once (the explainer's leave-one-out passes
 * are independent of each other): the same values, bit for bit, as two
 * calls. */
HOT_CLONES static void
hidden_pair(const classifier *c, const float sum[2][2][ROW_MAX], const uint32_t count[2][2],
            const float *pooled[2], float x[2][ROW_MAX], float h[2][CLASSIFIER_MAX_HIDDEN])
{
    uint32_t hidden = c->hidden, on[2][CLASSIFIER_MAX_FILTERS] = {{0}}; /* see hidden_layer */
    size_t n_on[2] = {0, 0};
    for (int t = 0; t < 2; t++) {
        float inv[2];
        for (int g = 0; g < 2; g++)
            inv[g] = group_inv(c, count[t][g]);
        for (size_t k = 0; k < c->row; k++)
            x[t][k] = sum[t][0][k] * inv[0] + sum[t][1][k] * inv[1];
        memcpy(h[t], c->b1, hidden * sizeof *h[t]);
        n_on[t] = filters_on(c, pooled[t], on[t]);
    }
    mat_acc2(h[0], h[1], c->w1t, hidden, x[0], x[1], c->dim, hidden);
    if (c->filters > 0)
        mat_acc_pair(h[0], h[1], c->wpt, hidden, pooled[0], pooled[1], on[0], on[1], n_on[0],
                     n_on[1], hidden);
    for (int t = 0; t < 2; t++)
        for (uint32_t j = 0; j < hidden; j++)
            h[t][j] = h[t][j] > 0 ? h[t][j] : 0;
}

static double
calibrate(const classifier *c, int a, double logit)
{
    return sigmoid((double)c->cal_a[a] * logit + (double)c->cal_b[a]);
}

/* SEVERE_TOXICITY is derived, not learnt: the public data label fewer
 * than 200 severe comments, too few for its own output to rank anything
 * (it scored every comment near 0). A comment is severely toxic in the
 * measure that it is surely toxic and also insulting, profane, threatening
 * or hateful: TOXICITY squared times the strongest of the four. */
static double
severe(const classifier_scores *s)
{
    double m = s->p[CLF_INSULT];
    if (s->p[CLF_PROFANITY] > m)
        m = s->p[CLF_PROFANITY];
    if (s->p[CLF_THREAT] > m)
        m = s->p[CLF_THREAT];
    if (s->p[CLF_IDENTITY_ATTACK] > m)
        m = s->p[CLF_IDENTITY_ATTACK];
    return s->p[CLF_TOXICITY] * s->p[CLF_TOXICITY] * m;
}

/* The batches featurize sent with words marked, in order: replaying them
 * feeds a consumer exactly what featurising the text again would. */
typedef struct kept_batch {
    size_t hash, n, mark, n_mark; /* offsets into the kept arrays, and counts */
} kept_batch;

/* What the scorer keeps of a text: with pooled filters its words
 * (kept_words), else its batches. */
struct classifier_kept {
    bool by_words;
    kept_words words;
    uint32_t *hash;
    size_t n_hash, cap_hash;
    tok_mark *mark;
    size_t n_mark, cap_mark;
    kept_batch *batch;
    size_t n_batch, cap_batch;
};

typedef struct keep_acc {
    classifier_kept *k;
    batch_fn next;
    void *next_ctx;
} keep_acc;

static void
keep_batch(const uint32_t *hash, size_t n, const tok_mark *mark, size_t n_mark, void *ctx)
{
    keep_acc *ka = ctx;
    classifier_kept *k = ka->k;
    k->hash = grow(k->hash, &k->cap_hash, k->n_hash + n, sizeof *k->hash, 1024);
    k->mark = grow(k->mark, &k->cap_mark, k->n_mark + n_mark, sizeof *k->mark, 256);
    k->batch = grow(k->batch, &k->cap_batch, k->n_batch + 1, sizeof *k->batch, 32);
    if (n > 0)
        memcpy(k->hash + k->n_hash, hash, n * sizeof *hash);
    if (n_mark > 0)
        memcpy(k->mark + k->n_mark, mark, n_mark * sizeof *mark);
    k->batch[k->n_batch++] = (kept_batch){k->n_hash, n, k->n_mark, n_mark};
    k->n_hash += n;
    k->n_mark += n_mark;
    ka->next(hash, n, mark, n_mark, ka->next_ctx);
}

static void
replay(const classifier_kept *k, batch_fn emit, void *ctx)
{
    for (size_t b = 0; b < k->n_batch; b++) {
        const kept_batch *kb = &k->batch[b];
        emit(k->hash + kb->hash, kb->n, k->mark + kb->mark, kb->n_mark, ctx);
    }
}

void
classifier_kept_free(classifier_kept *k)
{
    if (k == NULL)
        return;
    free(k->hash);
    free(k->mark);
    free(k->batch);
    free(k->words.tok);
    free(k->words.sums);
    free(k->words.v);
    free(k->words.win);
    free(k);
}

static void
rider_batch(const uint32_t *hash, size_t n, const tok_mark *mark, size_t n_mark, void *ctx)
{
    const classifier_rider *r = ctx;
    (void)mark;
    (void)n_mark;
    r->feats(hash, n, r->ctx);
}

/* The logits of text; with k, what the explainer needs is kept in k as it
 * goes by: the scorer by words keeps its words (kept_words); the plain
 * scorer keeps the batches, with words marked, which it ignores (it sums
 * the features in text order whatever the batches) and the explainer
 * replays. With rider, the same pass over the text also gives rider its
 * config's features. */
static void
logits(const classifier *c, const char *text, size_t n, double out[CLF_ATTRS], classifier_kept *k,
       const classifier_rider *rider)
{
    score_words_acc wacc;
    score_acc acc;
    batch_fn emit;
    void *ctx;
    int marks;
    bool by_words = c->filters > 0; /* read once: both branches below follow it */
    if (by_words) {
        memset(wacc.s.sum, 0, sizeof wacc.s.sum);
        wacc.s.count[0] = wacc.s.count[1] = 0;
        wacc.s.c = c;
        wacc.s.mask = (UINT32_C(1) << c->log2_buckets) - 1;
        if (k != NULL) {
            k->by_words = true;
            k->words.whole = true;
        }
        pool_init(c, &wacc.p, k != NULL ? &k->words : NULL, n);
        emit = score_words_batch;
        ctx = &wacc;
        marks = 1;
    } else {
        memset(acc.sum, 0, sizeof acc.sum);
        acc.count[0] = acc.count[1] = 0;
        acc.c = c;
        acc.mask = (UINT32_C(1) << c->log2_buckets) - 1;
        emit = score_batch;
        ctx = &acc;
        marks = 0;
    }
    keep_acc ka = {k, emit, ctx};
    if (k != NULL && !by_words) {
        emit = keep_batch;
        ctx = &ka;
        marks = 1;
    }
    classifier_rider r = {NULL, NULL, NULL, NULL, NULL};
    sink_spec spec[2] = {{&c->cfg, emit, marks, ctx, c->grams, by_words, NULL, NULL},
                         {NULL, rider_batch, 0, &r, NULL, 0, NULL, NULL}};
    if (rider != NULL) {
        r = *rider;
        spec[1].cfg = r.cfg;
        spec[1].grams = r.grams;
        spec[1].known_word = r.known;
        spec[1].known_ctx = r.ctx;
    }
    featurize_sinks(spec, rider != NULL ? 2 : 1, text, n);
    if (by_words) {
        pool_end(c, &wacc.p, wacc.s.sum, wacc.s.count);
        if (k != NULL) {
            memcpy(k->words.all, wacc.s.sum, sizeof k->words.all);
            memcpy(k->words.count, wacc.s.count, sizeof k->words.count);
        }
        forward(c, (const float(*)[ROW_MAX])wacc.s.sum, wacc.s.count, wacc.p.max, out);
    } else {
        forward(c, (const float(*)[ROW_MAX])acc.sum, acc.count, NULL, out);
    }
}

void
classifier_logits(const classifier *c, const char *text, size_t n, double out[CLF_ATTRS])
{
    logits(c, text, n, out, NULL, NULL);
}

void
classifier_score_keep(const classifier *c, const char *text, size_t n, classifier_scores *out,
                      classifier_kept **keep)
{
    classifier_score_keep_with(c, text, n, out, keep, NULL);
}

void
classifier_score_keep_with(const classifier *c, const char *text, size_t n, classifier_scores *out,
                           classifier_kept **keep, const classifier_rider *rider)
{
    double logit[CLF_ATTRS];

    *keep = xcalloc(1, sizeof **keep);
    logits(c, text, n, logit, *keep, rider);
    for (int a = 0; a < CLF_ATTRS; a++)
        out->p[a] = calibrate(c, a, logit[a]);
    out->p[CLF_SEVERE_TOXICITY] = severe(out);
}

void
classifier_score(const classifier *c, const char *text, size_t n, classifier_scores *out)
{
    double logit[CLF_ATTRS];

    classifier_logits(c, text, n, logit);
    for (int a = 0; a < CLF_ATTRS; a++)
        out->p[a] = calibrate(c, a, logit[a]);
    out->p[CLF_SEVERE_TOXICITY] = severe(out);
}

/* ---- explanations ----------------------------------------------------------- */

/* The words of a text summed by featurising it or replaying its kept
 * batches: per word its span and counts, and its two group sums (row
 * values each) in one flat scratch buffer. */
typedef struct explain_acc {
    const classifier *c;
    uint32_t mask;
    tok_acc *tok; /* EXPLAIN_TOKENS entries */
    float *sums;  /* EXPLAIN_TOKENS * 2 * row floats: word t, group g at (2t + g) * row */
    size_t n_tok; /* tokens seen (the last entry takes the overflow) */
} explain_acc;

/* Word t's sums of group g in a flat buffer of sums (explain_acc's, or the
 * kept words'). */
static const float *
word_sum(const classifier *c, const float *sums, size_t t, int g)
{
    return sums + (2 * t + (size_t)g) * c->row;
}

static void
explain_token(const tok_mark *mark, void *ctx)
{
    uint32_t begin = mark->begin, end = mark->end;
    explain_acc *e = ctx;
    if (e->n_tok == EXPLAIN_TOKENS) {
        e->tok[EXPLAIN_TOKENS - 1].end = end; /* overflow joins the last word */
        return;
    }
    tok_acc *t = &e->tok[e->n_tok];
    t->begin = begin;
    t->end = end;
    t->count[0] = t->count[1] = 0;
    memset(e->sums + 2 * e->n_tok * e->c->row, 0, 2 * e->c->row * sizeof(float));
    e->n_tok++;
}

static void
explain_feats(const uint32_t *hash, size_t n, void *ctx)
{
    explain_acc *e = ctx;
    if (e->n_tok == 0) /* cannot happen: every feature follows a token */
        explain_token(&(tok_mark){0, 0, 0, 0}, ctx);
    size_t t = e->n_tok - 1;
    float *s0 = e->sums + 2 * t * e->c->row;
    add_rows_to(e->c, e->mask, hash, n, s0, s0 + e->c->row, e->tok[t].count);
}

static void
explain_batch(const uint32_t *hash, size_t n, const tok_mark *mark, size_t n_mark, void *ctx)
{
    explain_acc *e = ctx;
    prefetch_rows(e->c, e->mask, hash, n);
    batch_walk(hash, n, mark, n_mark, explain_feats, explain_token, ctx);
}

/* The pooled filters' side of leaving words out (filters > 0): the vector
 * of each word, every window's filter outputs, and their running maxima
 * from either end. Without word t, the windows wholly before or after it
 * are unchanged (their maxima are pre[t - 1] and suf[t + width]), and the
 * width - 1 windows that now join its neighbours are computed afresh. */
typedef struct explain_pool {
    size_t words, windows;
    float *buf;                        /* what follows, in one allocation */
    const float *v;                    /* [words][dim] */
    float *pre, *suf;                  /* [windows][filters] */
    float all[CLASSIFIER_MAX_FILTERS]; /* pooled over the whole text */
} explain_pool;

/* From the nt words' spans and sums; or with kw, from the vectors and
 * window outputs the scorer kept (the same values: see kept_words). */
HOT_CLONES static void
explain_pool_build(const classifier *c, const tok_acc *tok, const float *sums, size_t nt,
                   const kept_words *kw, explain_pool *ep)
{
    size_t nf = c->filters, dim = c->dim, w = c->width;
    const float *win; /* window x's outputs before the pool at x * nf */

    ep->words = nt;
    ep->windows = nt > 0 ? nt + w - 1 : 0;
    if (kw != NULL) {
        ep->buf = xmalloc((2 * ep->windows * nf + 1) * sizeof *ep->buf);
        ep->v = kw->v;
        ep->pre = ep->buf;
        win = kw->win;
    } else {
        ep->buf = xmalloc((nt * dim + 2 * ep->windows * nf + 1) * sizeof *ep->buf);
        float *v = ep->buf;
        ep->v = v;
        ep->pre = ep->buf + nt * dim;
        for (size_t t = 0; t < nt; t++) {
            const float *s0 = word_sum(c, sums, t, 0), *s1 = word_sum(c, sums, t, 1);
            uint32_t n = tok[t].count[0] + tok[t].count[1];
            float inv = n > 0 ? 1.0f / sqrtf((float)n) : 0.0f;
            for (size_t k = 0; k < dim; k++)
                v[t * dim + k] = (s0[k] + s1[k]) * inv;
        }
        /* pre[x] first holds window x's own outputs. */
        for (size_t x = 0; x < ep->windows; x++) {
            float *u = ep->pre + x * nf;
            memcpy(u, c->conv_b, nf * sizeof *u);
            for (size_t o = 0; o < w; o++) {
                size_t p = x + o; /* word p - (w - 1) */
                if (p >= w - 1 && p - (w - 1) < nt)
                    conv_add(c, u, (uint32_t)o, v + (p - (w - 1)) * dim);
            }
        }
        win = ep->pre;
    }
    ep->suf = ep->pre + ep->windows * nf;
    for (size_t x = ep->windows; x-- > 0;) {
        float *d = ep->suf + x * nf;
        memset(d, 0, nf * sizeof *d);
        pool_max((uint32_t)nf, d, win + x * nf);
        if (x + 1 < ep->windows)
            pool_max((uint32_t)nf, d, ep->suf + (x + 1) * nf);
    }
    for (size_t x = 0; x < ep->windows; x++) {
        const float *u = win + x * nf;
        float *d = ep->pre + x * nf;
        for (size_t f = 0; f < nf; f++)
            d[f] = u[f] > 0 ? u[f] : 0;
        if (x > 0)
            pool_max((uint32_t)nf, d, ep->pre + (x - 1) * nf);
    }
    memset(ep->all, 0, sizeof ep->all);
    if (ep->windows > 0)
        memcpy(ep->all, ep->pre + (ep->windows - 1) * nf, nf * sizeof *ep->all);
}

/* The pooled values of the text without word t. */
HOT_CLONES static void
explain_pool_without(const classifier *c, const explain_pool *ep, size_t t, float *out)
{
    size_t nf = c->filters, dim = c->dim, w = c->width, nt = ep->words;

    memset(out, 0, nf * sizeof *out);
    if (nt <= 1)
        return; /* no word left */
    if (t >= 1)
        pool_max((uint32_t)nf, out, ep->pre + (t - 1) * nf);
    if (t + 2 <= nt)
        pool_max((uint32_t)nf, out, ep->suf + (t + w) * nf);
    /* Windows of the shorter text ending at t .. t + w - 2 span the gap. */
    for (size_t x = t; x + 1 < t + w; x++) {
        float u[CLASSIFIER_MAX_FILTERS];
        memcpy(u, c->conv_b, nf * sizeof *u);
        for (size_t o = 0; o < w; o++) {
            size_t p = x + o; /* word p - (w - 1) of the shorter text */
            if (p < w - 1 || p - (w - 1) >= nt - 1)
                continue;
            size_t q = p - (w - 1);
            q = q < t ? q : q + 1;
            conv_add(c, u, (uint32_t)o, ep->v + q * dim);
        }
        pool_max((uint32_t)nf, out, u);
    }
}

static int
cmp_span_weight(const void *a, const void *b)
{
    double x = ((const classifier_span *)a)->weight, y = ((const classifier_span *)b)->weight;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Every word left out, up to the hidden layer: a word's drop for one
 * attribute is then a dot product away (output_attr), and an attribute no
 * one asks about costs nothing more. */
struct classifier_drops {
    const classifier *c;
    size_t n;                /* words */
    uint32_t *span;          /* [n][2]: each word's begin and end */
    float *lin;              /* [n][CLF_ATTRS]: the linear part without the word */
    float *h;                /* [n][hidden]: the hidden layer without it */
    double p_all[CLF_ATTRS]; /* the probabilities with every word */
};

size_t
classifier_word_drops(const classifier *c, const char *text, size_t n, classifier_word *out,
                      size_t max)
{
    return classifier_word_drops_kept(c, NULL, text, n, out, max);
}

size_t
classifier_word_drops_kept(const classifier *c, const classifier_kept *k, const char *text,
                           size_t n, classifier_word *out, size_t max)
{
    classifier_drops *d = classifier_drops_new(c, k, text, n, max);
    size_t nw = 0;
    for (int a = 0; a < CLF_ATTRS; a++)
        nw = classifier_drops_fill(d, (classifier_attr)a, out);
    classifier_drops_free(d);
    return nw;
}

/* The words come from kept when it is given (kept by classifier_score_keep
 * from the same text): as the scorer by words left them, or replayed from
 * the batches; else, and when the scorer could not keep every word, from
 * featurising the text. */
HOT_CLONES classifier_drops *
classifier_drops_new(const classifier *c, const classifier_kept *kept, const char *text, size_t n,
                     size_t max)
{
    explain_acc e = {0};
    explain_pool ep = {0};
    float all[2][ROW_MAX], rest[2][2][ROW_MAX], pooled[2][CLASSIFIER_MAX_FILTERS];
    float x[2][ROW_MAX] = {{0}}, h[2][CLASSIFIER_MAX_HIDDEN];
    uint32_t count[2] = {0, 0}, rc[2][2];
    double logit[CLF_ATTRS];
    const kept_words *kw = NULL;
    const tok_acc *tok;
    const float *sums;
    size_t nt;
    classifier_drops *d = xcalloc(1, sizeof *d);

    d->c = c;
    if (max == 0)
        return d;
    if (kept != NULL && kept->by_words && kept->words.whole) {
        kw = &kept->words;
        tok = kw->tok;
        sums = kw->sums;
        nt = kw->n;
        memcpy(all, kw->all, sizeof all);
        memcpy(count, kw->count, sizeof count);
    } else {
        e.c = c;
        e.mask = (UINT32_C(1) << c->log2_buckets) - 1;
        e.tok = xmalloc(EXPLAIN_TOKENS * sizeof *e.tok);
        e.sums = xmalloc(EXPLAIN_TOKENS * 2 * c->row * sizeof *e.sums);
        e.n_tok = 0;
        if (kept != NULL && !kept->by_words)
            replay(kept, explain_batch, &e);
        else
            featurize(&c->cfg, text, n, explain_batch, 1, &e);
        tok = e.tok;
        sums = e.sums;
        nt = e.n_tok;
        memset(all, 0, sizeof all);
        for (size_t t = 0; t < nt; t++)
            for (int g = 0; g < 2; g++) {
                const float *ts = word_sum(c, sums, t, g);
                for (size_t k = 0; k < c->row; k++)
                    all[g][k] += ts[k];
                count[g] += tok[t].count[g];
            }
    }
    if (c->filters > 0)
        explain_pool_build(c, tok, sums, nt, kw, &ep);
    memset(pooled, 0, sizeof pooled);
    forward(c, (const float(*)[ROW_MAX])all, count, ep.all, logit);
    for (int a = 0; a < CLF_ATTRS; a++)
        d->p_all[a] = calibrate(c, a, logit[a]);
    size_t room = nt < max ? nt : max;
    d->span = xmalloc((2 * room + 1) * sizeof *d->span);
    d->lin = xmalloc((room * CLF_ATTRS + 1) * sizeof *d->lin);
    d->h = xmalloc((room * c->hidden + 1) * sizeof *d->h);
    /* Leave one word out, two words at a time (hidden_pair). */
    size_t t = 0;
    while (d->n < max) {
        size_t pick[2];
        int n_pick = 0;
        for (; t < nt && n_pick < 2 && d->n + (size_t)n_pick < max; t++)
            if (tok[t].end > tok[t].begin && tok[t].end <= n)
                pick[n_pick++] = t;
        if (n_pick == 0)
            break;
        for (int i = 0; i < n_pick; i++) {
            size_t u = pick[i];
            for (int g = 0; g < 2; g++) {
                const float *ts = word_sum(c, sums, u, g);
                for (size_t k = 0; k < c->row; k++)
                    rest[i][g][k] = all[g][k] - ts[k];
                rc[i][g] = count[g] - tok[u].count[g];
            }
            if (c->filters > 0)
                explain_pool_without(c, &ep, u, pooled[i]);
        }
        if (n_pick == 2) {
            const float *pp[2] = {pooled[0], pooled[1]};
            hidden_pair(c, (const float(*)[2][ROW_MAX])rest, (const uint32_t(*)[2])rc, pp, x, h);
        } else {
            hidden_layer(c, (const float(*)[ROW_MAX])rest[0], rc[0], pooled[0], x[0], h[0]);
        }
        for (int i = 0; i < n_pick; i++) {
            size_t w = d->n++;
            d->span[2 * w] = tok[pick[i]].begin;
            d->span[2 * w + 1] = tok[pick[i]].end;
            memcpy(d->lin + w * CLF_ATTRS, x[i] + c->dim, CLF_ATTRS * sizeof *d->lin);
            memcpy(d->h + w * c->hidden, h[i], c->hidden * sizeof *d->h);
        }
    }
    free(ep.buf);
    free(e.sums);
    free(e.tok);
    return d;
}

size_t
classifier_drops_fill(const classifier_drops *d, classifier_attr a, classifier_word *out)
{
    if (d->n == 0 || (unsigned)a >= CLF_ATTRS)
        return 0;
    double *logit = xmalloc(d->n * sizeof *logit);
    output_attr(d->c, (int)a, d->lin, d->h, d->n, logit);
    for (size_t w = 0; w < d->n; w++) {
        out[w].begin = d->span[2 * w];
        out[w].end = d->span[2 * w + 1];
        out[w].drop[a] = d->p_all[a] - calibrate(d->c, (int)a, logit[w]);
    }
    free(logit);
    return d->n;
}

void
classifier_drops_free(classifier_drops *d)
{
    if (d == NULL)
        return;
    free(d->span);
    free(d->lin);
    free(d->h);
    free(d);
}

size_t
classifier_pick_words(const classifier_word *w, size_t n_words, classifier_attr attr,
                      double min_drop, classifier_span *out, size_t max)
{
    size_t n_out = 0;

    if ((unsigned)attr >= CLF_ATTRS || max == 0)
        return 0;
    for (size_t t = 0; t < n_words; t++) {
        double drop = w[t].drop[attr];
        if (drop < min_drop)
            continue;
        classifier_span sp = {w[t].begin, w[t].end, drop};
        if (n_out < max) {
            out[n_out++] = sp;
        } else if (drop > out[max - 1].weight) {
            out[max - 1] = sp;
        } else {
            continue;
        }
        qsort(out, n_out, sizeof *out, cmp_span_weight);
    }
    return n_out;
}

size_t
classifier_explain(const classifier *c, const char *text, size_t n, classifier_attr attr,
                   double min_drop, classifier_span *out, size_t max)
{
    if ((unsigned)attr >= CLF_ATTRS || max == 0)
        return 0;
    classifier_word *w = xmalloc(CLASSIFIER_EXPLAIN_WORDS * sizeof *w);
    size_t nw = classifier_word_drops(c, text, n, w, CLASSIFIER_EXPLAIN_WORDS);
    size_t k = classifier_pick_words(w, nw, attr, min_drop, out, max);
    free(w);
    return k;
}

void
classifier_thresholds(const classifier *c, classifier_scores *out)
{
    for (int a = 0; a < CLF_ATTRS; a++)
        out->p[a] = c->threshold[a];
}

size_t
classifier_memory(const classifier *c)
{
    size_t b = (size_t)1 << c->log2_buckets;
    size_t pool =
        (size_t)c->width * c->dim * c->filters + c->filters + (size_t)c->hidden * c->filters;
    return sizeof *c + b * c->row + b * sizeof *c->scale +
           ((size_t)c->hidden * c->dim + c->hidden + (size_t)CLF_ATTRS * c->hidden + pool) *
               sizeof(float) +
           classifier_grams_memory(c->grams) + c->grams->n_word * c->row * sizeof *c->gram_sums;
}

static const char *const attr_names[CLF_ATTRS] = {
    [CLF_TOXICITY] = "TOXICITY", [CLF_SEVERE_TOXICITY] = "SEVERE_TOXICITY",
    [CLF_INSULT] = "INSULT",     [CLF_PROFANITY] = "PROFANITY",
    [CLF_THREAT] = "THREAT",     [CLF_IDENTITY_ATTACK] = "IDENTITY_ATTACK",
};

const char *
classifier_attr_name(classifier_attr a)
{
    return (unsigned)a < CLF_ATTRS ? attr_names[a] : NULL;
}

int
classifier_attr_parse(const char *name, size_t n)
{
    for (int a = 0; a < CLF_ATTRS; a++)
        if (strlen(attr_names[a]) == n && memcmp(attr_names[a], name, n) == 0)
            return a;
    return -1;
}

/* ---- file format ---------------------------------------------------------- */

/* CRC-32 (IEEE 802.3, reflected, as gzip and PNG use): zlib's, which reads
 * several bytes a step where a table loop reads one (the model file is
 * 11 MB, checked at every start). */
static uint32_t
crc32_ieee(const unsigned char *p, size_t n)
{
    return (uint32_t)crc32_z(0, p, n);
}

/* Header layout (little-endian): magic[8], version, attributes, log2
 * buckets, dim, hidden, feature flags, char_min, char_max, seed, reserved
 * (10 u32 at 8..47); version 3 adds width and filters (u32 at 48, 52).
 * Then b2, cal_a, cal_b, threshold (CLF_ATTRS f32 each). Then w1, b1, w2
 * (f32); version 3: conv, conv_b, w_pool (f32); the row scales (f32), the
 * rows (int8), CRC-32. */
#define OFF_FLOATS_V2 48u
#define OFF_FLOATS_V3 56u

static size_t
off_floats(uint32_t version)
{
    return version >= MODEL_VERSION ? OFF_FLOATS_V3 : OFF_FLOATS_V2;
}

static size_t
header_size(uint32_t version)
{
    return off_floats(version) + 4u * 4u * CLF_ATTRS;
}

static int
check_pool(uint32_t dim, uint32_t width, uint32_t filters, pl_error *err)
{
    if (filters > CLASSIFIER_MAX_FILTERS || width > CLASSIFIER_MAX_WIDTH ||
        (filters == 0) != (width == 0) || (filters > 0 && dim == 0))
        return pl_errorf(err, PL_EINVAL, "model: pooled filters %u of width %u invalid", filters,
                         width);
    return 0;
}

static int
check_shape(const classifier_config *cfg, uint32_t log2_buckets, uint32_t dim, uint32_t hidden,
            pl_error *err)
{
    if (log2_buckets < CLASSIFIER_MIN_LOG2 || log2_buckets > CLASSIFIER_MAX_LOG2)
        return pl_errorf(err, PL_EINVAL, "model: bucket count 2^%u out of range", log2_buckets);
    if (dim > CLASSIFIER_MAX_DIM || hidden > CLASSIFIER_MAX_HIDDEN || (dim == 0) != (hidden == 0))
        return pl_errorf(err, PL_EINVAL, "model: layer sizes %u/%u invalid", dim, hidden);
    if (cfg->flags & ~(uint32_t)(CLASSIFIER_F_WORDS | CLASSIFIER_F_BIGRAMS | CLASSIFIER_F_MEAN))
        return pl_errorf(err, PL_EINVAL, "model: unknown feature flags %#x", cfg->flags);
    if (cfg->char_max != 0 && (cfg->char_min < 1 || cfg->char_min > cfg->char_max ||
                               cfg->char_max > CLASSIFIER_MAX_CHAR_N))
        return pl_errorf(err, PL_EINVAL, "model: character n-gram range %u..%u invalid",
                         cfg->char_min, cfg->char_max);
    return 0;
}

/* Floats after the header: w1, b1, w2, the pooled filters' weights, the
 * row scales. */
static size_t
float_count(uint32_t log2_buckets, uint32_t dim, uint32_t hidden, uint32_t width, uint32_t filters)
{
    return (size_t)hidden * dim + hidden + (size_t)CLF_ATTRS * hidden +
           (size_t)filters * width * dim + filters + (size_t)hidden * filters +
           ((size_t)1 << log2_buckets);
}

static size_t
file_size(uint32_t version, uint32_t log2_buckets, uint32_t dim, uint32_t hidden, uint32_t width,
          uint32_t filters)
{
    size_t b = (size_t)1 << log2_buckets, row = dim + CLF_ATTRS;
    return header_size(version) + 4 * float_count(log2_buckets, dim, hidden, width, filters) +
           b * row + 4;
}

int
classifier_encode(const classifier_params *p, unsigned char **out, size_t *n, pl_error *err)
{
    int rc = check_shape(&p->cfg, p->log2_buckets, p->dim, p->hidden, err);
    if (rc < 0 || (rc = check_pool(p->dim, p->width, p->filters, err)) < 0)
        return rc;
    uint32_t version = p->filters > 0 ? MODEL_VERSION : MODEL_VERSION_PLAIN;
    size_t b = (size_t)1 << p->log2_buckets, row = p->dim + CLF_ATTRS;
    size_t size = file_size(version, p->log2_buckets, p->dim, p->hidden, p->width, p->filters);
    size_t off = off_floats(version);
    unsigned char *buf = xcalloc(1, size), *w;

    memcpy(buf, model_magic, sizeof model_magic);
    uint32_t head[12] = {version,      CLF_ATTRS,       p->log2_buckets, p->dim,      p->hidden,
                         p->cfg.flags, p->cfg.char_min, p->cfg.char_max, p->cfg.seed, 0,
                         p->width,     p->filters};
    for (size_t i = 0; 8 + 4 * i < off; i++)
        le_put_u32(buf + 8 + 4 * i, head[i]);
    for (int a = 0; a < CLF_ATTRS; a++) {
        le_put_f32(buf + off + 4 * (size_t)a, p->b2[a]);
        le_put_f32(buf + off + 4 * (size_t)(CLF_ATTRS + a), p->cal_a[a]);
        le_put_f32(buf + off + 4 * (size_t)(2 * CLF_ATTRS + a), p->cal_b[a]);
        le_put_f32(buf + off + 4 * (size_t)(3 * CLF_ATTRS + a), p->threshold[a]);
    }
    w = buf + header_size(version);
    for (size_t i = 0; i < (size_t)p->hidden * p->dim; i++, w += 4)
        le_put_f32(w, p->w1[i]);
    for (size_t i = 0; i < p->hidden; i++, w += 4)
        le_put_f32(w, p->b1[i]);
    for (size_t i = 0; i < (size_t)CLF_ATTRS * p->hidden; i++, w += 4)
        le_put_f32(w, p->w2[i]);
    for (size_t i = 0; i < (size_t)p->filters * p->width * p->dim; i++, w += 4)
        le_put_f32(w, p->conv[i]);
    for (size_t i = 0; i < p->filters; i++, w += 4)
        le_put_f32(w, p->conv_b[i]);
    for (size_t i = 0; i < (size_t)p->hidden * p->filters; i++, w += 4)
        le_put_f32(w, p->w_pool[i]);
    unsigned char *scales = w, *rows = w + 4 * b;
    for (size_t r = 0; r < b; r++) {
        const float *src = p->rows + r * row;
        float m = 0;
        for (size_t k = 0; k < row; k++)
            m = fmaxf(m, fabsf(src[k]));
        float s = m > 0 ? m / 127.0f : 0.0f;
        le_put_f32(scales + 4 * r, s);
        for (size_t k = 0; k < row; k++) {
            long q = s > 0 ? lrintf(src[k] / s) : 0;
            q = q > 127 ? 127 : q < -127 ? -127 : q;
            rows[r * row + k] = (unsigned char)(int8_t)q;
        }
    }
    le_put_u32(buf + size - 4, crc32_ieee(buf, size - 4));
    *out = buf;
    *n = size;
    return 0;
}

/* classifier.gram_sums: each common word's character n-gram rows (group
 * 0: they never carry CLASSIFIER_WORD_BIT) summed from zero by add_rows_to,
 * the kernel the scorer would sum them with. */
static float *
gram_sums_new(const classifier *c)
{
    const classifier_grams *g = c->grams;
    uint32_t mask = (UINT32_C(1) << c->log2_buckets) - 1;
    float *sums = xcalloc(g->n_word + 1, c->row * sizeof *sums);
    for (size_t i = 0; i < g->n_word; i++) {
        float words[ROW_MAX] = {0};
        uint32_t count[2] = {0, 0};
        add_rows_to(c, mask, g->hash + g->word[i].at, g->word[i].n, sums + i * c->row, words,
                    count);
    }
    return sums;
}

static int
finite_in(float v, float lim)
{
    return isfinite(v) && fabsf(v) <= lim;
}

/* Parses and checks a model. With keep, the n bytes outlive the model (the
 * copy compiled into the binary) and the int8 rows are used in place. */
static int
load(const unsigned char *data, size_t n, bool keep, classifier **out, pl_error *err)
{
    classifier c;
    int rc;

    *out = NULL;
    if (data == NULL || n < header_size(MODEL_VERSION_PLAIN) + 4)
        return pl_errorf(err, PL_EINVAL, "model: %zu bytes is too short for a model file", n);
    if (memcmp(data, model_magic, sizeof model_magic) != 0)
        return pl_errorf(err, PL_EINVAL, "model: bad magic (not a Parley model file)");
    uint32_t version = le_get_u32(data + 8);
    if (version != MODEL_VERSION && version != MODEL_VERSION_PLAIN)
        return pl_errorf(err, PL_EINVAL,
                         "model: unsupported version %u (this build reads %u and %u)", version,
                         MODEL_VERSION_PLAIN, MODEL_VERSION);
    if (n < header_size(version) + 4)
        return pl_errorf(err, PL_EINVAL, "model: %zu bytes is too short for a model file", n);
    if (le_get_u32(data + 12) != CLF_ATTRS)
        return pl_errorf(err, PL_EINVAL, "model: %u attributes, expected %d", le_get_u32(data + 12),
                         CLF_ATTRS);
    memset(&c, 0, sizeof c);
    c.log2_buckets = le_get_u32(data + 16);
    c.dim = le_get_u32(data + 20);
    c.hidden = le_get_u32(data + 24);
    c.cfg.flags = le_get_u32(data + 28);
    c.cfg.char_min = le_get_u32(data + 32);
    c.cfg.char_max = le_get_u32(data + 36);
    c.cfg.seed = le_get_u32(data + 40);
    if (version == MODEL_VERSION) {
        c.width = le_get_u32(data + 48);
        c.filters = le_get_u32(data + 52);
        if (c.filters == 0)
            return pl_errorf(err, PL_EINVAL, "model: version 3 without pooled filters");
    }
    if ((rc = check_shape(&c.cfg, c.log2_buckets, c.dim, c.hidden, err)) < 0 ||
        (rc = check_pool(c.dim, c.width, c.filters, err)) < 0)
        return rc;
    size_t want = file_size(version, c.log2_buckets, c.dim, c.hidden, c.width, c.filters);
    if (n != want)
        return pl_errorf(err, PL_EINVAL, "model: %zu bytes, its header implies %zu", n, want);
    if (crc32_ieee(data, n - 4) != le_get_u32(data + n - 4))
        return pl_errorf(err, PL_EINVAL, "model: checksum mismatch (file damaged)");
    size_t off = off_floats(version);
    for (int a = 0; a < CLF_ATTRS; a++) {
        c.b2[a] = le_get_f32(data + off + 4 * (size_t)a);
        c.cal_a[a] = le_get_f32(data + off + 4 * (size_t)(CLF_ATTRS + a));
        c.cal_b[a] = le_get_f32(data + off + 4 * (size_t)(2 * CLF_ATTRS + a));
        c.threshold[a] = le_get_f32(data + off + 4 * (size_t)(3 * CLF_ATTRS + a));
        if (!finite_in(c.b2[a], 1e4f) || !finite_in(c.cal_a[a], 1e4f) ||
            !finite_in(c.cal_b[a], 1e4f) || !(c.threshold[a] >= 0) || !(c.threshold[a] <= 1))
            return pl_errorf(err, PL_EINVAL, "model: bias, calibration or threshold of %s invalid",
                             attr_names[a]);
    }
    c.row = c.dim + CLF_ATTRS;
    size_t b = (size_t)1 << c.log2_buckets;
    size_t nf = float_count(c.log2_buckets, c.dim, c.hidden, c.width, c.filters);
    float *f = xmalloc((nf ? nf : 1) * sizeof *f);
    const unsigned char *w = data + header_size(version);
    for (size_t i = 0; i < nf; i++) {
        f[i] = le_get_f32(w + 4 * i);
        if (!finite_in(f[i], 1e6f) || (i >= nf - b && f[i] < 0)) {
            free(f);
            return pl_errorf(err, PL_EINVAL, "model: weight %zu is not a finite number in range",
                             i);
        }
    }
    /* The file holds W1 as [hidden][dim]; forward wants it transposed. */
    size_t nw1 = (size_t)c.hidden * c.dim;
    if (nw1 > 0) {
        float *t = xmalloc(nw1 * sizeof *t);
        for (size_t j = 0; j < c.hidden; j++)
            for (size_t k = 0; k < c.dim; k++)
                t[k * c.hidden + j] = f[j * c.dim + k];
        memcpy(f, t, nw1 * sizeof *t);
        free(t);
    }
    c.w1t = f;
    c.b1 = f + nw1;
    c.w2 = c.b1 + c.hidden;
    c.convt = c.w2 + (size_t)CLF_ATTRS * c.hidden;
    c.conv_b = c.convt + (size_t)c.filters * c.width * c.dim;
    c.wpt = c.conv_b + c.filters;
    c.scale = c.wpt + (size_t)c.hidden * c.filters;
    /* The filters as [width][dim][filters] and w_pool as [filters][hidden]
     * (the file has [filters][width][dim] and [hidden][filters]): the
     * scorer's inner loops then run over contiguous values. */
    size_t nconv = (size_t)c.filters * c.width * c.dim, npool = (size_t)c.hidden * c.filters;
    if (nconv > 0) {
        float *t = xmalloc((nconv > npool ? nconv : npool) * sizeof *t);
        for (size_t q = 0; q < c.filters; q++)
            for (size_t o = 0; o < c.width; o++)
                for (size_t k = 0; k < c.dim; k++)
                    t[(o * c.dim + k) * c.filters + q] = c.convt[(q * c.width + o) * c.dim + k];
        memcpy(c.convt, t, nconv * sizeof *t);
        for (size_t j = 0; j < c.hidden; j++)
            for (size_t q = 0; q < c.filters; q++)
                t[q * c.hidden + j] = c.wpt[j * c.filters + q];
        memcpy(c.wpt, t, npool * sizeof *t);
        free(t);
    }
    const unsigned char *rows = w + 4 * nf;
    if (keep) {
        c.rows = (const int8_t *)rows;
    } else {
        c.rows_owned = xmalloc(b * c.row);
        memcpy(c.rows_owned, rows, b * c.row);
        c.rows = c.rows_owned;
    }
    c.grams = classifier_grams_new(&c.cfg);
    c.gram_sums = gram_sums_new(&c);
    classifier *m = xmalloc(sizeof *m);
    *m = c;
    *out = m;
    return 0;
}

int
classifier_load(const unsigned char *data, size_t n, classifier **out, pl_error *err)
{
    return load(data, n, false, out, err);
}

int
classifier_load_builtin(classifier **out, pl_error *err)
{
    const asset *a = asset_find(data_files, "/model/parley.model");
    if (a == NULL) {
        *out = NULL;
        return pl_errorf(err, PL_ENOTFOUND, "no model compiled in (data/model/parley.model)");
    }
    return load(a->data, (size_t)a->size, true, out, err);
}

void
classifier_free(classifier *c)
{
    if (c == NULL)
        return;
    free(c->rows_owned);
    free(c->w1t); /* b1, w2 and scale live in the same block */
    classifier_grams_free(c->grams);
    free(c->gram_sums);
    free(c);
}
