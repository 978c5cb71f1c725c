/* moderation/rules_words.c: the rules over listed words: strong profanity, vulgarity and
 * slurs (contextual slurs only when aimed), insults and their targets
 * (an insult said of an idea is criticism), threats and wishes of harm,
 * personal details.
 */
#include "moderation/moderation_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char MSG_ATTACK[] =
    "This reads as a personal attack. Criticise the argument, not the person.";
static const char MSG_THREAT[] = "This reads as a threat or a wish of harm against a person.";

/* Is the word quoted or named rather than used ("calling people
 * \"idiots\"", "he called me a moron")? */
static bool
mentioned(const ctx *c, const lex_hit *h, long k)
{
    static const char *const calls[] = {"call", "calls", "calling",  "called",  "word",
                                        "term", "label", "labelled", "labeled", NULL};
    for (long j = k - 1; j >= 0 && j >= k - 3; j--)
        if (tok_in(c, j, calls))
            return true;
    uint32_t os = c->t.ostart[h->start], oe = c->t.oend[h->end - 1];
    const unsigned char *b = (const unsigned char *)c->in->body;
    bool open = (os >= 1 && (b[os - 1] == '"' || b[os - 1] == '\'')) ||
                (os >= 3 && b[os - 3] == 0xE2 && b[os - 2] == 0x80 &&
                 (b[os - 1] == 0x9C || b[os - 1] == 0x98));
    bool close = (oe < c->in->body_len && (b[oe] == '"' || b[oe] == '\'')) ||
                 (oe + 2 < c->in->body_len && b[oe] == 0xE2 && b[oe + 1] == 0x80 &&
                  (b[oe + 2] == 0x9D || b[oe + 2] == 0x99));
    return open && close;
}

/* Does token kend end its sentence (the last token, or the next one is in
 * another sentence)? */
static bool
ends_sentence(const ctx *c, long kend)
{
    return (size_t)kend + 1 >= c->ntok ||
           !same_sentence(c, c->t.oend[c->te[kend] - 1], c->t.ostart[c->ts[kend + 1]]);
}

/* Does the insult noun ending in token kend end its noun phrase ("this
 * crook.", "this sicko thinks", "this creep keeps ...") rather than qualify
 * the next noun ("this clown show", "this troll farm", "this snowflake
 * generation")? The next word of the sentence must be a function word or
 * look like a verb (-s, -ed). */
static bool
noun_ends_phrase(const ctx *c, long kend)
{
    static const char *const next[] = {
        "is",    "was",    "has",   "had",    "will",   "would", "should", "can",   "could",
        "does",  "did",    "just",  "who",    "that",   "and",   "or",     "but",   "to",
        "in",    "on",     "at",    "with",   "for",    "from",  "of",     "again", "here",
        "there", "now",    "never", "always", "really", "still", "even",   "also",  "isnt",
        "wasnt", "doesnt", "didnt", "wont",   "cant",   "needs", "thinks", "keeps", NULL};
    long q = kend + 1;
    if (ends_sentence(c, kend))
        return true;
    if (tok_in(c, q, next))
        return true;
    size_t n = c->te[q] - c->ts[q];
    const char *w = c->t.s + c->ts[q];
    return n > 3 && (w[n - 1] == 's' || (w[n - 2] == 'e' && w[n - 1] == 'd'));
}

/* Does a letter follow the hit h after spaces only, with no punctuation
 * between ("stupid this", not "stupid, this"), and does the hit end its
 * word ("#twitch" holds the listed "twit" inside)? */
