/* moderation/model_use.c: how the decision uses the model (classifier.h): the three
 * bands, the bars the rules' readings set, the words that explain a
 * hold, and the model's say over a rule's reject.
 */
#include "moderation/moderation_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The model scores every comment (classifier.h: six calibrated
 * probabilities). Three bands:
 *  - below every hold threshold the model adds nothing;
 *  - at or above an attribute's hold threshold the comment is held even
 *    when no listed word appears, under the rule that attribute maps to,
 *    with the words that raised the score as the excerpt;
 *  - a rule that rejects by policy (strong profanity, vulgarity, slurs)
 *    rejects only when the model agrees that the text is offensive (its
 *    TOXICITY or PROFANITY score reaches the hold threshold): an innocent
 *    homograph ("magna cum laude", "blue tits") is held at worst. Attacks
 *    and threats that the rules found and the model scores at or above
 *    reject_at are rejected.
 * Without a model the rules decide alone, as the policy table says. */

/* The rule a model attribute holds under. */
static moderation_rule
attr_rule(classifier_attr a)
{
    switch (a) {
    case CLF_PROFANITY:
        return RULE_PROFANITY;
    case CLF_THREAT:
        return RULE_HARASSMENT;
    case CLF_IDENTITY_ATTACK:
        return RULE_IDENTITY_HATE;
    default:
        return RULE_PERSONAL_ATTACK;
    }
}

static const char *
attr_message(classifier_attr a)
{
    switch (a) {
    case CLF_PROFANITY:
        return "This comment reads as vulgar or profane.";
    case CLF_THREAT:
        return "This reads as a threat or a wish of harm against a person.";
    case CLF_IDENTITY_ATTACK:
        return "This comment reads as an attack on people for who they are.";
    case CLF_INSULT:
        return "This comment reads as insulting.";
    default:
        return "This comment reads as uncivil: hostile, insulting or abusive.";
    }
}

/* Words that explain attribute a's score, as one excerpt: the strongest
 * word, widened to the next strongest ones when they sit close by. The
 * leave-one-out pass runs once per comment, only for comments the model
 * holds, and each attribute's drops are read from it when first asked for
 * (word_drops). */
/* Words of praise for people. A comment with one of them and no word the
 * lists know is read by the model as an insult mostly for its shape ("Muslims
 * like you are absolute heroes." scores like "... like you are vermin"):
 * the model must then be as sure as confirm_at. */
static const char *const praise_words[] = {"hero",    "heroes",    "heroic",    "cherish",
                                           "admire",  "admirable", "wonderful", "inspiring",
                                           "amazing", "brave",     NULL};

static bool
praised(const ctx *c)
{
    for (size_t k = 0; k < c->ntok; k++)
        if (tok_in(c, (long)k, praise_words) && !negated_before(c, (long)k, 3))
            return true;
    return false;
}

/* The body's sexual words (severity 0 in data/lexicon/profanity.tsv, read
 * as ambiguous: a doctor's words too), and the words that make their use
 * clinical. News readers call most comments with one of them uncivil
 * ("Hey everyone, look at my high-capacity penis substitute!"); in a
 * clinical context ("Screening for cancer of the penis is free at the
 * clinic.") they keep the guard of an ambiguous word. */
static const char *const body_words[] = {"penis",   "penises",  "vagina", "vaginas", "testicles",
                                         "scrotum", "clitoris", "anus",   NULL};
static const char *const clinical_words[] = {
    "cancer",    "screening",   "clinic",       "clinical",      "doctor",     "doctors",
    "medical",   "surgery",     "surgeon",      "health",        "exam",       "biopsy",
    "tumor",     "tumour",      "patient",      "patients",      "hospital",   "nurse",
    "infection", "disease",     "urologist",    "anatomy",       "diagnosis",  "treatment",
    "symptoms",  "examination", "gynecologist", "gynaecologist", "mutilation", NULL};

