/* moderation/ctx.c: the per-comment context: the folded text cut into tokens, the
 * reasons found so far and their excerpts, and the small word lists and
 * helpers every rule reads (who is a person, what negates, what is a name).
 */
#include "moderation/moderation_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
tokenize(ctx *c)
{
    const norm_text *t = &c->t;
    size_t cap = t->len / 2 + 2;
    c->ts = arena_alloc(c->a, cap * sizeof *c->ts);
    c->te = arena_alloc(c->a, cap * sizeof *c->te);
    c->ntok = 0;
    size_t i = 0;
    while (i < t->len) {
        const char *sp = memchr(t->s + i, ' ', t->len - i);
        size_t e = sp ? (size_t)(sp - t->s) : t->len;
        c->ts[c->ntok] = (uint32_t)i;
        c->te[c->ntok] = (uint32_t)e;
        c->ntok++;
        i = e + 1;
    }
}

/* The token holding folded byte pos (not a space). */
long
tok_at(const ctx *c, uint32_t pos)
{
    size_t lo = 0, hi = c->ntok;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (c->ts[mid] <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return (long)lo;
}

/* True when token k spells w; doubles in w match one folded letter, as the
 * folded text keeps a double letter as one byte with a run of two. */
bool
tok_is(const ctx *c, long k, const char *w)
{
    if (k < 0 || (size_t)k >= c->ntok)
        return false;
    const char *s = c->t.s + c->ts[k];
    size_t n = c->te[k] - c->ts[k], i = 0;
    for (const char *p = w; *p; p++) {
        if (p > w && *p == p[-1])
            continue;
        if (i >= n || s[i] != *p)
            return false;
        i++;
    }
    return i == n;
}

/* True when token s[0, n) is w with one letter inside it left out, or with
 * two adjacent letters swapped; the first letter kept. w is spelled with its
 * doubled letters once, as tokens are folded (tok_is). */
static bool
misspells(const char *s, size_t n, const char *w)
{
    char f[32];
    size_t m = 0;
    for (const char *p = w; *p; p++) {
        if (p > w && *p == p[-1])
            continue;
        if (m + 1 >= sizeof f)
            return false;
        f[m++] = *p;
    }
    if (m == 0 || n == 0 || s[0] != f[0])
        return false;
    size_t i = 0; /* the common start */
    while (i < n && i < m && s[i] == f[i])
        i++;
    if (m == n + 1 && m >= 6 && s[n - 1] == f[m - 1]) /* one inner letter left out */
        return memcmp(s + i, f + i + 1, n - i) == 0;
    if (m == n && m >= 4) /* two adjacent letters swapped */
        return i + 1 < n && s[i] == f[i + 1] && s[i + 1] == f[i] &&
               memcmp(s + i + 2, f + i + 2, n - i - 2) == 0;
    return false;
}

bool
tok_guess_in(const ctx *c, long k, const char *const *set)
{
    if (tok_in(c, k, set))
        return true;
    if (k < 0 || (size_t)k >= c->ntok)
        return false;
    const char *s = c->t.s + c->ts[k];
    size_t n = c->te[k] - c->ts[k];
    if (n < 3)
        return false;
    /* the dictionary only for a token that spells a guess at all, and
     * with its double letters, which the folded text keeps once: "running"
     * is a word, not "ruining" less its i */
    for (; *set; set++) {
        if ((*set)[0] != s[0] || !misspells(s, n, *set))
            continue;
        return !lexicon_has_word(c->m->lx, s, n) &&
               !lexicon_has_spelled(c->m->lx, &c->t, c->ts[k], c->te[k]);
    }
    return false;
}

const char *const second_person[] = {"you", "u", "ya", "ye", "yall", "thou", "yourself", NULL};
const char *const second_copula[] = {"youre", "ur", "your", "yer", "youve", NULL};
const char *const third_copula[] = {"hes", "shes", "theyre", NULL};
/* The verbs that say what someone is or seems: the plain "be" of the
 * reader or of a plural subject ("you are", "they were") and of one person
 * or thing ("he is", "a woman was"); the verbs of seeming in the same two
 * persons ("you sound", "she looks"); and the verbs of saying that report
 * the words after them ("I never said how dumb you were"). copulas is the
 * wider set of linking verbs, of any person, that stand between a subject
 * and what it is called ("you really are", "they become"). */
const char *const be_you[] = {"are", "r", "were", NULL};
const char *const be_one[] = {"is", "was", NULL};
const char *const be_one_not[] = {"isnt", "wasnt", NULL};
const char *const seem_you[] = {"sound",  "sounded", "look",   "looked",   "seem",
                                "seemed", "act",     "appear", "appeared", NULL};
const char *const seem_one[] = {"sounds", "sounded", "looks",   "looked",   "seems",
                                "seemed", "acts",    "appears", "appeared", NULL};
const char *const say_verbs[] = {"say",    "said",    "saying", "says",   "claim",
                                 "claims", "claimed", "think",  "thinks", NULL};
const char *const copulas[] = {"is",       "are",   "was",     "were", "be",     "been",
                               "being",    "r",     "am",      "seem", "seems",  "look",
                               "looks",    "sound", "sounds",  "act",  "acting", "become",
                               "becoming", "get",   "getting", NULL};
const char *const fillers[] = {
    "a",         "an",      "the",      "such",       "so",        "really",     "very",
    "total",     "totally", "complete", "completely", "absolute",  "absolutely", "utter",
    "utterly",   "just",    "pretty",   "too",        "fucking",   "fuckin",     "bloody",
    "damn",      "real",    "big",      "little",     "clearly",   "obviously",  "being",
    "acting",    "like",    "stupid",   "dumb",       "ignorant",  "pathetic",   "worthless",
    "brainless", "lying",   "useless",  "old",        "sad",       "fat",        "ugly",
    "typical",   "of",      "one",      "another",    "certified", "proper",     "right",
    "bit",       "kind",    "sort",     "such",       NULL};
const char *const negators[] = {"not",      "never",   "no",     "isnt",   "arent", "wasnt",
                                "werent",   "dont",    "doesnt", "didnt",  "aint",  "nobody",
                                "noone",    "nothing", "none",   "hardly", "cant",  "wont",
                                "shouldnt", "neither", "nor",    NULL};
const char *const person_words[] = {
    "he",         "she",         "him",      "her",      "they",      "them",       "author",
    "writer",     "journalist",  "reporter", "editor",   "columnist", "op",         "poster",
    "commenter",  "commentator", "guy",      "man",      "woman",     "lady",       "dude",
    "mayor",      "president",   "minister", "senator",  "governor",  "councillor", "councilor",
    "politician", "boss",        "ceo",      "chairman", "judge",     "teacher",    "officer",
    "person",     "moderator",   "mod",      "husband",  "wife",      "mother",     "father",
    "mom",        "mum",         "dad",      "son",      "daughter",  "boy",        "girl",
    "reader",     "chancellor",  "premier",  "leader",   "candidate", "spokesman",  "spokeswoman",
    "mp",         "pm",          "king",     "queen",    "prince",    "princess",   "coach",
    "manager",    "player",      "owner",    "founder",  "host",      "anchor",     NULL};
const char *const first_person[] = {"i",         "im",  "me", "we",  "us", "myself",
                                    "ourselves", "ive", "id", "ill", NULL};
/* Capitalised words that are no name (with idea_words, which are not either). */
static const char *const not_names[] = {
    "there",   "here",     "the",        "a",        "an",       "and",     "but",     "or",
    "so",      "if",       "then",       "all",      "some",     "many",    "most",    "who",
    "why",     "how",      "when",       "where",    "my",       "our",     "his",     "their",
    "these",   "those",    "today",      "now",      "well",     "yes",     "no",      "oh",
    "ok",      "okay",     "sure",       "honestly", "frankly",  "also",    "council", "party",
    "brexit",  "congress", "parliament", "senate",   "court",    "city",    "country", "state",
    "economy", "market",   "company",    "team",     "club",     "school",  "church",  "media",
    "news",    "internet", "twitter",    "facebook", "somebody", "someone", "let",     "lets",
    "please",  "maybe",    "perhaps",    "just",     "only",     "one",     "nobody",  "anyone",
    "anybody", NULL};
/* Things a harsh word may be said of; since 2026-12-07 (late night) also
 * what a team or a crowd did ("What a pathetic turnout"), but not "excuse":
 * "a pathetic excuse for a man" is said of a person. */
const char *const idea_words[] = {
    "this",     "that",      "it",         "its",      "thats",       "which",      "plan",
    "idea",     "policy",    "article",    "argument", "law",         "bill",       "decision",
    "proposal", "comment",   "post",       "claim",    "statement",   "move",       "approach",
    "logic",    "reasoning", "theory",     "rule",     "budget",      "scheme",     "design",
    "piece",    "story",     "take",       "view",     "opinion",     "point",      "question",
    "answer",   "response",  "reply",      "system",   "program",     "programme",  "strategy",
    "deal",     "report",    "study",      "vote",     "tax",         "thing",      "stuff",
    "headline", "title",     "everything", "nothing",  "something",   "government", "plans",
    "ideas",    "policies",  "arguments",  "laws",     "decisions",   "comments",   "claims",
    "rules",    "idea",      "what",       "turnout",  "performance", "showing",    "effort",
    "efforts",  "attempt",   "attempts",   "display",  NULL};

void
set_reason(ctx *c, moderation_rule r, const char *message, uint32_t os, uint32_t oe)
{
    if (c->f[r].on || c->m->pol.action[r] == POLICY_OFF)
        return;
    c->f[r] = (found){true, false, false, false, message, os, oe, false};
}

/* Original byte span of folded tokens [k1, k2]. */
void
span_tokens(const ctx *c, size_t k1, size_t k2, uint32_t *os, uint32_t *oe)
{
    *os = c->t.ostart[c->ts[k1]];
    *oe = c->t.oend[c->te[k2] - 1];
}

void
span_hit(const ctx *c, const lex_hit *h, uint32_t *os, uint32_t *oe)
{
    *os = c->t.ostart[h->start];
    *oe = c->t.oend[h->end - 1];
}

/* A masked word ("f*cking") stands where an intensifier would. */
bool
tok_masked(const ctx *c, long k)
{
    return memchr(c->t.s + c->ts[k], '*', c->te[k] - c->ts[k]) != NULL;
}

/* Token k opens its sentence, or follows only softeners that do, up to
 * three ("Please don't ...", "Oh please just don't ..."). */
static bool
opens_sentence(const ctx *c, long k)
{
    for (int soft = 0; soft < 4; soft++, k--) {
        if (k == 0 || !same_sentence(c, c->t.oend[c->te[k - 1] - 1], c->t.ostart[c->ts[k]]))
            return true;
        static const char *const softeners[] = {"please", "just", "oh", "so", "now", NULL};
        if (!tok_in(c, k - 1, softeners))
            return false;
    }
    return false;
}

/* The negator at j begins an order to the reader about token k, "Don't be
 * (such) an idiot" or "Do not be (so) stupid": it forbids what follows
 * without denying that the reader is it ("Don't be such an idiot, read the
 * article." calls the reader one). Only articles and intensifiers may
 * stand between "be" and k: in "Don't be afraid to ask stupid questions"
 * the order is about something else. */
bool
order_to_reader(const ctx *c, long j, long k)
{
    static const char *const be_fillers[] = {"a",     "an",    "such",     "so",
                                             "that",  "this",  "complete", "absolute",
                                             "total", "utter", "real",     NULL};
    if (!tok_is(c, j + 1, "be"))
        return false;
    for (long m = j + 2; m < k; m++)
        if (!tok_in(c, m, be_fillers))
            return false;
    if (tok_is(c, j, "dont"))
        return opens_sentence(c, j);
    return tok_is(c, j, "not") && j > 0 && tok_is(c, j - 1, "do") && opens_sentence(c, j - 1);
}

/* A comma, semicolon or colon between tokens j and j + 1 of the original
 * text. */
static bool
clause_break_after(const ctx *c, long j)
{
    for (uint32_t b = c->t.oend[c->te[j] - 1]; b < c->t.ostart[c->ts[j + 1]]; b++) {
        char ch = c->in->body[b];
        if (ch == ',' || ch == ';' || ch == ':')
            return true;
    }
    return false;
}

/* A negation that compares or adds affirms what follows: "You're nothing
 * but a liar.", "no better than a thief", "none other than", "not only a
 * liar"; and so does a suggestion. */
static bool
affirming(const ctx *c, long j)
{
    if (tok_is(c, j, "nothing"))
        return tok_in(c, j + 1, (const char *const[]){"but", "more", "less", "short", NULL});
    if (tok_is(c, j, "no"))
        return tok_in(c, j + 1,
                      (const char *const[]){"more", "better", "less", "different", NULL}) &&
               tok_is(c, j + 2, "than");
    if (tok_is(c, j, "none"))
        return tok_is(c, j + 1, "other");
    /* a suggestion: "Why don't we just kill all the men?", "why not" */
    if (tok_is(c, j - 1, "why") && (tok_is(c, j, "not") || tok_is(c, j, "dont")))
        return true;
    if (tok_is(c, j, "not"))
        return tok_in(c, j + 1, (const char *const[]){"only", "just", "merely", NULL});
    return false;
}

bool
negated_before(const ctx *c, long k, int window)
{
    /* a clause of time opens between the negation and the word: "You won't
     * be smiling when I find you" negates the smiling */
    static const char *const time_clause[] = {"when", "whenever", "once", "until", "till", NULL};
    if (tok_in(c, k, time_clause))
        return false; /* the phrase opens one itself */
    for (long j = k - 1; j >= 0 && j >= k - window; j--) {
        /* "Not illegals. Coward ...": a negation ends with its sentence;
         * "No, I will kill you", "Don't worry, I will shoot you": and with
         * its clause */
        if (!same_sentence(c, c->t.oend[c->te[j] - 1], c->t.ostart[c->ts[k]]) ||
            clause_break_after(c, j) || tok_in(c, j, time_clause))
            return false;
        if (tok_in(c, j, negators) && !affirming(c, j))
            return !order_to_reader(c, j, k);
    }
    return false;
}

bool
is_parent_author(const ctx *c, long k)
{
    const char *name = c->in->parent_author_name;
    if (name == NULL || name[0] == '\0' || k < 0 || (size_t)k >= c->ntok)
        return false;
    /* Compare the first word of the name, folded like the comment. */
    norm_text nt;
    size_t n = strlen(name);
    if (n > 128)
        n = 128;
    norm_fold(c->a, name, n, &nt);
    size_t e = 0;
    while (e < nt.len && nt.s[e] != ' ')
        e++;
    return e > 0 && e == c->te[k] - c->ts[k] && !memcmp(nt.s, c->t.s + c->ts[k], e);
}

bool
looks_like_name(const ctx *c, long k)
{
    if (k < 0 || (size_t)k >= c->ntok)
        return false;
    return (c->t.flags[c->ts[k]] & NORM_CAPITAL) && !tok_in(c, k, not_names) &&
           !tok_in(c, k, idea_words) && !tok_in(c, k, first_person);
}

/* The original character before byte os, skipping spaces; 0 at the start. */
char
orig_before(const ctx *c, uint32_t os)
{
    while (os > 0) {
        char ch = c->in->body[--os];
        if (ch != ' ' && ch != '\t')
            return ch;
    }
    return 0;
}

char
orig_after(const ctx *c, uint32_t oe)
{
    while (oe < c->in->body_len) {
        char ch = c->in->body[oe++];
        if (ch != ' ' && ch != '\t')
            return ch;
    }
    return 0;
}

/* True when the original spelling of a hit is not plain letters: leetspeak,
 * masks, look-alikes, separators, stretching or invisible characters. */
bool
disguised(const ctx *c, const lex_hit *h)
{
    if (h->via == LEX_VIA_GLUED)
        return true; /* nobody glues a bird's name to the next word */
    uint32_t os = c->t.ostart[h->start], oe = c->t.oend[h->end - 1];
    const char *b = c->in->body;
    bool phrase = tok_at(c, h->start) != tok_at(c, h->end - 1);
    for (uint32_t i = os; i < oe; i++) {
        unsigned char ch = (unsigned char)b[i];
        if (ch == '\'')
            continue; /* "nigga's" is a possessive, not a disguise */
        if (phrase && ch == ' ' && i > os && b[i - 1] != ' ')
            continue; /* one space between a phrase's words: "sit on my face" */
        if (ch == 0xE2 && i + 2 < oe && (unsigned char)b[i + 1] == 0x80 &&
            (unsigned char)b[i + 2] == 0x99) {
            i += 2; /* U+2019, the typographic apostrophe */
            continue;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
            return true;
    }
    for (uint32_t i = h->start; i < h->end; i++)
        if (c->t.run[i] >= 3)
            return true;
    return (c->t.flags[c->ts[tok_at(c, h->start)]] & NORM_JOINED) != 0;
}

/* A severe word (severity 3: no innocent use), a disguised one (nobody
 * hides a word for a bird or a degree) or one with no innocent homograph
 * makes a reject certain without the model's agreement (see "the model"
 * below). */
void
mark_certain(ctx *c, moderation_rule r, const lex_hit *h)
{
    if (!c->f[r].on || c->f[r].model)
        return;
    /* A word found only across the dot or hyphen of what could be a host
     * name ("visit bit.ch", "sex.com"-like names, "cu.nt"): a moderator
     * decides (moderation.c caps the rule at a hold unless another word
     * made it fire). */
    /* A misspelt word ("despicble", "thraet") is a guess: the same. */
    if (h->host || h->via == LEX_VIA_GUESS) {
        c->f[r].host = true;
        return;
    }
    /* Strong words that are also innocent ones (degrees: "magna cum
     * laude"; birds: "blue tits"; plants and names: "pussy willow", "Dick";
     * doors: "knob") are marked "homograph" in the lexicon: the model cannot
     * tell the twins apart any better than a word list (it scores "pussy
     * willow" as offensive), so their plain spellings are never rejected,
     * whatever their severity (a slur that is one is certain when aimed:
     * rule_words). */
    bool homograph = lexicon_term_homograph(c->m->lx, h->term);
    if (disguised(c, h) || !homograph)
        c->f[r].certain = true;
    else
        c->f[r].homograph = true;
}

/* True when no sentence ends between original bytes a and b. */
bool
same_sentence(const ctx *c, uint32_t a, uint32_t b)
{
    for (uint32_t i = a; i < b && i < c->in->body_len; i++) {
        char ch = c->in->body[i];
        if (ch == '.' || ch == '!' || ch == '?' || ch == '\n')
            return false;
    }
    return true;
}