static bool
word_then_word(const ctx *c, const lex_hit *h)
{
    uint32_t oe = c->t.oend[h->end - 1];
    if (oe >= c->in->body_len || (c->in->body[oe] != ' ' && c->in->body[oe] != '\t'))
        return false;
    char next = orig_after(c, oe);
    return (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z');
}

/* "how ignorant you sound", "how dumb u look", "what a twit you are", "how
 * ugly she is": is the reader (or one person, "he", "she") the subject of
 * the insult in tokens [k, kend], whatever was negated before ("by not
 * recognizing how ignorant you sound")? Not across a comma ("You are not
 * stupid, you look tired."), nor for a hit inside a longer word ("#twitch
 * He is ..."), nor after a verb of saying ("I never said how
 * dumb you were"); not "they", a group. */
static bool
reader_subject(const ctx *c, const lex_hit *h, long k, long kend)
{
    bool you = tok_in(c, kend + 1, second_person) &&
               (tok_in(c, kend + 2, be_you) || tok_in(c, kend + 2, seem_you));
    bool one = tok_in(c, kend + 1, (const char *const[]){"he", "she", NULL}) &&
               (tok_in(c, kend + 2, be_one) || tok_in(c, kend + 2, seem_one));
    if (!you && !one)
        return false;
    return word_then_word(c, h) &&
           same_sentence(c, c->t.ostart[h->start], c->t.ostart[c->ts[kend + 2]]) &&
           !mentioned(c, h, k) && !tok_in(c, k - 1, say_verbs) && !tok_in(c, k - 2, say_verbs) &&
           !tok_in(c, k - 3, say_verbs);
}

/* "a stupid policy", "what a dumb idea": does the adjective h, ending at
 * token kend, qualify a thing (an idea word within two words, in its
 * sentence)? A pronoun or determiner right after it, in the same clause and
 * before a word that is no copula, is no noun it qualifies ("how stupid this
 * woman is", "so dumb that I ..."); before a copula it is the thing ("how
 * stupid it is"), and one word on it still counts ("How stupid is that?",
 * and "as ignorant as it gets", an idiom). */
static bool
qualifies_idea(const ctx *c, const lex_hit *h, long kend)
{
    static const char *const pointing[] = {"this",  "that",  "it",   "its",
                                           "thats", "which", "what", NULL};
    for (long q = kend + 1; q <= kend + 2 && (size_t)q < c->ntok; q++) {
        if (!same_sentence(c, c->t.oend[c->te[kend] - 1], c->t.ostart[c->ts[q]]))
            break; /* "... in ridiculous statements. What ...": not its noun */
        if (q == kend + 1 && tok_in(c, q, pointing) && word_then_word(c, h) &&
            !tok_in(c, q + 1, copulas))
            continue;
        if (tok_in(c, q, idea_words))
            return true;
    }
    return false;
}

/* The insult h ends at token kend after "your" at token j, with skipped
 * fillers between: is it said of a thing of the reader's ("your stupid
 * plan")? An adjective after "your" needs "you", but one that ends its
 * sentence stands for "you're" ("your dumb", "Your ugly.", "your dumb
 * though"), and so does "your a" ("your a dumb @$$"); "your ugly face",
 * "your stupid self" are said of the reader's person (2026-12-07, late
 * night; an adjective of severity 2). */
static bool
your_thing(const ctx *c, const lex_hit *h, long j, long kend, int skipped)
{
    bool noun = h->category == LEX_INSULT;
    bool ends = ends_sentence(c, kend) ||
                tok_in(c, kend + 1, (const char *const[]){"though", "af", "lol", NULL});
    bool person = !noun && h->severity >= 2 &&
                  tok_in(c, kend + 1,
                         (const char *const[]){"face", "self", "mug", "body", "head", "mouth",
                                               "kisser", "carcass", NULL});
    return !(!noun && skipped == 0 && ends) && !person &&
           !(skipped > 0 && tok_in(c, j + 1, (const char *const[]){"a", "an", NULL}));
}

/* Is the insult in tokens [k, kend] aimed at a person? Sets the excerpt
 * start token in *from. */
static int
insult_target(ctx *c, const lex_hit *h, long k, long kend, long *from)
{
    bool noun = h->category == LEX_INSULT;
    *from = k;
    if (h->via == LEX_VIA_TARGETED)
        return INSULT_AIMED;
    /* "..., you idiot": the insult right after "you" is aimed whatever
     * was negated before ("Wikipedia isn't fact, you idiot."). */
    if (k >= 1 && tok_is(c, k - 1, "you") && !mentioned(c, h, k) &&
        !(k >= 2 && tok_in(c, k - 2, (const char *const[]){"not", "never", "arent", NULL})))
        return INSULT_AIMED;
    /* A vocative after an order or a clause, no comma: "Then don't watch
     * it loser.", "Go home now idiot": the word before is an object or an
     * adverb that a noun phrase cannot start with, and the insult ends its
     * sentence; the negation before is the order's ("don't watch"). */
    /* (tok_is folds doubled letters: "off" and "too" would be "of", "to") */
    static const char *const clause_end[] = {"it",   "me",     "him",    "her",     "them",
                                             "up",   "out",    "now",    "again",   "lol",
                                             "home", "please", "anyway", "already", NULL};
    uint32_t vos = c->t.ostart[c->ts[k]];
    if (noun && k >= 1 && tok_in(c, k - 1, clause_end) &&
        same_sentence(c, c->t.ostart[c->ts[k - 1]], vos) && !mentioned(c, h, k) &&
        ends_sentence(c, kend))
        return INSULT_AIMED;
    if (reader_subject(c, h, k, kend))
        return INSULT_AIMED;
    /* "idiots like you" whatever was negated before: "Nobody cares what a
     * hack like you thinks." */
    if (noun && tok_is(c, kend + 1, "like") && tok_in(c, kend + 2, second_person) &&
        !mentioned(c, h, k))
        return INSULT_AIMED;
    if (negated_before(c, k, 4) || mentioned(c, h, k))
        return INSULT_NOT;
    long j = k - 1;
    int skipped = 0;
    while (j >= 0 && skipped < 5 && (tok_in(c, j, fillers) || tok_masked(c, j))) {
        j--;
        skipped++;
    }
    if (tok_in(c, j, second_person) || tok_in(c, j, second_copula)) {
        /* "you idiot", "you're a moron", "your an idiot"; but "your stupid
         * plan" is about the plan */
        if (tok_is(c, j, "your") && your_thing(c, h, j, kend, skipped))
            return INSULT_NOT;
        *from = j;
        return INSULT_AIMED;
    }
    if (tok_in(c, j, third_copula)) {
        *from = j;
        return INSULT_AIMED;
    }
    if (tok_in(c, j, copulas)) {
        long s = j - 1;
        /* "you libs really are dumb" */
        while (s > 0 && s > j - 3 && tok_in(c, s, fillers))
            s--;
        if (tok_in(c, s, second_person)) {
            *from = s;
            return INSULT_AIMED;
        }
        /* "you people are stupid", "you libs are dumb": "you" and a noun */
        if (s >= 1 && tok_in(c, s - 1, second_person) && !tok_in(c, s, first_person)) {
            *from = s - 1;
            return INSULT_AIMED;
        }
        if (tok_in(c, s, first_person) || tok_in(c, s, idea_words))
            return INSULT_NOT;
        /* "Don't be stupid.": an order to the reader, who is the one
         * called it; the rules place it no further, the model decides. */
        if (tok_is(c, j, "be") && order_to_reader(c, j - 1, k))
            return INSULT_UNKNOWN;
        /* "Politicians are idiots": a plural subject is a group, and
         * insulting a group is not an attack on a person here. */
        if ((tok_is(c, j, "are") || tok_is(c, j, "were")) && s >= 0 && c->te[s] > c->ts[s] &&
            c->t.s[c->te[s] - 1] == 's' && !tok_in(c, s, person_words))
            return INSULT_NOT;
        /* "the author is an idiot", "Bob is a moron" (names only with a
         * noun: "Brexit is stupid" is about a thing). */
        if (tok_in(c, s, person_words) || is_parent_author(c, s) ||
            (noun && looks_like_name(c, s))) {
            *from = s;
            return INSULT_AIMED;
        }
        return noun ? INSULT_UNKNOWN : INSULT_NOT;
    }
    if (tok_in(c, j, first_person))
        return INSULT_NOT; /* "I am such an idiot" was handled above; "me, an idiot" */
    /* "a load of rubbish", "a pile of garbage": said of what was said */
    if (noun && lexicon_term_criticism(c->m->lx, h->term) &&
        tok_is(c, j + 1, "of") && /* "of" is a filler: j is the word before it */
        tok_in(c, j, (const char *const[]){"load", "pile", "heap", "crock", NULL}) &&
        !tok_in(c, kend + 1, (const char *const[]){"like", "who", NULL}))
        return INSULT_NOT;
    /* "Only a complete halfwit would believe this": aimed at whoever does,
     * the reader who disagrees; a strong noun only ("Only a fool would bet
     * against her" is an idiom of praise) */
    if (noun && h->severity >= 2 && tok_is(c, j, "only") &&
        tok_in(c, kend + 1,
               (const char *const[]){"would", "could", "believes", "thinks", "votes", NULL})) {
        *from = j;
        return INSULT_AIMED;
    }
    if (!noun) {
        /* "That's stupid." as "That is stupid.", and the question "How is
         * that ridiculous?": an adjective said of a thing. */
        static const char *const thing_is[] = {"thats", "its", "whats", NULL};
        static const char *const is_thing[] = {"that", "this", "it", NULL};
        if (tok_in(c, j, thing_is) ||
            (tok_in(c, j, is_thing) && (tok_in(c, j - 1, be_one) || tok_in(c, j - 1, be_one_not))))
            return INSULT_NOT;
        if (qualifies_idea(c, h, kend))
            return INSULT_NOT;
        return INSULT_UNKNOWN;
    }
    /* "This sicko thinks ...", "close to this crook": "this" right before
     * an insult noun points at one person ("that" is as often a
     * conjunction: "the fact that incels ..."). */
    if (j == k - 1 && tok_is(c, j, "this") && noun_ends_phrase(c, kend)) {
        *from = j;
        return INSULT_AIMED;
    }
    /* "what an idiot you are" ("idiots like you" was read above) */
    if (tok_in(c, kend + 1, second_person) && (j < 0 || tok_is(c, j, "what")))
        return INSULT_AIMED;
    /* A vocative: "Nice try, idiot." or "Idiot, read the article." */
    uint32_t os, oe;
    span_hit(c, h, &os, &oe);
    char b = orig_before(c, os), a = orig_after(c, oe);
    if (b == ',' && (a == 0 || a == '.' || a == '!' || a == '?'))
        return INSULT_AIMED;
    if (b == 0 && (a == ',' || a == '!' || a == 0 || a == '.'))
        return INSULT_AIMED;
    /* "What an idiot.", also after other sentences ("I've seen you on
     * here before. What a poser."), when the noun ends its phrase ("What a
     * clown show." is about the show). */
    if (j >= 0 && tok_is(c, j, "what") &&
        (j == 0 || (!same_sentence(c, c->t.oend[c->te[j - 1] - 1], c->t.ostart[c->ts[j]]) &&
                    noun_ends_phrase(c, kend))))
        return INSULT_AIMED;
    return INSULT_UNKNOWN;
}

/* Does a double quotation mark (straight, or curly: U+201C, U+201D)
 * start at byte i of the n bytes at b? */
static bool
quote_mark(const unsigned char *b, size_t n, size_t i)
{
    return b[i] == '"' || (i + 2 < n && b[i] == 0xE2 && b[i + 1] == 0x80 &&
                           (b[i + 2] == 0x9C || b[i + 2] == 0x9D));
}

/* Is byte offset os inside a quotation: an odd number of double quotes
 * (straight or curly) before it? The marks are found in one pass over the
 * body, on the first question; each question is then a binary search, so
 * a long comment of quoted slurs costs no pass per slur. */
static bool
quoted(ctx *c, uint32_t os)
{
    const unsigned char *b = (const unsigned char *)c->in->body;
    size_t n = c->in->body_len;
    if (!c->quotes_read) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            k += quote_mark(b, n, i);
        c->quotes = k > 0 ? arena_alloc(c->a, k * sizeof *c->quotes) : NULL;
        for (size_t i = 0, j = 0; j < k; i++)
            if (quote_mark(b, n, i))
                c->quotes[j++] = (uint32_t)i;
        c->nquotes = k;
        c->quotes_read = true;
    }
    size_t lo = 0, hi = c->nquotes; /* the marks before os: the first at or after it */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->quotes[mid] < os)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo % 2 == 1;
}