static bool
clinical(const ctx *c)
{
    for (size_t k = 0; k < c->ntok; k++)
        if (tok_in(c, (long)k, clinical_words))
            return true;
    return false;
}

/* Sets c->words[i].drop[a] (and c->nwords): the leave-one-out pass runs
 * once per comment, and each attribute's drops are read from it when first
 * asked for (most holds ask about one or two of the six). */
static void
word_drops(ctx *c, classifier_attr a)
{
    if (c->drops == NULL) {
        c->words = arena_alloc(c->a, CLASSIFIER_EXPLAIN_WORDS * sizeof *c->words);
        c->drops = classifier_drops_new(c->m->clf, c->kept, c->in->body, c->in->body_len,
                                        CLASSIFIER_EXPLAIN_WORDS);
    }
    if (!(c->drops_read & (1u << a))) {
        c->nwords = classifier_drops_fill(c->drops, a, c->words);
        c->drops_read |= 1u << a;
    }
}

/* The word that raises attribute a the most (the explanation's first), in
 * *sp; false when no word raises it by 0.02. */
static bool
top_word(ctx *c, classifier_attr a, classifier_span *sp)
{
    word_drops(c, a);
    return classifier_pick_words(c->words, c->nwords, a, 0.02, sp, 1) > 0;
}

/* Does the group term at token k name the speaker: "We are a group of
 * Muslims.", "I am a proud gay man", "I'm a devout Catholic"? (2026-12-07,
 * night: the first was held at TOXICITY 0.64.) */
static bool
self_named(const ctx *c, long k)
{
    static const char *const gap[] = {"a",      "an",    "group",      "of",         "proud",
                                      "devout", "young", "practicing", "practising", "bunch",
                                      "couple", "few",   "just",       "also",       "both",
                                      "all",    "two",   "three",      "family",     NULL};
    long j = k - 1;
    for (int n = 0; n < 5 && j >= 0 && tok_in(c, j, gap); n++)
        j--;
    if (tok_is(c, j, "im"))
        return true;
    return (tok_is(c, j, "am") && tok_is(c, j - 1, "i")) ||
           (tok_is(c, j, "are") && tok_is(c, j - 1, "we"));
}

/* Is the group term ending at token kend the subject of praise: "Gay
 * people are a lovely bunch.", "Muslims are such kind neighbours"? The
 * model, which learnt that groups are named mostly to attack them, held the
 * first at 0.565 on "Gay" (2026-12-07, late night). Only a copula and a few
 * articles and intensifiers may stand between the group and the word of
 * praise, and no negator: "are not lovely" is no praise. */
static bool
group_praised(const ctx *c, long kend)
{
    static const char *const people[] = {"people", "folks", "men", "women", "persons", NULL};
    static const char *const gap[] = {"a",      "an",    "such",   "so",         "very",
                                      "really", "truly", "always", "incredibly", "the",
                                      "most",   "just",  "all",    NULL};
    static const char *const praise[] = {
        "lovely",    "wonderful", "kind",      "kindest",   "great",  "amazing",   "beautiful",
        "brilliant", "generous",  "welcoming", "welcome",   "warm",   "friendly",  "delightful",
        "caring",    "gentle",    "admirable", "inspiring", "valued", "cherished", "loved",
        "precious",  "awesome",   "fantastic", NULL};
    long q = kend + 1;
    if (tok_in(c, q, people))
        q++;
    if (!tok_in(c, q, (const char *const[]){"are", "is", "were", "r", NULL}))
        return false;
    for (long j = q + 1; j <= q + 4; j++) {
        if (tok_in(c, j, praise))
            return true;
        if (!tok_in(c, j, gap))
            return false;
    }
    return false;
}