/* Is the ambiguous adjective in token k said of the reader by a copula
 * ("you are insane", "You're crazy", "you re so thick", "ur insane."; no article between)?
 * "your"/"ur" stand for "you're" only when the adjective ends its sentence
 * ("your crazy ideas" is about the ideas). Sets the excerpt start token in
 * *from. */
static bool
reader_is(ctx *c, const lex_hit *h, long k, long *from)
{
    if (negated_before(c, k, 4) || mentioned(c, h, k))
        return false;
    long j = k - 1;
    /* predicative only: "you're the crazy guy from up the thread" names
     * someone, it calls no one crazy */
    static const char *const articles[] = {"a", "an", "the", NULL};
    for (int skipped = 0; j >= 0 && skipped < 3 && tok_in(c, j, fillers); skipped++) {
        if (tok_in(c, j, articles))
            return false;
        j--;
    }
    if (j < 0 || !same_sentence(c, c->t.ostart[c->ts[j]], c->t.ostart[c->ts[k]]))
        return false;
    long kend = tok_at(c, h->end - 1);
    bool ends = ends_sentence(c, kend);
    *from = j;
    if (tok_is(c, j, "youre") || (tok_in(c, j, (const char *const[]){"your", "ur", NULL}) && ends))
        return true;
    if (j >= 1 && (tok_in(c, j, be_you) || tok_is(c, j, "re")) &&
        tok_in(c, j - 1, (const char *const[]){"you", "u", NULL})) {
        *from = j - 1;
        return true;
    }
    return false;
}

/* Is the contextual slur (severity 1) in token k, starting at byte os,
 * aimed at someone? Reclaimed or innocent in most uses, it counts only
 * when aimed ("you ...", "... like you", "dirty ...") or disguised. */
static bool
slur_aimed(ctx *c, const lex_hit *h, long k, uint32_t os)
{
    static const char *const cues[] = {"dirty",  "filthy",     "stinking",  "fucking", "fuckin",
                                       "damn",   "bloody",     "typical",   "those",   "these",
                                       "stupid", "disgusting", "worthless", "lazy",    "ugly",
                                       "fat",    "bunch",      "kill",      "many",    NULL};
    bool aimed = false;
    long kend = tok_at(c, h->end - 1);
    for (long j = k - 1; j >= 0 && j >= k - 3 && !aimed; j--)
        aimed = (tok_in(c, j, second_person) || tok_is(c, j, "youre")) &&
                same_sentence(c, c->t.ostart[c->ts[j]], os);
    /* "and you are obviously a homo": "you are" (or "ur", "youre") and up
     * to three fillers before the word, outside a quotation (counter-speech
     * quotes the abuse it answers) */
    long r = k - 1;
    for (int s = 0; r >= 1 && s < 3 && tok_in(c, r, fillers); s++)
        r--;
    /* "ur a homo", "your such a homo": "your" for "you're" before an
     * article ("your homo friend" is about the friend) */
    bool contracted = r >= 0 && r < k - 1 && tok_in(c, r, second_copula) &&
                      tok_in(c, r + 1, (const char *const[]){"a", "an", "such", NULL}) &&
                      same_sentence(c, c->t.ostart[c->ts[r]], os);
    aimed = aimed ||
            ((contracted || (r >= 1 && tok_in(c, r, be_you) && tok_in(c, r - 1, second_person) &&
                             same_sentence(c, c->t.ostart[c->ts[r - 1]], os))) &&
             !quoted(c, os)); /* last: its first use reads the whole body */
    /* an order to the reader: "Stop acting like a spaz.", "Quit being a
     * homo.", "Don't be a fag." */
    if (!aimed && tok_in(c, k - 1, (const char *const[]){"a", "an", NULL})) {
        static const char *const stop[] = {"stop", "quit", NULL};
        /* not the speaker's resolution: "I need to stop being a ...",
         * "ima stop being a ..." */
        static const char *const own[] = {"i",    "im",   "ima",   "me",    "we",   "to",
                                          "need", "will", "ill",   "gonna", "must", "should",
                                          "cant", "can",  "never", NULL};
        long v = k - 2, o = -1;
        if (tok_is(c, v, "like") && tok_in(c, v - 1, (const char *const[]){"acting", "act", NULL}))
            o = tok_in(c, v - 2, stop) || tok_is(c, v - 2, "dont") ? v - 2 : -1;
        else if (tok_is(c, v, "being"))
            o = tok_in(c, v - 1, stop) ? v - 1 : -1;
        else if (tok_is(c, v, "be"))
            o = tok_is(c, v - 1, "dont") ? v - 1 : -1;
        aimed = o >= 0 && !tok_in(c, o - 1, own);
    }
    /* "What a spastic you are." (2026-12-07, late night) */
    bool what_you = tok_in(c, k - 1, (const char *const[]){"a", "an", NULL}) &&
                    tok_is(c, k - 2, "what") && tok_is(c, kend + 1, "you") &&
                    tok_in(c, kend + 2, (const char *const[]){"are", "r", "were", NULL});
    /* Disguised ("f4gg0t", "ｆａｇｇｏｔ"): nobody hides a word for a
     * meatball or a cigarette. */
    return aimed || what_you || disguised(c, h) || tok_in(c, k - 1, cues) ||
           (tok_is(c, kend + 1, "like") && tok_in(c, kend + 2, second_person));
}

/* An ambiguous adjective in token k said of the reader (reader_is) is a
 * personal attack; the excerpt ends at byte oe. */
static void
reader_called(ctx *c, const lex_hit *h, long k, uint32_t oe)
{
    long from;
    if (!reader_is(c, h, k, &from))
        return;
    uint32_t fos, foe;
    span_tokens(c, (size_t)from, (size_t)tok_at(c, h->end - 1), &fos, &foe);
    set_reason(c, RULE_PERSONAL_ATTACK, MSG_ATTACK, fos, oe);
    c->attack_found = true;
}

void
rule_words(ctx *c)
{
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        uint32_t os, oe;
        span_hit(c, h, &os, &oe);
        long k = tok_at(c, h->start);
        if (h->category <= LEX_SLUR) /* the whole word: "Fucking", not "Fuck" */
            span_tokens(c, (size_t)k, (size_t)tok_at(c, h->end - 1), &os, &oe);
        switch (h->category) {
        case LEX_PROFANITY:
            if (h->severity >= 2) {
                set_reason(c, RULE_PROFANITY,
                           "This comment uses strong language, which is not allowed here.", os, oe);
                mark_certain(c, RULE_PROFANITY, h);
            }
            break;
        case LEX_VULGARITY:
            if (h->severity >= 2) {
                set_reason(c, RULE_VULGARITY, "This comment uses vulgar language.", os, oe);
                mark_certain(c, RULE_VULGARITY, h);
            }
            break;
        case LEX_SLUR: {
            if (h->severity == 0)
                break;
            /* A slur that is also an innocent word ("sambo", the wrestling;
             * "tranny", a gearbox) is certain only when aimed at someone. */
            bool homograph = lexicon_term_homograph(c->m->lx, h->term);
            bool aimed = (h->severity == 1 || homograph) && slur_aimed(c, h, k, os);
            if (h->severity >= 2 || aimed) {
                set_reason(c, RULE_SLUR, "This comment uses a slur. Slurs are not allowed here.",
                           os, oe);
                mark_certain(c, RULE_SLUR, h);
                if (homograph && aimed)
                    c->f[RULE_SLUR].certain = true;
            }
            break;
        }
        case LEX_INSULT:
        case LEX_INSULT_ADJ: {
            /* A word of criticism ("ridiculous") gives no reason: its
             * reading only tells the model's bars whether it was said of a
             * thing. Other ambiguous words ("fat", "crazy") are not read. */
            bool criticism = lexicon_term_criticism(c->m->lx, h->term);
            if (h->severity == 0 && !criticism) {
                /* "you are insane", "You're crazy.": an ambiguous adjective
                 * said to the reader's face; elsewhere ("That's insane.",
                 * "crazy weather", "your fat butt") it is not read. */
                if (h->category == LEX_INSULT_ADJ)
                    reader_called(c, h, k, oe);
                break;
            }
            long from, kend = tok_at(c, h->end - 1);
            c->verdict[i] = (int8_t)insult_target(c, h, k, kend, &from);
            if (h->severity == 0)
                break;
            if (c->verdict[i] == INSULT_AIMED) {
                uint32_t fos, foe;
                span_tokens(c, (size_t)from, (size_t)kend, &fos, &foe);
                if (from > kend) /* "idiots like you": the insult itself */
                    fos = os;
                set_reason(c, RULE_PERSONAL_ATTACK, MSG_ATTACK, fos < os ? fos : os, oe);
                c->attack_found = true;
            }
            break;
        }
        case LEX_ATTACK:
            if (negated_before(c, k, 2))
                break;
            if (h->severity >= 2 || c->in->parent_body != NULL) {
                set_reason(c, RULE_PERSONAL_ATTACK, MSG_ATTACK, os, oe);
                c->attack_found = true;
            }
            break;
        case LEX_HARASSMENT: {
            /* "don't kill yourself" is care, not a threat; "run him over
             * to the clinic" is a lift. */
            long kend = tok_at(c, h->end - 1);
            bool errand = tok_is(c, kend, "over") && tok_is(c, kend + 1, "to");
            if (h->severity >= 2 && !negated_before(c, k, 4) && !tok_is(c, k - 1, "please") &&
                !errand)
                set_reason(c, RULE_HARASSMENT, MSG_THREAT, os, oe);
            break;
        }
        default:
            break;
        }
    }
}

static const char *const human_words[] = {
    "you",         "u",           "ya",         "him",        "her",           "them",
    "their",       "his",         "he",         "she",        "they",          "everyone",
    "everybody",   "anyone",      "anybody",    "people",     "person",        "women",
    "woman",       "men",         "man",        "girl",       "girls",         "boy",
    "boys",        "kids",        "children",   "child",      "muslims",       "jews",
    "christians",  "immigrants",  "refugees",   "migrants",   "blacks",        "whites",
    "gays",        "lesbians",    "trans",      "liberals",   "conservatives", "democrats",
    "republicans", "politicians", "cops",       "police",     "journalists",   "reporters",
    "mayor",       "president",   "minister",   "senator",    "judge",         "voters",
    "foreigners",  "yourself",    "yourselves", "himself",    "herself",       "themselves",
    "family",      "wife",        "husband",    "immigrant",  "muslim",        "jew",
    "refugee",     "migrant",     "foreigner",  "journalist", "reporter",      "politician",
    "cop",         "officer",     "teacher",    "doctor",     "editor",        "columnist",
    "governor",    "premier",     "councillor", "councilor",  "official",      "officials",
    "protester",   "protesters",  "activist",   "judges",     "mayors",        "senators",
    "ministers",   "traitor",     "traitors",   NULL};
static const char *const intent_words[] = {"to",    "will", "shall", "ill",   "well",  "gonna",
                                           "wanna", "lets", "must",  "would", "gotta", NULL};
static const char *const wish_words[] = {"should",   "ought", "must", "deserve", "deserves",
                                         "deserved", "wish",  "hope", "love",    "only",
                                         "better",   "just",  NULL};
static const char *const things_as_subject[] = {"this", "it", "that", "which", NULL};
/* "Someone will shoot you": another's intent, told to the victim; "needs
 * to" only after "someone": "Somebody needs to shoot that senator", but "You
 * need to shoot more" is coaching */
static const char *const someone_subject[] = {"someone", "somebody", NULL};
static const char *const someone_will[] = {"will", "shall", "gonna", "going", "needs", NULL};
static const char *const first_subject[] = {"i",    "im",   "ill",  "id",  "we",
                                            "well", "were", "lets", "ive", NULL};

/* Verbs of violence in the base form, which opens an order, and the
 * objects that make the order a threat against a person. */
static const char *const imperatives[] = {
    "kill",     "murder",  "stab",      "shoot",       "lynch", "rape",
    "torture",  "execute", "strangle",  "burn",        "drown", "behead",
    "castrate", "gas",     "slaughter", "exterminate", NULL};
static const char *const objects[] = {"him", "her", "them", "em", NULL};
static const char *const pointers[] = {"this", "that", "these", "those", NULL};
static const char *const object_nouns[] = {"guy",    "guys",   "man",     "men",   "woman", "women",
                                           "person", "people", "bastard", "bitch", "idiot", "scum",
                                           "creep",  "pig",    "thug",    "thugs", NULL};

/* What a person owns or loves, after a possessive: "burn your house down",
 * "I will find your kids". */
static const char *const possessives[] = {"your", "ur", "his", "her", "their", NULL};
static const char *const belongings[] = {
    "house",  "home",   "family",   "kids",   "children", "wife",     "husband",
    "mother", "mom",    "father",   "dad",    "son",      "daughter", "car",
    "dog",    "office", "head",     "throat", "face",     "skull",    "restaurant",
    "shop",   "store",  "business", "farm",   "truck",    "barn",     NULL};

/* People named by what they did: "Execute drug dealers.", "Shoot all the
 * looters.", "Kill the pedophiles." An order to kill them is a call for
 * violence against people, not a view on sentencing ("Murderers should get
 * life" names no act of violence). */
static const char *const offenders[] = {"dealers",    "criminals",   "murderers",  "rapists",
                                        "pedophiles", "paedophiles", "terrorists", "traitors",
                                        "looters",    "rioters",     "thieves",    "thugs",
                                        "killers",    "gangsters",   "illegals",   NULL};
static const char *const offender_lead[] = {"all", "the", "these", "those", "every", NULL};

static bool
offenders_at(const ctx *c, long o)
{
    if (tok_in(c, o, offender_lead))
        o++;
    if (tok_is(c, o, "the"))
        o++;
    bool drug = tok_is(c, o, "drug");
    o += drug;
    if (!tok_in(c, o, offenders) &&
        !(drug && tok_in(c, o, (const char *const[]){"pushers", "lords", NULL})))
        return false;
    /* not their belongings: "Burn the criminals' records.", also with a
     * right single quotation mark (U+2019); an em dash after the noun
     * ("Shoot the looters" and an em dash) is no possessive */
    uint32_t oe = c->t.oend[c->te[o] - 1];
    const unsigned char *b = (const unsigned char *)c->in->body;
    size_t n = c->in->body_len;
    bool possessive =
        oe < n &&
        (b[oe] == '\'' || (oe + 2 < n && b[oe] == 0xE2 && b[oe + 1] == 0x80 && b[oe + 2] == 0x99));
    return !possessive;
}

/* Where people gather to worship: burning or bombing one is violence
 * against the people in it and those it belongs to ("Someone should burn
 * the mosque down."). */
static const char *const worship_places[] = {"mosque",     "mosques",  "church",    "churches",
                                             "chapel",     "temple",   "temples",   "synagogue",
                                             "synagogues", "gurdwara", "gurdwaras", NULL};

/* A place of worship in token k that ends its noun phrase: "burn the
 * mosque down", "the church, and", not "the temple photos". */