/* True when the word that raises attribute a the most names one person by
 * a group they belong to: "a Muslim", "a gay person", "an immigrant" (a
 * group term of the lexicon right after "a" or "an"). The model learned
 * from data where groups are named mostly to attack them, so "His therapist
 * is a Muslim." scores as hostile for the mention alone (and "We are a
 * group of Muslims.", the speaker's own; and "Gay people are a lovely
 * bunch.", praise); with no listed
 * word in the comment, the model must then be as sure as confirm_at.
 * Statements about the group itself ("Gays are ...", "most blacks ...")
 * keep the usual thresholds: on the news DEV rows, that is where hate
 * without a listed word lives (guarding every mention lost 4 of 94 toxic
 * news comments there); so do a person "like you" and a comment with a
 * word of violence. The explanation pass is the one the excerpt uses. */
static bool
mention_driven(ctx *c, classifier_attr a)
{
    classifier_span sp[1];
    for (size_t i = 0; i < c->nhits; i++)
        if (c->hits[i].category == LEX_VIOLENCE)
            return false; /* "Murdering a Muslim ... should be legal" */
    if (!top_word(c, a, sp))
        return false;
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        if (h->category != LEX_GROUP)
            continue;
        uint32_t os = c->t.ostart[h->start], oe = c->t.oend[h->end - 1];
        long k = tok_at(c, h->start), kend = tok_at(c, h->end - 1);
        bool one = tok_is(c, k - 1, "a") || tok_is(c, k - 1, "an");
        /* "a Muslim like you", "a trans person like you": aimed at the reader */
        bool aimed = false;
        for (long j = kend + 1; j <= kend + 2 && !aimed; j++)
            aimed = tok_is(c, j, "like") && tok_in(c, j + 1, second_person);
        if (os < sp[0].end && oe > sp[0].begin &&
            (one || self_named(c, k) || group_praised(c, kend)) && !aimed)
            return true;
    }
    return false;
}

/* True when the word that raises attribute a the most is an allow-listed
 * one that shielded a listed word: an innocent word spelt like a listed one
 * ("He sniggered.", "a chink in the armour"). The model reads letters, and
 * scores those as the slur they resemble; it must then be as sure as
 * confirm_at. An allow-listed group's name ("homosexual" over "homo") does
 * not count (lexicon_scan_allow). */
static bool
allow_driven(ctx *c, classifier_attr a)
{
    if (c->nallowed == 0)
        return false;
    classifier_span sp[1];
    if (!top_word(c, a, sp))
        return false;
    for (size_t i = 0; i < c->nallowed; i++) {
        const lex_hit *w = &c->allowed[i];
        uint32_t os = c->t.ostart[w->start], oe = c->t.oend[w->end - 1];
        if (os < sp[0].end && oe > sp[0].begin)
            return true;
    }
    return false;
}

/* True when every attribute at or above its line falls below it once the
 * allow-listed phrases (names and idioms with a listed word inside: "Dick
 * Cheney", "a chink in the armour", "Kike Hernandez") are blanked out and
 * the comment is scored again: the score rests on them and nothing else.
 * "Kike Hernandez hit a home run in the ninth inning." scored 0.91 on the
 * player's name, above confirm_at, so allow_driven's bar could not free it
 * (2026-12-07, late night); leave-one-out drops did not either, because a
 * name of two words carries the score together. A single allow-listed word
 * is left alone: "mass" (over "ass") carries "mass shootings", and blanking
 * it freed two toxic comments of the test sets. The cost is one more
 * scoring pass, for the few comments the model would hold that have such a
 * phrase. */
static bool
allow_carried(ctx *c, const classifier_scores *cs)
{
    char *text = NULL;
    for (size_t i = 0; i < c->nallowed; i++) {
        const lex_hit *h = &c->allowed[i];
        if (tok_at(c, h->start) == tok_at(c, h->end - 1))
            continue; /* one word: "mass" has a meaning of its own */
        if (text == NULL) {
            text = arena_alloc(c->a, c->in->body_len + 1);
            memcpy(text, c->in->body, c->in->body_len);
            text[c->in->body_len] = 0;
        }
        uint32_t os = c->t.ostart[h->start], oe = c->t.oend[h->end - 1];
        memset(text + os, ' ', oe - os);
    }
    if (text == NULL)
        return false;
    classifier_scores without;
    classifier_score(c->m->clf, text, c->in->body_len, &without);
    for (int a = 0; a < CLF_ATTRS; a++)
        if (cs->p[a] >= c->m->hold_at[a] && without.p[a] >= c->m->hold_at[a])
            return false;
    return true;
}

/* True when the words the rules read as innocent (the hits marked in
 * guard), with the group terms, are what lifts attribute a over its hold
 * threshold: without them, by the leave-one-out drops, it would fall below. A comment whose
 * hostility lies elsewhere ("Not illegals. ... the SCUM" beside a racist tirade) is held at the
 * usual thresholds; "That's not stupid at all" is still not. */
static bool
guard_driven(ctx *c, const bool *guard, int a, const classifier_scores *cs)
{
    word_drops(c, (classifier_attr)a);
    double drop = 0;
    for (size_t i = 0; i < c->nhits; i++) {
        /* group terms too: the model's known lean on a mere mention
         * ("all Muslims are liars", denied) is not hostility of its own */
        if (!guard[i] && c->hits[i].category != LEX_GROUP)
            continue;
        uint32_t os = c->t.ostart[c->hits[i].start], oe = c->t.oend[c->hits[i].end - 1];
        for (size_t w = 0; w < c->nwords; w++)
            if (c->words[w].begin < oe && c->words[w].end > os && c->words[w].drop[a] > 0)
                drop += c->words[w].drop[a];
    }
    return cs->p[a] - drop < c->m->hold_at[a];
}

/* A verb of violence the rules read as innocent (rule_threats: said of a
 * thing, "kill the bill", or naming a crime, "charged with attempted
 * murder") raises the bar to confirm_at when it is the word that raises
 * attribute a the most: the model scores "Let's kill this bill." 0.62 for
 * THREAT on "kill" alone. Marks those hits in guard; when another word
 * leads ("potential rapists here" beside "rape victims"), the comment keeps
 * the usual thresholds. */
static bool
violence_driven(ctx *c, bool *guard, int a)
{
    classifier_span sp[1];
    if (!top_word(c, (classifier_attr)a, sp))
        return false;
    bool on = false;
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        if (h->category != LEX_VIOLENCE || c->verdict[i] != INSULT_NOT)
            continue;
        uint32_t os = c->t.ostart[h->start], oe = c->t.oend[h->end - 1];
        if (os < sp[0].end && oe > sp[0].begin)
            on = guard[i] = true;
    }
    return on;
}

static void
model_excerpt(ctx *c, classifier_attr a, uint32_t *os, uint32_t *oe)
{
    classifier_span sp[4];
    word_drops(c, a);
    size_t n = classifier_pick_words(c->words, c->nwords, a, 0.02, sp, 4);
    /* In a long comment no single word may move the score by 0.02; the
     * hold still names the word that moves it most (every hold explains
     * itself), alone. */
    if (n == 0)
        n = classifier_pick_words(c->words, c->nwords, a, 1e-6, sp, 1);
    *os = *oe = 0;
    if (n == 0)
        return;
    *os = sp[0].begin;
    *oe = sp[0].end;
    for (size_t i = 1; i < n; i++) {
        if (sp[i].weight < sp[0].weight / 2)
            break;
        uint32_t b = sp[i].begin < *os ? sp[i].begin : *os;
        uint32_t e = sp[i].end > *oe ? sp[i].end : *oe;
        if (e - b <= 40) {
            *os = b;
            *oe = e;
        }
    }
}

/* What the rules' words say about the model's bar (model_decide): guard[i]
 * is set for each hit the rules read as innocent. */