static bool
worship_at(const ctx *c, long k)
{
    static const char *const enders[] = {
        "down",  "to",    "and",     "or",    "in",     "on",    "at",    "with", "now",
        "too",   "again", "tonight", "then",  "before", "after", "while", "so",   "if",
        "until", "of",    "because", "where", "that",   "which", NULL};
    if (!tok_in(c, k, worship_places))
        return false;
    return (size_t)k + 1 >= c->ntok ||
           !same_sentence(c, c->t.ostart[c->ts[k]], c->t.ostart[c->ts[k + 1]]) ||
           tok_in(c, k + 1, enders);
}

/* A person in token k: a pronoun, a group of people ("women", and words
 * for followers or members: "-ists", "-ians"), a name, a place of worship.
 * "Those" and "all" alone are not enough: "stab those balloons" threatens
 * no one. */
static bool
human_at(const ctx *c, long k)
{
    /* people named by what they did: "I sure wish the intruder was shot
     * dead.", "Gotta start shooting these thieves!" */
    static const char *const wrongdoers[] = {"intruder", "intruders", "burglar",    "burglars",
                                             "thief",    "robber",    "robbers",    "looter",
                                             "rapist",   "pedophile", "paedophile", NULL};
    if (tok_in(c, k, human_words) || is_parent_author(c, k) ||
        (looks_like_name(c, k) && !tok_in(c, k, idea_words)) || worship_at(c, k) ||
        tok_in(c, k, offenders) || tok_in(c, k, wrongdoers))
        return true;
    if (tok_in(c, k, possessives) && tok_in(c, k + 1, belongings))
        return true;
    if (k < 0 || (size_t)k >= c->ntok)
        return false;
    size_t n = c->te[k] - c->ts[k];
    const char *w = c->t.s + c->ts[k];
    return n > 5 && (!memcmp(w + n - 4, "ists", 4) || !memcmp(w + n - 4, "ians", 4));
}

/* What politics and business (and gardeners) say a verb of violence of: "kill the bill",
 * "kill Canadian jobs", "shoot down the idea", "kill the motion". No person
 * is harmed; words for places and buildings ("burn the school") are not
 * here, nor anything that names people ("the business", "the industry"). */
static const char *const thing_nouns[] = {
    "bill", "bills", "deal", "deals", "job", "jobs", "project", "projects", "motion", "motions",
    "plan", "plans", "proposal", "proposals", "idea", "ideas", "law", "laws", "legislation",
    "pipeline", "pipelines", "tax", "taxes", "budget", "economy", "program", "programs",
    "programme", "agreement", "treaty", "amendment", "reform", "reforms", "initiative", "policy",
    "policies", "debate", "momentum", "mood", "competition", "chances", "growth", "investment",
    "funding", "contract", "merger", "talks", "negotiations", "argument", "arguments",
    "proposition", "referendum", "subsidy", "subsidies", "tariff", "tariffs", "mandate", "scheme",
    "vote", "votes", "measure", "ordinance", "bylaw", "question", "story", "rumour", "rumor",
    "conversation", "engine", "lights", "sales", "value", "career", "careers", "reputation",
    "credibility", "order", "orders", "strategy", "warrant", "warrants", "mission", "trade",
    "trades", "task",
    /* the garden and the kitchen: "Kill those weeds.", "kill the germs",
     * "kill some time" (2026-12-07, night) */
    "weeds", "weed", "lawn", "grass", "mold", "mould", "germs", "bacteria", "fungus", "time", NULL};
/* Words that may stand between the verb and its object: "kill off the bill". */
static const char *const object_lead[] = {"the", "this",  "that",    "these", "those", "a",   "an",
                                          "our", "my",    "your",    "their", "his",   "her", "its",
                                          "any", "every", "another", "off",   "down",  NULL};

/* The last token of the verb's object when that object is a thing
 * (thing_nouns), at most one other word before it ("kill Canadian jobs",
 * "the climate deal"), within the sentence; -1 otherwise ("kill them",
 * "kill the bastard", "burn your house"). */
static long
thing_object(const ctx *c, long kend, uint32_t oe)
{
    bool modifier = false;
    for (long j = kend + 1; j <= kend + 4 && (size_t)j < c->ntok; j++) {
        if (!same_sentence(c, oe, c->t.ostart[c->ts[j]]))
            return -1;
        if (tok_in(c, j, thing_nouns))
            return j;
        if (tok_in(c, j, object_lead))
            continue;
        if (modifier || tok_in(c, j, human_words) || tok_in(c, j, object_nouns))
            return -1;
        modifier = true;
    }
    return -1;
}

/* A verb of violence used as a noun in law or in a report: "charged with
 * attempted murder", "accused of rape", "the murder rate", "the murder
 * trial". It names a crime; it threatens nobody. */
static bool
noun_use(const ctx *c, long k, long kend, uint32_t os, uint32_t oe)
{
    static const char *const nouns[] = {
        "murder",   "murders",   "killing",   "killings",   "rape",    "rapes",
        "shooting", "shootings", "stabbing",  "stabbings",  "torture", "slaughter",
        "lynching", "lynchings", "execution", "executions", NULL};
    static const char *const legal[] = {
        "charged",  "charge",    "charges",  "convicted", "conviction", "accused",
        "guilty",   "attempted", "arrested", "indicted",  "suspected",  "acquitted",
        "alleged",  "sentenced", "jailed",   "degree",    "prosecuted", "tried",
        "innocent", "confessed", "admitted", NULL};
    static const char *const after[] = {
        "rate",       "rates",       "trial",       "trials",     "case",          "cases",
        "charge",     "charges",     "suspect",     "suspects",   "investigation", "investigations",
        "conviction", "convictions", "victim",      "victims",    "scene",         "weapon",
        "count",      "counts",      "sentence",    "statistics", "stats",         "mystery",
        "probe",      "inquiry",     "inquest",     "verdict",    "numbers",       "epidemic",
        "accusation", "accusations", "allegations", NULL};
    if (k != kend || !tok_in(c, k, nouns))
        return false;
    long j = k - 1;
    if (tok_in(c, j, (const char *const[]){"with", "of", "for", NULL}))
        j--;
    if (j >= 0 && tok_in(c, j, legal) && same_sentence(c, c->t.ostart[c->ts[j]], os))
        return true;
    return (size_t)kend + 1 < c->ntok && tok_in(c, kend + 1, after) &&
           same_sentence(c, oe, c->t.ostart[c->ts[kend + 1]]);
}

/* A verb of violence in an everyday idiom that harms nobody: a phrasal verb
 * ("hang out with him", "hang on to them"), a shot that is a try or a jab
 * ("give them a shot", "shoot your shot", "shoot him a message", "shoot for
 * the stars"), time to pass ("an hour to kill", "kill some time"), a win
 * ("beat them at the polls", "beat me to it", "I hope we beat them"). A
 * word of violence after "beat" keeps the threat: "we beat them up",
 * "beat him to death". */