typedef struct word_bars {
    bool guarded;  /* a word read as innocent: confirm_at while the score rests on it */
    bool listed;   /* a word of the lists (not a verb of violence) */
    bool mild;     /* an insult the rules could not place: word_at */
    bool homonym;  /* a word with an innocent twin, not aimed: homonym_at */
    bool violence; /* a verb of violence read as innocent ("kill the bill") */
    long swear;    /* the first mild swear word with no innocent twin (swear_at), or -1 */
} word_bars;

static word_bars
read_words(const ctx *c, bool *guard)
{
    const moderation *m = c->m;
    word_bars b = {.swear = -1};
    int clinic = -1; /* clinical(c), read once when a body word is found */
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        if (h->category == LEX_VIOLENCE && c->verdict[i] == INSULT_NOT) {
            b.violence = true; /* read below, once the model holds */
            continue;
        }
        if (h->category > LEX_HARASSMENT)
            continue;
        b.listed = true;
        bool g = false;
        if (h->category == LEX_INSULT || h->category == LEX_INSULT_ADJ) {
            g = c->verdict[i] == INSULT_NOT;
            b.mild |= h->severity >= 1 && c->verdict[i] == INSULT_UNKNOWN;
        } else if (h->severity == 1 && h->category == LEX_SLUR) {
            b.homonym = true;
        } else if (h->severity == 1 &&
                   (h->category == LEX_PROFANITY || h->category == LEX_VULGARITY)) {
            /* Mild swearing ("damn", "crap", "ass", "boobs"): swear_at, or
             * homonym_at when the word has an innocent twin. */
            if (lexicon_term_homograph(m->lx, h->term))
                b.homonym = true;
            else if (b.swear < 0)
                b.swear = (long)i;
        } else if (h->severity == 0 && h->category == LEX_VULGARITY &&
                   tok_in(c, tok_at(c, h->start), body_words) &&
                   !(clinic < 0 ? (clinic = clinical(c)) : clinic)) {
            /* A word of the body's sex ("penis") outside a clinical
             * context: as mild swearing. */
            if (b.swear < 0)
                b.swear = (long)i;
        } else {
            /* An ambiguous word (severity 0), or a mild one the rules gave
             * no reason for, was read as innocent. Not a mild attack:
             * "Shut up.", "Get lost." outside a reply get no reason (the
             * rules need someone to say it to), but the words have no
             * innocent reading either: the model's usual thresholds. */
            g = h->severity == 0 || (h->severity == 1 && h->category != LEX_ATTACK);
        }
        /* Swearing the publisher allows is not the model's to hold. */
        if (h->category == LEX_PROFANITY)
            g |= m->pol.action[RULE_PROFANITY] <= POLICY_PUBLISH;
        if (h->category == LEX_VULGARITY)
            g |= m->pol.action[RULE_VULGARITY] <= POLICY_PUBLISH;
        guard[i] = g;
        b.guarded |= g;
    }
    return b;
}

/* Two kinds of word lower the bar (model_decide): an insult the rules
 * could not place, TOXICITY or INSULT at word_at; mild swearing, TOXICITY
 * or PROFANITY at swear_at (*swore: the hold names the swear word). The
 * attribute that then holds, or -1. */
static int
lowered_bar(const moderation *m, const classifier_scores *cs, bool mild, bool swear, bool *swore)
{
    double t = cs->p[CLF_TOXICITY], u = cs->p[CLF_INSULT], p = cs->p[CLF_PROFANITY];
    *swore = false;
    if (mild && u >= m->word_at && u >= t)
        return CLF_INSULT;
    if (mild && t >= m->word_at)
        return CLF_TOXICITY;
    if (swear && (t >= m->swear_at || p >= m->swear_at)) {
        *swore = true;
        return CLF_PROFANITY;
    }
    return -1;
}

/* True when the model, sure of attribute a (INSULT or THREAT: reject_at),
 * adds a reason beside the rules' that none of them gave. The two map to
 * rules of their own, so adding one does not change the other's answer. */
static bool
sure_adds(const ctx *c, const classifier_scores *cs, classifier_attr a)
{
    moderation_rule r = attr_rule(a);
    return cs->p[a] >= c->m->reject_at && !c->f[r].on && c->m->pol.action[r] != POLICY_OFF;
}

void
model_decide(ctx *c, const classifier_scores *cs)
{
    const moderation *m = c->m;
    /* The attribute furthest above its hold threshold. */
    int best = -1;
    double margin = 0;
    for (int a = 0; a < CLF_ATTRS; a++) {
        double d = cs->p[a] - m->hold_at[a];
        if (d >= 0 && (best < 0 || d > margin)) {
            best = a;
            margin = d;
        }
    }
    /* How sure the model is: the score of the attribute furthest above its
     * line, before a sharper attribute is named for the reason. */
    double conf = best >= 0 ? cs->p[best] : 0;
    int over = best; /* the attribute furthest above its line */
    /* TOXICITY above the line says "held"; name the sharper attribute
     * when one is close to its own line. */
    if (best == CLF_TOXICITY || best == CLF_SEVERE_TOXICITY) {
        static const classifier_attr specific[] = {CLF_THREAT, CLF_IDENTITY_ATTACK, CLF_INSULT,
                                                   CLF_PROFANITY};
        double top = -1;
        for (size_t i = 0; i < sizeof specific / sizeof *specific; i++) {
            double r =
                cs->p[specific[i]] / (m->hold_at[specific[i]] > 0 ? m->hold_at[specific[i]] : 1);
            if (r >= 0.7 && r > top) {
                top = r;
                best = (int)specific[i];
            }
        }
    }
    c->model_offensive = cs->p[CLF_TOXICITY] >= m->hold_at[CLF_TOXICITY] ||
                         cs->p[CLF_PROFANITY] >= m->hold_at[CLF_PROFANITY] ||
                         cs->p[CLF_SEVERE_TOXICITY] >= m->hold_at[CLF_SEVERE_TOXICITY];
    /* Where the rules looked at offensive-looking words and read them as
     * innocent (an insult said of an idea, of oneself, negated or quoted;
     * an ambiguous word; swearing the publisher allows), the model must be
     * as sure as confirm_at to hold. A slur with an innocent or reclaimed
     * use that was not aimed at anyone needs homonym_at, so "keep his
     * f****t ass in the closet" is held while "queer theory" publishes (a
     * contextual slur is held when the model reads the comment as hostile,
     * never rejected on the word alone). Two kinds of word lower the bar,
     * because news readers call nearly every comment with one uncivil: an
     * insult the rules could not place (no target found: "Typical clueless
     * clown."), TOXICITY or INSULT at word_at; mild swearing ("damn",
     * "crap", "ass"), TOXICITY or PROFANITY at swear_at. */
    /* which hits raise the bar: the guard holds only while they are what
     * the score rests on (guard_driven) */
    bool *guard = c->nhits > 0 ? arena_zalloc(c->a, c->nhits * sizeof *guard) : NULL;
    word_bars wb = read_words(c, guard);
    bool guarded = wb.guarded, listed = wb.listed;
    bool mild = wb.mild, homonym = wb.homonym, violence = wb.violence;
    long swear = wb.swear;
    bool swore = false;
    if (!guarded && best < 0) {
        best = lowered_bar(m, cs, mild, swear >= 0, &swore);
        conf = swore       ? fmax(cs->p[CLF_TOXICITY], cs->p[CLF_PROFANITY])
               : best >= 0 ? cs->p[best]
                           : 0;
    }
    if (best < 0)
        return;
    moderation_rule r = attr_rule((classifier_attr)best);
    if (swore && c->hits[swear].category == LEX_VULGARITY)
        r = RULE_VULGARITY;
    /* Beside a rule that already fired, the model adds only what it is
     * sure of (reject_at) and the rules did not name: an insult or a
     * threat. General toxicity adds nothing to a reason already given. */
    bool fired = false;
    for (int k = 0; k < RULE_COUNT; k++)
        fired |= c->f[k].on && k != RULE_OFF_TOPIC && k != RULE_NEW_USER && k != RULE_SPAM &&
                 k != RULE_PREMODERATED;
    /* Where the model has nothing to add, the readings below cannot
     * change the decision: asked first, they would cost an explanation
     * (the leave-one-out pass over every word) for nothing. */
    if (homonym && conf < m->homonym_at)
        return;
    if (fired ? !sure_adds(c, cs, CLF_INSULT) && !sure_adds(c, cs, CLF_THREAT)
              : c->f[r].on || m->pol.action[r] == POLICY_OFF)
        return;
    if (violence && over >= 0 && conf < m->confirm_at)
        guarded |= violence_driven(c, guard, over);
    /* The rules' innocent reading of a word counts only while that word
     * is what the score rests on. */
    if (guarded && conf < m->confirm_at && over >= 0 && !guard_driven(c, guard, over, cs))
        guarded = false;
    if (!listed && praised(c))
        guarded = true;
    if (!listed && !guarded && conf < m->confirm_at && mention_driven(c, (classifier_attr)best))
        guarded = true;
    if (!guarded && conf < m->confirm_at && allow_driven(c, (classifier_attr)best))
        guarded = true;
    if (!listed && allow_carried(c, cs))
        return;
    if (guarded && conf < m->confirm_at)
        return;
    if (fired) {
        static const classifier_attr sure[] = {CLF_INSULT, CLF_THREAT};
        for (size_t i = 0; i < sizeof sure / sizeof *sure; i++) {
            if (!sure_adds(c, cs, sure[i]))
                continue;
            uint32_t sos, soe;
            model_excerpt(c, sure[i], &sos, &soe);
            c->f[attr_rule(sure[i])] =
                (found){true, true, false, false, attr_message(sure[i]), sos, soe, false};
        }
        return;
    }
    uint32_t os, oe;
    if (swore) { /* the word the rules found is the reason */
        const lex_hit *h = &c->hits[swear];
        span_tokens(c, (size_t)tok_at(c, h->start), (size_t)tok_at(c, h->end - 1), &os, &oe);
        c->f[r] = (found){true, true, false, false, attr_message(CLF_PROFANITY), os, oe, false};
        return;
    }
    model_excerpt(c, (classifier_attr)best, &os, &oe);
    if (oe == os && best != CLF_TOXICITY)
        model_excerpt(c, CLF_TOXICITY, &os, &oe);
    c->f[r] = (found){true, true, false, false, attr_message((classifier_attr)best), os, oe, false};
}