static bool
idiom_use(const ctx *c, long k, long kend, uint32_t oe)
{
    static const char *const hang_on[] = {"out",   "around", "on",    "onto",     "in",   "up",
                                          "about", "tight",  "loose", "together", "with", NULL};
    static const char *const shot_owner[] = {
        "a",       "your", "my",   "his", "her",     "our", "their", "best",    "big",   "cheap",
        "parting", "long", "good", "flu", "booster", "mug", "free",  "another", "first", NULL};
    static const char *const errands[] = {"message", "email",  "text", "note", "line",
                                          "look",    "glance", "dm",   "pm",   "question",
                                          "smile",   "shot",   NULL};
    static const char *const contests[] = {
        "polls",    "poll",   "election", "elections",    "ballot", "vote",    "votes",
        "game",     "games",  "match",    "playoffs",     "race",   "primary", "primaries",
        "november", "odds",   "deadline", "record",       "rush",   "traffic", "score",
        "points",   "finals", "final",    "championship", "series", "season",  "debate",
        "punch",    "it",     "chess",    "cup",          "league", "tonight", "tomorrow",
        "saturday", "sunday", "weekend",  "again",        NULL};
    static const char *const harm_after[] = {"up",   "death",  "senseless",   "shit",
                                             "crap", "hell",   "daylights",   "head",
                                             "face", "bloody", "unconscious", NULL};
    if (k != kend)
        return false;
    if (tok_is(c, k, "burns") && (tok_in(c, k - 1, possessives) || tok_is(c, k - 1, "my")))
        return true; /* "his burns have healed": the injury, a noun */
    if (tok_is(c, k, "hang"))
        return tok_in(c, k + 1, hang_on);
    /* tok_is() reads a double letter as one: "shot" and "shoot" are
     * told apart by the run of the 'o' */
    bool shoot = tok_is(c, k, "shot") && c->t.run[c->ts[k] + 2] >= 2;
    if (tok_is(c, k, "shot") && !shoot) {
        /* "a shot in the head" is still one */
        static const char *const body[] = {"head",  "face", "back",  "chest", "heart",
                                           "skull", "knee", "knees", "leg",   "legs",
                                           "gut",   "neck", NULL};
        for (long j = k + 1; j <= k + 3; j++)
            if (tok_in(c, j, body))
                return false;
        return tok_in(c, k - 1, shot_owner);
    }
    if (shoot && tok_is(c, k + 1, "for"))
        return true; /* "shoot for the stars", "shoot for a June release" */
    /* "Don't shoot the messenger." (news raters call the order "Shoot the
     * messenger!" toxic) */
    if (shoot && tok_is(c, k + 1, "the") && tok_is(c, k + 2, "messenger"))
        return negated_before(c, k, 3);
    if (shoot) {
        long o = tok_in(c, k + 1, objects) || tok_in(c, k + 1, human_words) ? k + 2 : k + 1;
        if (tok_in(c, o, possessives) || tok_is(c, o, "a") || tok_is(c, o, "an"))
            o++;
        return o > k + 1 && tok_in(c, o, errands);
    }
    if (tok_is(c, k, "kill")) {
        /* "kill time", "an hour to kill" */
        static const char *const spans[] = {"hour", "hours", "minutes",   "time",    "while",
                                            "day",  "days",  "afternoon", "evening", NULL};
        return tok_is(c, k + 1, "time") || (tok_is(c, k + 1, "some") && tok_is(c, k + 2, "time")) ||
               (tok_is(c, k - 1, "to") && tok_in(c, k - 2, spans) && !human_at(c, k + 1));
    }
    if (!tok_is(c, k, "beat"))
        return false;
    bool contest = tok_is(c, k - 1, "we");
    for (long j = k + 1; j <= k + 6 && (size_t)j < c->ntok; j++) {
        if (!same_sentence(c, oe, c->t.ostart[c->ts[j]]))
            break;
        if (tok_in(c, j, harm_after))
            return false;
        contest |= tok_in(c, j, contests);
    }
    return contest;
}

/* How far before a verb of violence its wish or intent, its victim and a
 * negation are looked for, within the sentence: six words, or ten when the
 * verb is coordinated with an earlier one ("and", "then", "or" among the six
 * words before it), whose wish it shares: "They should be charged with
 * murder and then hanged." has "should" eight words back, "I hope he tries
 * to get away and gets shot" nine. A relative clause or a clause of reason
 * ends the look: in "I hope the police find the man who was shot" the man
 * was shot before anyone wished anything ("if" does not: "We would be
 * better off if those people were eradicated" is the wish). */
static long
threat_reach(const ctx *c, long k, uint32_t os)
{
    static const char *const joins[] = {"and", "then", "or", NULL};
    static const char *const clauses[] = {"who",   "whom",  "whose",   "which", "whoever",
                                          "since", "where", "because", NULL};
    long reach = 6;
    for (long j = k - 1; j >= 0 && j >= k - 6; j--) {
        if (!same_sentence(c, c->t.ostart[c->ts[j]], os) || tok_in(c, j, clauses))
            break;
        if (tok_in(c, j, joins))
            reach = 10;
    }
    for (long j = k - 1; j >= 0 && j >= k - reach; j--)
        if (tok_in(c, j, clauses))
            return k - 1 - j;
    return reach;
}

/* Where the clause of a verb of violence begins, for its negation: at the
 * speaker's own intent ("I will", "I'll", "we're gonna ... to") or after
 * "make me" ("Don't make me come over there and kill you"; *made is then
 * set: the speaker says what they will do). A negation before that belongs
 * to another verb: "Don't you dare come here or I will shoot you." Returns
 * how many words before k the negation is looked for. */
static long
threat_clause(const ctx *c, long k, long reach, uint32_t os, bool *made)
{
    static const char *const make[] = {"make", "makes", "making", NULL};
    static const char *const me[] = {"me", "us", NULL};
    *made = false;
    for (long j = k - 1; j >= 0 && j >= k - reach; j--) {
        if (!same_sentence(c, c->t.ostart[c->ts[j]], os))
            break;
        if (tok_in(c, j, first_subject) &&
            (tok_in(c, j, intent_words) || tok_in(c, j + 1, intent_words) ||
             tok_in(c, k - 1, intent_words)))
            return k - j;
        if (tok_in(c, j, me) && j > 0 && tok_in(c, j - 1, make)) {
            *made = true;
            return k - j - 1;
        }
    }
    return reach;
}

/* "You don't deserve to live.", "He does not deserve to breathe.": a wish
 * of death said by its negation, aimed at a person named before it, ending
 * its sentence ("They do not deserve to live in fear." defends them; "I
 * don't deserve to live" is no threat to anyone else). */
static bool
denied_life(const ctx *c, uint32_t *os, uint32_t *oe)
{
    static const char *const lives[] = {"live", "breathe", "exist", NULL};
    static const char *const deserve[] = {"deserve", "deserves", NULL};
    for (size_t k = 2; k < c->ntok; k++) {
        if (!tok_in(c, (long)k, lives) || !tok_is(c, (long)k - 1, "to") ||
            !tok_in(c, (long)k - 2, deserve))
            continue;
        uint32_t end = c->t.oend[c->te[k] - 1];
        /* "... to breathe the same air as us" denies it as much */
        bool air = tok_is(c, (long)k + 1, "the") && tok_is(c, (long)k + 2, "same") &&
                   tok_is(c, (long)k + 3, "air");
        if (k + 1 < c->ntok && same_sentence(c, end, c->t.ostart[c->ts[k + 1]]) &&
            !tok_is(c, (long)k + 1, "anymore") && !air)
            continue;
        long d = (long)k - 2;
        if (!negated_before(c, d, 2))
            continue;
        for (long j = d - 1; j >= 0 && j >= d - 6; j--) {
            if (!same_sentence(c, c->t.ostart[c->ts[j]], end))
                break;
            if (human_at(c, j)) {
                span_tokens(c, (size_t)j, k, os, oe);
                return true;
            }
        }
    }
    return false;
}

/* An insult noun of the lexicon in token k: "those monsters". */
static bool
insult_noun_at(const ctx *c, long k)
{
    for (size_t i = 0; i < c->nhits; i++)
        if (c->hits[i].category == LEX_INSULT && c->hits[i].severity >= 1 &&
            tok_at(c, c->hits[i].start) == k)
            return true;
    return false;
}

/* The person a phrasal verb is done to, standing between the verb and its
 * particle: "run him over", "run that reporter over", "take the senator
 * out". Returns the token after the object, or -1. */
static long
person_object_end(const ctx *c, long o)
{
    if (tok_in(c, o, objects) || tok_in(c, o, second_person) || tok_in(c, o, human_words))
        return o + 1;
    if ((tok_in(c, o, pointers) || tok_is(c, o, "the")) &&
        (tok_in(c, o + 1, human_words) || tok_in(c, o + 1, object_nouns)))
        return o + 2;
    return -1;
}