/* What the policy says for rule r, tempered by the model: a reject needs
 * the model's agreement, and an attack or threat the rules found becomes a
 * reject when the model is sure of it. */
policy_action
model_temper(const ctx *c, moderation_rule r, policy_action act, const classifier_scores *cs)
{
    const moderation *m = c->m;
    if (m->clf == NULL || cs->p[CLF_TOXICITY] < 0)
        return act;
    if (c->f[r].model)
        return act == POLICY_REJECT ? POLICY_HOLD : act;
    bool word_rule = r == RULE_PROFANITY || r == RULE_VULGARITY || r == RULE_SLUR;
    if (act == POLICY_REJECT && word_rule && c->f[r].homograph && !c->f[r].certain)
        return POLICY_HOLD; /* an innocent twin is possible: a moderator decides */
    if (act == POLICY_REJECT && word_rule && !c->model_offensive && !c->f[r].certain)
        return POLICY_HOLD; /* the words may be innocent here: a moderator decides */
    if (act == POLICY_HOLD && m->reject_at <= 1.0) {
        if (r == RULE_PERSONAL_ATTACK && cs->p[CLF_INSULT] >= m->reject_at)
            return POLICY_REJECT;
        if (r == RULE_HARASSMENT && cs->p[CLF_THREAT] >= m->reject_at)
            return POLICY_REJECT;
    }
    return act;
}