/* Verbs of violence split around their object, which the lexicon's word
 * lists cannot see: "Someone should run that reporter over." (run ... over),
 * "I'll string him up", "Somebody needs to take that senator out." The
 * particle must end the phrase ("run the numbers over lunch", "take her
 * out to dinner", "take him out of office" are errands and politics), and
 * "take ... out" counts only after "someone should" and the like: "I will
 * take them out" is as often a date. Within one sentence, not negated;
 * the intent is the speaker's, another's told to the reader, or a wish. */
static bool
split_threat(const ctx *c, uint32_t *os, uint32_t *oe)
{
    static const char *const verbs[] = {"run", "string", "take", NULL};
    static const char *const particle_next[] = {"to", "for", "of",  "on",   "with",
                                                "in", "at",  "and", "back", NULL};
    static const char *const modals[] = {"should", "must",  "ought", "needs", "need",  "has",
                                         "have",   "gotta", "will",  "ill",   "gonna", "going",
                                         "lets",   "wanna", "want",  NULL};
    for (size_t k = 0; k < c->ntok; k++) {
        if (!tok_in(c, (long)k, verbs))
            continue;
        long p = person_object_end(c, (long)k + 1);
        bool take = tok_is(c, (long)k, "take");
        const char *part = tok_is(c, (long)k, "run") ? "over" : take ? "out" : "up";
        if (p < 0 || !tok_is(c, p, part) || tok_in(c, p + 1, particle_next))
            continue;
        uint32_t vs = c->t.ostart[c->ts[k]];
        if (!same_sentence(c, vs, c->t.ostart[c->ts[p]]) || negated_before(c, (long)k, 4))
            continue;
        /* a modal counts with a person as its subject: "a car will run
         * you over" is a warning */
        bool modal = false, wish = false, speaker = false, someone = false;
        for (long j = (long)k - 1; j >= 0 && j >= (long)k - 5; j--) {
            if (!same_sentence(c, c->t.ostart[c->ts[j]], vs))
                break;
            modal |= tok_in(c, j, modals);
            wish |= tok_in(c, j, (const char *const[]){"should", "ought", "must", NULL});
            speaker |= tok_in(c, j, first_subject);
            someone |= tok_in(c, j, someone_subject);
        }
        bool intent = wish || (modal && (speaker || someone));
        /* an order: "Run him over." opens its sentence */
        bool opens = k == 0 || !same_sentence(c, c->t.ostart[c->ts[k - 1]], vs);
        if (take ? someone && (modal || wish) : intent || opens) {
            span_tokens(c, k, (size_t)p, os, oe);
            return true;
        }
    }
    return false;
}

/* A threat made on a condition met by the reader: "If I see you at the
 * rally you're done.", "if I ever catch you here again, you're dead". The
 * condition's "you" and the consequence's "you're" stand in one sentence,
 * the consequence within twelve words of "if". */
static bool
conditional_threat(const ctx *c, uint32_t *os, uint32_t *oe)
{
    static const char *const meet[] = {"see", "catch", "find", "meet", "spot", NULL};
    static const char *const fates[] = {"dead", "done", "finished", "toast", "history", NULL};
    static const char *const you_are[] = {"youre", "ur", NULL};
    for (size_t k = 0; k + 4 < c->ntok; k++) {
        if (!tok_is(c, (long)k, "if") || !tok_in(c, (long)k + 1, first_subject))
            continue;
        long v = (long)k + 2 + tok_is(c, (long)k + 2, "ever");
        if (!tok_in(c, v, meet) || !tok_in(c, v + 1, second_person))
            continue;
        uint32_t is = c->t.ostart[c->ts[k]];
        for (long j = v + 2; j + 1 < (long)c->ntok && j <= (long)k + 12; j++) {
            if (!same_sentence(c, is, c->t.ostart[c->ts[j]]))
                break;
            long f = tok_in(c, j, you_are)                             ? j + 1
                     : tok_is(c, j, "you") && tok_in(c, j + 1, be_you) ? j + 2
                     : tok_is(c, j, "youll") && tok_is(c, j + 1, "be") ? j + 2
                                                                       : -1;
            /* "you're dead wrong" is a verdict on an argument */
            if (f >= 0 && tok_in(c, f, fates) && !tok_is(c, f + 1, "wrong") &&
                same_sentence(c, is, c->t.ostart[c->ts[f]])) {
                span_tokens(c, k, (size_t)f, os, oe);
                return true;
            }
        }
    }
    return false;
}

/* Verbs of violence are threats in context: a person says they will do it
 * to someone ("I'm going to stab ..."), or that it should be done to
 * someone ("... should be shot", "someone should strangle ..."), within
 * one sentence, not negated. A verb said of a thing ("kill the bill") or
 * used as the name of a crime ("charged with murder") is read as innocent
 * (INSULT_NOT in c->verdict): the model's bar for it is confirm_at while
 * its score rests on that word (model_use.c). */
void
rule_threats(ctx *c)
{
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        if (h->category != LEX_VIOLENCE)
            continue;
        long k = tok_at(c, h->start), kend = tok_at(c, h->end - 1);
        uint32_t os, oe;
        span_hit(c, h, &os, &oe);
        long reach = threat_reach(c, k, os);
        bool made;
        /* an idiom is one negated or not: "Don't shoot the messenger." */
        if (noun_use(c, k, kend, os, oe) || idiom_use(c, k, kend, oe)) {
            c->verdict[i] = INSULT_NOT;
            continue;
        }
        if (negated_before(c, k, (int)threat_clause(c, k, reach, os, &made)))
            continue;
        /* "Smith should kill the bill": with a thing as the object, a
         * person before the verb is who does it, not whom it is done to */
        long thing = thing_object(c, kend, oe);
        if (thing >= 0)
            c->verdict[i] = INSULT_NOT;
        /* "you make me want to kill myself" threatens no one else */
        bool intent =
                 made && !tok_in(c, kend + 1, (const char *const[]){"myself", "ourselves", NULL}),
             wish = false, person = false, someone = false, person_after = false;
        /* the verb joined to an earlier one whose intent it shares: "I'm
         * going to find you and hurt you" (the intent at most five words
         * back; "were" is too often the past of "be" to be "we're" here) */
        bool joined = tok_is(c, k - 1, "and") || tok_is(c, k - 1, "then"), planned = false;
        for (long j = k - 1; j >= 0 && j >= k - reach; j--) {
            if (!same_sentence(c, c->t.ostart[c->ts[j]], os))
                break;
            /* the speaker's intent, not a thing's: "I think this will hurt
             * them" says what a policy does */
            if (tok_in(c, j, first_subject) &&
                ((tok_in(c, k - 1, intent_words) && !tok_in(c, k - 2, things_as_subject)) ||
                 tok_in(c, j, intent_words) || (planned && !tok_is(c, j, "were"))))
                intent = true;
            planned |= joined && j < k - 2 && j >= k - 5 && tok_in(c, j, intent_words) &&
                       !tok_in(c, j - 1, things_as_subject);
            /* "Gotta start shooting these thieves!": "we've gotta", the
             * subject left out ("You gotta shoot more" is coaching) */
            if (tok_in(c, j, wish_words) ||
                (tok_is(c, j, "gotta") &&
                 (j == 0 || !same_sentence(c, c->t.ostart[c->ts[j - 1]], c->t.ostart[c->ts[j]]))))
                wish = true;
            if (tok_in(c, j, someone_subject) &&
                (tok_in(c, j + 1, someone_will) ||
                 (tok_is(c, j + 1, "is") && tok_in(c, j + 2, someone_will))))
                someone = true;
            /* Before the verb a capitalised word is a name only as the
             * subject of the wish ("Smith should be shot"), not as the
             * first word of a sentence ("Somebody should ..."). */
            if (thing < 0 &&
                (looks_like_name(c, j) ? tok_in(c, j + 1, wish_words) || tok_in(c, j + 1, copulas)
                                       : human_at(c, j)))
                person = true;
        }
        bool death_to = tok_is(c, k, "death") && tok_is(c, kend, "to");
        /* An order with a person as its object: "Shoot them all.", "Castrate
         * this guy.", "Kill the senator." (the verb opens its sentence or
         * follows "then": "Kill the bill, then kill the senator"; "kill them
         * with kindness" is an idiom, "shoot him a message" an errand; after
         * "the" only the listed words for people count, not a capitalised
         * word: "Kill the Bill" is a slogan; "beat", "hang" and "hurt" are
         * left out: "beat them at the polls", "hang them out to dry"). */
        static const char *const a_an[] = {"a", "an", NULL};
        bool opens =
            k == 0 || !same_sentence(c, c->t.ostart[c->ts[k - 1]], os) || tok_is(c, k - 1, "then");
        if (k == kend && opens && tok_in(c, k, imperatives)) {
            long o = kend + 1;
            /* "Kill all four of those monsters.": "all", a number, "of" */
            if (tok_is(c, o, "all") && tok_is(c, o + 2, "of") && tok_in(c, o + 3, pointers))
                o += 3;
            else if (tok_is(c, o, "all") && tok_is(c, o + 1, "of") && tok_in(c, o + 2, pointers))
                o += 2;
            bool the_people =
                tok_is(c, o, "the") && tok_in(c, o + 1, human_words) && !tok_in(c, o + 2, a_an);
            bool obj = tok_in(c, o, objects) || the_people ||
                       (tok_in(c, o, pointers) &&
                        (tok_in(c, o + 1, object_nouns) || insult_noun_at(c, o + 1))) ||
                       (tok_in(c, o, possessives) && tok_in(c, o + 1, belongings)) ||
                       (tok_in(c, o, object_lead) && worship_at(c, o + 1)) || offenders_at(c, o);
            if (obj && !(tok_is(c, o + 1, "with") && tok_is(c, o + 2, "kindness")) &&
                !tok_in(c, o + 1, a_an) && same_sentence(c, os, c->t.ostart[c->ts[o]]))
                intent = person = true;
        }
        /* "shoot the next gay person", four words on */
        for (long j = thing >= 0 ? thing + 1 : kend + 1; j <= kend + 4 && (size_t)j < c->ntok;
             j++) {
            if (!same_sentence(c, oe, c->t.ostart[c->ts[j]]))
                break;
            if (human_at(c, j))
                person = person_after = true;
        }
        /* another's intent counts only against a person named after the
         * verb: "Someone is going to get hurt" threatens no one */
        if (someone && person_after)
            intent = true;
        if (person && (intent || wish || death_to)) {
            set_reason(c, RULE_HARASSMENT, MSG_THREAT, os, oe);
            return;
        }
    }
    uint32_t os, oe;
    if (denied_life(c, &os, &oe) || split_threat(c, &os, &oe) || conditional_threat(c, &os, &oe))
        set_reason(c, RULE_HARASSMENT, MSG_THREAT, os, oe);
}

/* Personal details: "his address is 12 ...", "she lives at 4 ...". The
 * number must follow the cue closely, in its sentence: "having company at
 * your home" in a comment that later says "200 years" gives no address. */
#define DETAILS_NEAR 5 /* tokens after the cue in which the number may stand */
static const char MSG_DETAILS[] =
    "Do not share a person's private details such as an address or phone number.";

static bool
number_tok(const ctx *c, size_t k, size_t min_digits)
{
    size_t n = c->te[k] - c->ts[k], digits = 0;
    for (size_t i = c->ts[k]; i < c->te[k]; i++)
        digits += c->t.s[i] >= '0' && c->t.s[i] <= '9';
    return digits >= min_digits && digits == n;
}

static bool
email_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '-' || ch == '+';
}

/* An e-mail address (name@domain.tld) starting at the original byte at,
 * after spaces; a dot that ends the sentence is not the domain's. */
static bool
email_at(const ctx *c, uint32_t at)
{
    const unsigned char *b = (const unsigned char *)c->in->body;
    size_t n = c->in->body_len, i = at;
    while (i < n && b[i] == ' ')
        i++;
    size_t local = i;
    while (i < n && email_char(b[i]))
        i++;
    if (i == local || i >= n || b[i] != '@')
        return false;
    size_t dom = ++i;
    while (i < n && email_char(b[i]))
        i++;
    while (i > dom && b[i - 1] == '.')
        i--;
    const unsigned char *dot = i > dom ? memchr(b + dom, '.', i - dom) : NULL;
    return dot != NULL && dot > b + dom && dot < b + i - 1;
}

void
rule_personal_details(ctx *c)
{
    static const char *const owners[] = {"his", "her", "their", "your", "ur", NULL};
    static const char *const details[] = {"address", "phone", "number", "home",
                                          "cell",    "email", NULL};
    /* "his home state", "your home team": a place or a side, not an address */
    static const char *const not_address[] = {"state", "town",      "city", "country", "team",
                                              "game",  "games",     "run",  "runs",    "office",
                                              "page",  "secretary", NULL};
    if (strpbrk(c->t.s, "0123456789") == NULL && memchr(c->in->body, '@', c->in->body_len) == NULL)
        return;
    for (size_t k = 0; k + 1 < c->ntok; k++) {
        char f = c->t.s[c->ts[k]];
        if (f != 'h' && f != 't' && f != 'y' && f != 'u' && f != 'l')
            continue; /* no owner word nor "lives" starts otherwise */
        bool cue = (tok_in(c, (long)k, owners) && tok_in(c, (long)k + 1, details) &&
                    !tok_in(c, (long)k + 2, not_address)) ||
                   (tok_is(c, (long)k, "lives") &&
                    tok_in(c, (long)k + 1, (const char *const[]){"at", "on", NULL}));
        if (!cue)
            continue;
        uint32_t cue_end = c->t.oend[c->te[k + 1] - 1];
        /* "Her email is jane.doe@example.com", "his email address:": the
         * address right after "is", "was" or a colon; "send your email to
         * ..." and "his email was hacked, see ..." state none */
        if (tok_is(c, (long)k + 1, "email")) {
            long v = (long)k + 2;
            if (tok_is(c, v, "address"))
                cue_end = c->t.oend[c->te[v++] - 1];
            uint32_t at = 0;
            if (tok_in(c, v, (const char *const[]){"is", "was", NULL}))
                at = c->t.oend[c->te[v] - 1];
            else if (orig_after(c, cue_end) == ':') {
                at = cue_end;
                while (at < c->in->body_len && c->in->body[at] != ':')
                    at++;
                at++;
            }
            if (at > 0 && email_at(c, at)) {
                uint32_t os, oe;
                span_tokens(c, k, k + 1, &os, &oe);
                set_reason(c, RULE_HARASSMENT, MSG_DETAILS, os, oe);
                return;
            }
            continue;
        }
        /* a house number may have one digit after "address" or "lives at":
         * "her home address: 9 Baker Street" */
        bool address = tok_is(c, (long)k + 1, "address") || tok_is(c, (long)k + 2, "address") ||
                       tok_is(c, (long)k, "lives");
        for (size_t j = k + 2; j < c->ntok && j <= k + 1 + DETAILS_NEAR; j++) {
            if (!same_sentence(c, cue_end, c->t.ostart[c->ts[j]]))
                break;
            if (number_tok(c, j, address ? 1 : 2)) {
                uint32_t os, oe;
                span_tokens(c, k, k + 1, &os, &oe);
                set_reason(c, RULE_HARASSMENT, MSG_DETAILS, os, oe);
                return;
            }
        }
    }
}
