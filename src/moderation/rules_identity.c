/* moderation/rules_identity.c: identity hate written without slurs: a group of people with
 * the speaker's hate, a dehumanising or degrading predicate, a call to
 * remove them or to take their rights; reported, quoted and disowned
 * speech is not the speaker's.
 */
#include "moderation/moderation_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hate against people for who they are, written without slurs: "I hate
 * women", "immigrants are vermin", "Muslims can't be trusted", "trans
 * people should not be allowed to vote". The lexicon marks the words for
 * identity groups (category group); this rule reads the few tokens around
 * each and fires only on a fixed shape: the speaker's own hate toward the
 * group, the group as the subject of a dehumanising or degrading
 * predicate, the denial of its worth or rights, a call to remove it. It
 * stays quiet when the statement is negated ("I don't hate women", "women
 * are not stupid"), reported or argued against ("saying women are vermin
 * is vile", "you can't believe all women are stupid"), quoted, or says
 * something neutral or kind. Each group word looks at a bounded window, so
 * the rule is linear in the comment. */

static const char MSG_IDENTITY_HATE[] =
    "This reads as an attack on people for who they are. Criticise ideas and actions, not "
    "groups of people.";

/* Words for people after an adjective group ("black people", "trans women"). */
static const char *const ih_people[] = {
    "people",  "person",      "persons",    "folk",        "folks",    "men",
    "women",   "man",         "woman",      "guys",        "kids",     "children",
    "lives",   "life",        "community",  "communities", "families", "family",
    "members", "individuals", "couples",    "students",    "workers",  "girls",
    "boys",    "citizens",    "immigrants", "migrants",    "refugees", NULL};
/* Between a verb of hate and the group: "I hate all these women". */
static const char *const ih_pre_gap[] = {
    "all", "the",     "these",  "those",  "most", "any",  "every", "of",   "for",
    "by",  "towards", "toward", "around", "near", "you",  "so",    "much", "with",
    "at",  "being",   "other",  "such",   "many", "some", NULL};
/* The speaker's own hate, first person only: "he hates" reports another's. */
static const char *const ih_hate_verbs[] = {"hate",   "hated", "despise", "detest",
                                            "loathe", "abhor", NULL};
/* Feelings named as nouns or adjectives: "contempt for", "disgusted by". */
static const char *const ih_hate_feelings[] = {"hatred",   "contempt", "disdain",   "scorn",
                                               "loathing", "disgust",  "revulsion", "disgusted",
                                               "sickened", "repulsed", "sick",      NULL};
/* Between the speaker and the feeling: "I really can't stand", "I have so
 * much hatred", "I feel nothing but contempt". */
static const char *const ih_speaker_gap[] = {
    "really",    "just",    "absolutely", "truly",      "honestly", "so",        "also",
    "seriously", "totally", "fucking",    "completely", "utterly",  "am",        "m",
    "feel",      "have",    "got",        "such",       "a",        "lot",       "of",
    "much",      "deeply",  "always",     "still",      "do",       "genuinely", "personally",
    "literally", "simply",  "frankly",    "get",        "getting",  "bloody",    "too",
    "only",      "pure",    "nothing",    "but",        "utter",    NULL};
/* What happens to the group, not the group itself: "sick of women being
 * paid less" is about the pay. */
static const char *const ih_done_to[] = {"being",  "getting", "treated", "paid",      "having",
                                         "facing", "dying",   "losing",  "suffering", NULL};
/* After the group, before its predicate: "women like you are", "immigrants
 * in this country are". */
static const char *const ih_post_skip[] = {
    "here",      "today",     "now",       "all",    "really",    "just",      "always",
    "honestly",  "truly",     "seriously", "simply", "basically", "literally", "clearly",
    "obviously", "generally", "mostly",    "in",     "this",      "our",       "my",
    "the",       "country",   "town",      "city",   "world",     "society",   "area",
    "around",    "there",     "these",     "days",   NULL};
static const char *const ih_like_whom[] = {"you",   "them",  "her", "him", "that", "this",
                                           "these", "those", "me",  "us",  NULL};
static const char *const ih_generic[] = {"a", "an", "any", "every", "each", NULL};
/* Between the copula and the predicate: "are all just", "are nothing but". */
static const char *const ih_attr_gap[] = {
    "all",        "just",       "so",        "such",          "really",     "truly",      "very",
    "a",          "an",         "the",       "absolute",      "absolutely", "total",      "totally",
    "complete",   "completely", "utter",     "utterly",       "simply",     "basically",  "always",
    "literally",  "human",      "common",    "mere",          "merely",     "pure",       "at",
    "ever",       "any",        "by",        "nature",        "naturally",  "inherently", "without",
    "doubt",      "exception",  "most",      "more",          "far",        "much",       "even",
    "still",      "only",       "genuinely", "fundamentally", "born",       "bunch",      "of",
    "one",        "biggest",    "like",      "that",          "as",         "dirty",      "filthy",
    "disgusting", "worthless",  "stinking",  "fucking",       "bloody",     "lazy",       "stupid",
    "dumb",       "useless",    NULL};
/* Dehumanising nouns. */
static const char *const ih_dehum[] = {
    "termites",      "rodents",     "barbarians",  "invaders", "hyenas",    "vermin",  "animals",
    "animal",        "parasites",   "parasite",    "rats",     "rat",       "plague",  "subhuman",
    "subhumans",     "scum",        "filth",       "trash",    "garbage",   "rubbish", "refuse",
    "dirt",          "cockroaches", "cockroach",   "roaches",  "pests",     "pest",    "virus",
    "cancer",        "disease",     "infestation", "beasts",   "beast",     "savages", "apes",
    "monkeys",       "insects",     "insect",      "lice",     "leeches",   "leech",   "worms",
    "maggots",       "swine",       "pigs",        "dogs",     "creatures", "waste",   "sewage",
    "cattle",        "locusts",     "blight",      "scourge",  "stain",     "weeds",   "mongrels",
    "untermenschen", "excrement",   "demons",      "pox",      NULL};
/* Right after a group word, only nouns with no innocent reading: "female
 * vermin", not "women cancer survivors" or "gay animals". */
static const char *const ih_dehum_next[] = {
    "vermin",    "scum",        "filth",     "trash",    "garbage",       "rats",
    "parasites", "cockroaches", "subhumans", "subhuman", "maggots",       "swine",
    "pigs",      "apes",        "monkeys",   "savages",  "untermenschen", "leeches",
    "lice",      "roaches",     "mongrels",  NULL};
/* Degrading attributes of a whole group ("sneaky" to "infesting" since a
 * probe of 25 statements of identity hate written for the project,
 * 2026-12-07, evening: "Asians are sneaky.", "Disabled people are a burden
 * on society.", "Immigrants are ruining this country."; not "destroying":
 * "Women are destroying the competition this season."). */
static const char *const ih_attr[] = {
    "problem",    "enemy",       "stupid",      "dumb",        "disgusting",    "repulsive",
    "despicable", "sickening",   "revolting",   "repugnant",   "dishonest",     "vile",
    "pathetic",   "liars",       "criminals",   "worthless",   "inferior",      "evil",
    "lazy",       "dirty",       "filthy",      "ignorant",    "violent",       "cruel",
    "brainless",  "stupidest",   "dumbest",     "worst",       "useless",       "idiots",
    "morons",     "thieves",     "rapists",     "terrorists",  "dangerous",     "threat",
    "danger",     "uncivilised", "uncivilized", "barbaric",    "primitive",     "backward",
    "disgrace",   "abomination", "degenerate",  "degenerates", "freaks",        "perverts",
    "lesser",     "gross",       "nasty",       "hideous",     "untrustworthy", "deceitful",
    "greedy",     "parasitic",   "horrible",    "awful",       "deplorable",    "incompetent",
    "inbred",     "unclean",     "diseased",    "abhorrent",   "loathsome",     "contemptible",
    "detestable", "wicked",      "savage",      "sick",        "twisted",       "insane",
    "unfit",      "liar",        "criminal",    "thief",       "rapist",        "terrorist",
    "sneaky",     "smelly",      "burden",      "burdens",     "ruining",       "infesting",
    NULL};
/* "too emotional to lead": unfit by nature. Probes of identity hate written
 * for the project, 2026-12-07 (night). */
static const char *const ih_too[] = {"emotional",  "weak",       "stupid",       "dumb",
                                     "irrational", "hysterical", "hormonal",     "primitive",
                                     "lazy",       "simple",     "ignorant",     "backward",
                                     "savage",     "violent",    "feebleminded", NULL};
/* "good for nothing", "only good for one thing" */
static const char *const ih_good_for[] = {"nothing",  "one",     "sex",    "breeding", "cooking",
                                          "cleaning", "slavery", "labour", "labor",    NULL};
/* What Jews are said to control in the old antisemitic trope: "Jews control the banks". */
static const char *const ih_controlled[] = {"banks",       "media", "world",     "government",
                                            "governments", "press", "hollywood", NULL};
/* "They breed like rabbits": animals people are likened to when they breed. */
static const char *const ih_breed_like[] = {"rabbits", "rats",    "cockroaches", "roaches", "flies",
                                            "vermin",  "mice",    "insects",     "animals", "lice",
                                            "locusts", "maggots", "dogs",        "pigs",    NULL};
/* Discrimination in the speaker's own acts: "I would never hire a woman". */
static const char *const ih_never_verbs[] = {"hire", "employ", "promote", "rent",
                                             "sell", "serve",  "elect",   NULL};

/* Worth a group is denied when these are negated: "women are not human". */
static const char *const ih_worth[] = {
    "human",    "humans",      "people",  "equal",       "equals",     "worthy",
    "worth",    "intelligent", "smart",   "clever",      "attractive", "welcome",
    "valuable", "important",   "capable", "trustworthy", "civilised",  "civilized",
    "normal",   "deserving",   "wanted",  "needed",      "decent",     "honest",
    "sane",     "useful",      "trusted", "valued",      NULL};
/* Removal: "immigrants should all be deported", "ban Muslims". */
static const char *const ih_removed[] = {
    "deported", "banned",     "expelled",   "exterminated", "eradicated", "eliminated",
    "purged",   "gassed",     "sterilised", "sterilized",   "locked",     "caged",
    "removed",  "segregated", "excluded",   "kicked",       "thrown",     "rounded",
    "dumped",   "shipped",    "sent",       "euthanised",   "euthanized", "culled",
    "wiped",    "killed",     "shot",       "hanged",       "burned",     "interned",
    "exiled",   "banished",   "lynched",    "castrated",    NULL};
static const char *const ih_remove[] = {"deport", "ban",    "expel",     "exterminate", "eradicate",
                                        "purge",  "gas",    "sterilise", "sterilize",   "cull",
                                        "lynch",  "banish", "exile",     NULL};
static const char *const ih_rights[] = {"vote",  "work",  "exist", "live",      "drive", "marry",
                                        "adopt", "teach", "breed", "reproduce", "serve", "lead",
                                        "hold",  "run",   "own",   "speak",     "enter", "stay",
                                        "have",  "be",    "come",  "immigrate", "pray",  NULL};
static const char *const ih_belong_in[] = {"zoo",   "zoos",  "cage",  "cages", "kitchen", "gutter",
                                           "sewer", "trash", "bin",   "dump",  "jail",    "prison",
                                           "camps", "camp",  "ovens", "oven",  NULL};
/* The speaker reports or argues against what follows: "saying women are
 * vermin", "comments like ...", "you really believe ...". */
static const char *const ih_report[] = {
    "say",       "says",       "said",       "saying",     "call",       "calls",      "called",
    "calling",   "claim",      "claims",     "claimed",    "claiming",   "write",      "writes",
    "wrote",     "writing",    "written",    "believe",    "believes",   "think",      "thinks",
    "thought",   "statement",  "statements", "comment",    "comments",   "post",       "posts",
    "things",    "stuff",      "words",      "tweet",      "tweets",     "message",    "messages",
    "argue",     "argues",     "suggest",    "suggests",   "suggesting", "imply",      "implying",
    "pretend",   "pretending", "assume",     "assuming",   "myth",       "stereotype", "notion",
    "lie",       "lies",       "idea",       "insist",     "insists",    "insisting",  "tell",
    "telling",   "told",       "tells",      "hear",       "heard",      "read",       "realise",
    "realising", "realize",    "realizing",  "prove",      "proves",     "proved",     "spread",
    "spreading", "shouting",   "chanting",   "chant",      "chants",     "sign",       "signs",
    "slogan",    "slogans",    "rhetoric",   "propaganda", "meme",       "memes",      "joke",
    "jokes",     "accuse",     "accused",    "accusing",   "portray",    "portrays",   "portraying",
    "treat",     "treats",     "treating",   "view",       "views",      "see",        "sees",
    NULL};
/* First-person opinion: "I think women are scum" is the speaker's own. */
static const char *const ih_own_view[] = {"think", "believe", "say",    "said",  "feel", "telling",
                                          "tell",  "know",    "reckon", "heard", NULL};

static bool
ih_start(const ctx *c, long k)
{
    return k <= 0 || !same_sentence(c, c->t.oend[c->te[k - 1] - 1], c->t.ostart[c->ts[k]]);
}

/* Is the feeling at token j the speaker's: "I (really) hate", "Disgusted by"
 * at the start of a sentence? Not "you hate", "his contempt", "I don't hate". */
static bool
ih_speaker(const ctx *c, long j)
{
    for (long k = j - 1, n = 0; k >= 0 && n < 6 && !ih_start(c, k + 1); k--, n++) {
        if (tok_in(c, k, first_person) || tok_is(c, k, "im"))
            return true;
        if (tok_is(c, k, "nothing") && tok_is(c, k + 1, "but"))
            continue;
        if (tok_in(c, k, negators) || !tok_in(c, k, ih_speaker_gap))
            return false;
    }
    return true;
}

/* Is the statement before token g negated or reported ("I never said",
 * "no one should say", "comments like", "you believe")? A first-person
 * opinion ("I think", "I'm telling you") is the speaker's own. */
static bool
ih_disowned(const ctx *c, long g)
{
    for (long k = g - 1, n = 0; k >= 0 && n < 10 && !ih_start(c, k + 1); k--, n++) {
        /* "nothing but", and the rhetorical "isn't it ..." */
        if ((tok_is(c, k, "nothing") && tok_is(c, k + 1, "but")) ||
            (tok_in(c, k, be_one_not) &&
             tok_in(c, k + 1, (const char *const[]){"it", "that", "this", NULL})))
            continue;
        if (tok_in(c, k, negators))
            return true;
        if (tok_in(c, k, ih_report)) {
            if (tok_in(c, k, ih_own_view)) {
                long s = k - 1;
                while (s >= 0 && k - s <= 3 && tok_in(c, s, ih_speaker_gap))
                    s--;
                if (tok_in(c, s, first_person) || tok_is(c, s, "im"))
                    continue; /* own view; a negator before it still counts */
            }
            return true;
        }
    }
    return false;
}

/* Is the statement attributed after the fact: "... are liars, said the
 * lawyer", "... are dangerous, apparently"? */
static bool
ih_attributed(const ctx *c, long cue)
{
    static const char *const after[] = {"said",       "says",       "according", "claimed",
                                        "claims",     "apparently", "allegedly", "supposedly",
                                        "reportedly", "tweeted",    "wrote",     "writes",
                                        "argued",     "argues",     "insisted",  NULL};
    for (long k = cue + 1; k <= cue + 8 && (size_t)k < c->ntok && !ih_start(c, k); k++)
        if (tok_in(c, k, after))
            return true;
    return false;
}

/* True when original byte pos is inside double quotation marks; *q and
 * *inq carry the scan over from the previous call (positions ascend). */
static bool
ih_quoted(const ctx *c, uint32_t pos, uint32_t *q, bool *inq)
{
    const unsigned char *b = (const unsigned char *)c->in->body;
    for (; *q < pos; (*q)++) {
        if (b[*q] == '"')
            *inq = !*inq;
        else if (b[*q] == 0xE2 && *q + 2 < c->in->body_len && b[*q + 1] == 0x80 &&
                 (b[*q + 2] == 0x9C || b[*q + 2] == 0x9D))
            *inq = b[*q + 2] == 0x9C;
    }
    return *inq;
}

/* Is token k a degrading word: a listed one, or an insult the lexicon
 * found there ("idiots")? */
static bool
ih_degrading(const ctx *c, long k)
{
    /* misspelt too: "a plageu to society", "so ignoratn" */
    if (tok_guess_in(c, k, ih_dehum) || tok_guess_in(c, k, ih_attr))
        return true;
    uint32_t s = c->ts[k];
    size_t lo = 0, hi = c->nhits;
    while (lo < hi) { /* first hit starting at or after s */
        size_t mid = (lo + hi) / 2;
        if (c->hits[mid].start < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < c->nhits && c->hits[i].start < c->te[k]; i++)
        if ((c->hits[i].category == LEX_INSULT || c->hits[i].category == LEX_INSULT_ADJ) &&
            c->hits[i].severity >= 1)
            return true;
    return false;
}

/* Is the degrading word at q about something else: "sick of being
 * targeted", "the worst affected by the cuts", "worst hit"? */
static bool
ih_not_of_them(const ctx *c, long q)
{
    long n = q + 1;
    if ((size_t)n >= c->ntok || ih_start(c, n) || tok_is(c, q, "waste")) /* "waste of space" */
        return false;
    if (tok_in(c, n, (const char *const[]){"of", "with", "off", "hit", "by", "at", "for", NULL}))
        return true;
    /* "the problem" ends the clause; "the problem solvers" names other things. */
    if (tok_in(c, q, (const char *const[]){"problem", "enemy", NULL}))
        return !tok_in(c, n,
                       (const char *const[]){"here", "in", "now", "today", "and", "not",
                                             "everywhere", "within", NULL});
    size_t len = c->te[n] - c->ts[n];
    return len > 3 && !memcmp(c->t.s + c->te[n] - 2, "ed", 2) && !tok_in(c, n, ih_dehum);
}

/* After a copula at token p: "are (all just) vermin", "are not human".
 * Returns the deciding token or -1. */
static long
ih_predicate(const ctx *c, long p, bool neg)
{
    for (long q = p + 1; q <= p + 7 && (size_t)q < c->ntok; q++) {
        if (ih_start(c, q))
            return -1;
        if ((tok_is(c, q, "nothing") && tok_is(c, q + 1, "but")) ||
            (tok_is(c, q, "no") && tok_is(c, q + 1, "better"))) {
            q++;
            if (tok_is(c, q + 1, "than"))
                q++;
            continue;
        }
        if (tok_in(c, q, negators)) {
            neg = true;
            continue;
        }
        /* "not our equal", "not worth any less" */
        if (neg && (tok_is(c, q, "our") || tok_is(c, q, "your") || tok_is(c, q, "my")))
            continue;
        /* "not equal under the law" states a fact; "not our equals" denies it. */
        if (tok_in(c, q, (const char *const[]){"equal", "equals", NULL}) &&
            !tok_in(c, q - 1, (const char *const[]){"our", "my", "your", NULL}))
            return -1;
        if (ih_degrading(c, q) && !tok_in(c, q, ih_attr_gap))
            return neg || ih_not_of_them(c, q) ? -1 : q;
        /* "too emotional to lead", "good for nothing", "only good for one thing" */
        if (tok_is(c, q, "too") && tok_in(c, q + 1, ih_too) && tok_is(c, q + 2, "to"))
            return neg ? -1 : q + 1;
        if (tok_is(c, q, "good") && tok_is(c, q + 1, "for") && tok_in(c, q + 2, ih_good_for) &&
            !(tok_is(c, q + 2, "one") && !tok_is(c, q + 3, "thing")))
            return neg ? -1 : q;
        if (tok_guess_in(c, q, ih_worth)) {
            /* "worth nothing", "worth absolutely nothing" (or "worht") */
            if (!neg && tok_guess_in(c, q, (const char *const[]){"worth", NULL}) &&
                (tok_is(c, q + 1, "nothing") ||
                 (tok_in(c, q + 1, ih_attr_gap) && tok_is(c, q + 2, "nothing"))))
                return q;
            if (!neg && tok_in(c, q, ih_attr_gap))
                continue; /* "human garbage" */
            if (!neg)
                return -1;
            for (long r = q + 1; r <= q + 3; r++)
                if (tok_in(c, r, (const char *const[]){"less", "fewer", "than", NULL}))
                    return -1;
            return q;
        }
        if (!tok_in(c, q, ih_attr_gap))
            return -1;
        /* A degrading word used as a filler still counts at the end:
         * "are filthy" */
        if (ih_degrading(c, q) && (size_t)q + 1 < c->ntok && !tok_in(c, q + 1, ih_dehum) &&
            !tok_in(c, q + 1, ih_attr) && !tok_in(c, q + 1, ih_attr_gap))
            return neg || ih_not_of_them(c, q) ? -1 : q;
        if (ih_degrading(c, q) && ((size_t)q + 1 >= c->ntok || ih_start(c, q + 1)))
            return neg ? -1 : q;
    }
    return -1;
}

/* Tokens k..k+2 say "breed (or multiply) like rats": people likened to
 * animals for their numbers. */
static bool
ih_breeds_like(const ctx *c, long k)
{
    return tok_in(c, k, (const char *const[]){"breed", "multiply", NULL}) &&
           tok_is(c, k + 1, "like") && tok_in(c, k + 2, ih_breed_like);
}

/* "Being gay is a disease", "being trans is a mental illness": who someone
 * is called a sickness or a sin. Only such nouns: "being gay is a problem in
 * Uganda" reports a danger. p is the copula. */
static long
ih_being(const ctx *c, long p)
{
    static const char *const sick[] = {"disease",    "illness", "disorder",    "sickness",
                                       "sin",        "plague",  "abomination", "perversion",
                                       "aberration", "defect",  "cancer",      NULL};
    static const char *const gap[] = {"a",       "an",      "just", "really", "mental", "sexual",
                                      "serious", "curable", "kind", "form",   "of",     NULL};
    for (long q = p + 1; q <= p + 5 && (size_t)q < c->ntok && !ih_start(c, q); q++) {
        if (tok_in(c, q, negators))
            return -1;
        if (tok_in(c, q, sick))
            return q;
        if (!tok_in(c, q, gap))
            return -1;
    }
    return -1;
}

/* After the group, at token p: unable by nature ("can't think logically",
 * "cannot think for themselves", "can't lead.") or not to be trusted ("can't
 * be trusted", "can never be trusted"). The verb of ability must end the
 * clause or take a manner word: "can't lead normal lives", "can't vote in
 * this election" state facts. Returns the deciding token or -1. */
static long
ih_unable(const ctx *c, long p)
{
    if (tok_in(c, p, (const char *const[]){"cant", "cannot", NULL}) ||
        (tok_is(c, p, "can") && tok_is(c, p + 1, "not"))) {
        long q = tok_is(c, p, "can") ? p + 2 : p + 1;
        if (tok_is(c, q, "even"))
            q++;
        if (tok_in(c, q,
                   (const char *const[]){"think", "reason", "lead", "govern", "learn", NULL}) &&
            ((size_t)q + 1 >= c->ntok || ih_start(c, q + 1) ||
             tok_in(c, q + 1,
                    (const char *const[]){"logically", "rationally", "properly", "clearly",
                                          "straight", NULL}) ||
             (tok_is(c, q + 1, "for") && tok_is(c, q + 2, "themselves"))))
            return q;
    }
    /* "can't be trusted", "can never be trusted" */
    for (long q = p; q <= p + 3 && (size_t)q < c->ntok; q++)
        if (tok_is(c, q, "trusted") &&
            tok_in(c, p, (const char *const[]){"cant", "cannot", "can", "shouldnt", NULL}) &&
            (tok_in(c, p, negators) || tok_in(c, p + 1, negators)))
            return q;
    return -1;
}

/* What follows the group at tokens [g, ge]; returns the deciding token or -1. */
static long
ih_after(const ctx *c, long g, long ge, bool question)
{
    long p = ge + 1;
    for (int n = 0; n < 5 && (size_t)p < c->ntok && !ih_start(c, p); n++) {
        if (tok_is(c, p, "like") && tok_in(c, p + 1, ih_like_whom))
            p += 2;
        else if (tok_in(c, p, ih_post_skip))
            p++;
        else
            break;
    }
    if ((size_t)p >= c->ntok || ih_start(c, p))
        return -1;
    if (question) /* "why are women so ...", "I find women ...": the verb came first */
        return ih_predicate(c, p - 1, false);
    /* "... disgust me", "... make me sick" */
    if (tok_guess_in(c, p,
                     (const char *const[]){"disgust", "disgusts", "sicken", "sickens", "repulse",
                                           "repulses", "revolt", "revolts", "nauseate", NULL}) &&
        tok_in(c, p + 1, (const char *const[]){"me", "us", NULL}))
        return p;
    if (tok_in(c, p, (const char *const[]){"make", "makes", NULL}) &&
        tok_in(c, p + 1, (const char *const[]){"me", "us", NULL})) {
        long q = p + 2;
        if (tok_in(c, q, (const char *const[]){"so", "really", "physically", "feel", NULL}))
            q++;
        if (tok_guess_in(c, q,
                         (const char *const[]){"sick", "ill", "angry", "furious", "puke", "vomit",
                                               "boil", "mad", "gag", "retch", "cringe", NULL}))
            return q;
        return -1;
    }
    bool one = tok_in(c, p, be_one);
    if (one || tok_in(c, p, be_you)) {
        /* "a woman is", "every Muslim is"; but "the woman is" is one person. */
        if (one && tok_is(c, g - 1, "being"))
            return ih_being(c, p);
        if (one && !tok_in(c, g - 1, ih_generic))
            return -1;
        return ih_predicate(c, p, false);
    }
    /* "Jews control the banks" */
    if (tok_in(c, g, (const char *const[]){"jews", "jew", "jewish", "zionists", NULL}) &&
        tok_in(c, p,
               (const char *const[]){"control", "controls", "run", "runs", "own", "owns", NULL}) &&
        tok_is(c, p + 1, "the") && tok_in(c, p + 2, ih_controlled))
        return p;
    /* "immigrants breed like rats" */
    if (ih_breeds_like(c, p))
        return p + 2;
    /* "can be so ignorant", "can never be as smart", "will always be" */
    if (tok_in(c, p,
               (const char *const[]){"can", "will", "would", "could", "cant", "wont", "cannot",
                                     NULL})) {
        long q = p + 1;
        bool neg = tok_in(c, p, negators);
        while (q <= p + 3 && (tok_in(c, q, negators) || tok_in(c, q, ih_attr_gap))) {
            neg |= tok_in(c, q, negators);
            q++;
        }
        if (tok_is(c, q, "be"))
            return ih_predicate(c, q, neg);
    }
    long u = ih_unable(c, p);
    if (u >= 0)
        return u;
    bool modal = tok_in(c, p, (const char *const[]){"should", "must", "need", "ought", NULL});
    bool modal_not = tok_in(c, p, (const char *const[]){"shouldnt", "mustnt", NULL}) ||
                     (modal && tok_in(c, p + 1, (const char *const[]){"not", "never", NULL}));
    if (modal_not) {
        long q = p + (tok_in(c, p, (const char *const[]){"shouldnt", "mustnt", NULL}) ? 1 : 2);
        if (tok_is(c, q, "even"))
            q++;
        if (tok_is(c, q, "be") &&
            tok_in(c, q + 1,
                   (const char *const[]){"allowed", "permitted", "trusted", "tolerated", "hired",
                                         "employed", "given", "let", NULL}))
            return q + 1;
        if (tok_is(c, q, "be")) /* "should not be important to anyone" */
            return ih_predicate(c, q, true);
        if (tok_in(c, q, ih_rights) && !tok_is(c, q, "be"))
            return q;
        return -1;
    }
    if (modal) {
        long q = p + 1;
        if (tok_in(c, q, (const char *const[]){"to", "all", NULL}))
            q++;
        if (tok_is(c, q, "all"))
            q++;
        if (tok_is(c, q, "be") && tok_in(c, q + 1, ih_removed))
            return q + 1;
        if (tok_in(c, q, (const char *const[]){"go", "get", NULL}) &&
            tok_in(c, q + 1, (const char *const[]){"back", "out", NULL}))
            return q + 1;
        /* "should stay in the kitchen (where they belong)" */
        if (tok_in(c, q, (const char *const[]){"stay", "go", "get", "be", NULL})) {
            long r = q + 1;
            if (tok_is(c, r, "back"))
                r++;
            if (tok_in(c, r, (const char *const[]){"in", "to", "into", NULL})) {
                r++;
                if (tok_in(c, r, (const char *const[]){"a", "the", "their", NULL}))
                    r++;
                /* not "should be in jail": that is about what they did */
                if (tok_in(c, r, ih_belong_in) &&
                    !tok_in(c, r, (const char *const[]){"jail", "prison", NULL}))
                    return r;
            }
        }
        return -1;
    }
    /* "don't deserve rights", but "don't deserve to be hurt" defends them. */
    long q = p;
    if (tok_in(c, q, (const char *const[]){"do", "does", NULL}) &&
        tok_in(c, q + 1, (const char *const[]){"not", "never", NULL}))
        q += 2;
    else if (tok_in(c, q, (const char *const[]){"dont", "doesnt", "never", NULL}))
        q++;
    else
        q = -1;
    if (q >= 0) {
        if (tok_in(c, q, (const char *const[]){"deserve", "deserves", NULL}))
            return tok_is(c, q + 1, "to") && tok_is(c, q + 2, "be") ? -1 : q;
        /* but "don't belong to a union", "don't count on it" */
        if ((tok_is(c, q, "belong") && !tok_is(c, q + 1, "to")) || tok_is(c, q, "matter") ||
            (tok_is(c, q, "count") && !tok_is(c, q + 1, "on")))
            return q;
        return -1;
    }
    /* "have no right to", "have no place in" */
    if (tok_in(c, p, (const char *const[]){"have", "has", NULL}) && tok_is(c, p + 1, "no") &&
        tok_in(c, p + 2,
               (const char *const[]){"right", "rights", "place", "value", "worth", "business",
                                     "purpose", NULL}))
        return p + 2;
    /* "belong in a zoo" */
    if (tok_in(c, p, (const char *const[]){"belong", "belongs", NULL}) && tok_is(c, p + 1, "in")) {
        long r = p + 2;
        if (tok_in(c, r, (const char *const[]){"a", "the", NULL}))
            r++;
        return tok_in(c, r, ih_belong_in) ? r : -1;
    }
    return -1;
}

/* What comes before the group at token g; returns the deciding token or -1.
 * Sets *question for "are women ..." and "I find women ...", whose predicate
 * follows the group directly. */
static long
ih_before(const ctx *c, long g, bool *question)
{
    *question = false;
    long j = g - 1;
    /* "swarms of immigrants" */
    if (tok_is(c, j, "of") &&
        tok_in(c, j - 1,
               (const char *const[]){"swarms", "swarm", "hordes", "horde", "plague", "infestation",
                                     "herd", "herds", "vermin", NULL}))
        return j - 1;
    /* "typical woman", "typical of a woman" */
    for (long k = j; k >= g - 3 && k >= 0; k--) {
        if (tok_is(c, k, "typical"))
            return k;
        if (!tok_in(c, k, (const char *const[]){"a", "an", "of", NULL}))
            break;
    }
    /* "never trust a woman" */
    for (long k = j; k >= g - 3 && k >= 0; k--) {
        if (tok_is(c, k, "trust")) /* the cue starts at the negator */
            return tok_in(c, k - 1,
                          (const char *const[]){"never", "dont", "cant", "cannot", "not", NULL}) &&
                           !tok_in(c, k - 2, first_person)
                       ? k - 1
                       : -1;
        if (!tok_in(c, k,
                    (const char *const[]){"a", "an", "any", "single", "word", "by", "said", "from",
                                          NULL}))
            break;
    }
    /* "I would never hire a woman", "never rent to a black family", "take
     * orders from a woman" after a negation: the group, whole, ends the
     * clause ("never hire a man who hits women" is about the man). */
    if (tok_in(c, j, ih_generic) || tok_in(c, j, (const char *const[]){"to", "from", NULL})) {
        long ge = g;
        if (tok_in(c, ge + 1, ih_people))
            ge++;
        bool ends = (size_t)ge + 1 >= c->ntok || ih_start(c, ge + 1) ||
                    tok_in(c, ge + 1, (const char *const[]){"again", "ever", "family", NULL});
        long k = j;
        while (k >= g - 3 &&
               tok_in(c, k, (const char *const[]){"a", "an", "any", "to", "from", "for", NULL}))
            k--;
        long v = -1;
        if (tok_in(c, k, ih_never_verbs) || (tok_is(c, k, "vote") && tok_is(c, k + 1, "for")))
            v = k;
        else if (tok_is(c, k, "orders") && tok_is(c, k + 1, "from") && tok_is(c, k - 1, "take"))
            v = k - 1;
        if (ends && v >= 0) {
            for (long n = v - 1; n >= 0 && v - n <= 5 && !ih_start(c, n + 1); n--)
                if (tok_in(c, n, negators) ||
                    tok_in(c, n, (const char *const[]){"wouldnt", "refuse", NULL}))
                    return n;
        }
    }
    /* "deport all immigrants", "get rid of Muslims"; "are women ..." */
    long k = j;
    while (k >= 0 && g - k <= 4 &&
           tok_in(c, k,
                  (const char *const[]){"all", "the", "these", "those", "every", "any", "most",
                                        "so", "many", "of", "you", NULL}))
        k--;
    if (k >= 0 && (tok_in(c, k, ih_remove) || (tok_is(c, k + 1, "of") && tok_is(c, k, "rid")))) {
        /* A call: "Deport them", "we should ban ...", "time to expel ...";
         * not a report: "they used to lynch ...". v is the verb's first
         * token ("get rid of"). */
        long v = tok_is(c, k, "rid") && tok_is(c, k - 1, "get") ? k - 1 : k;
        if (ih_start(c, v) ||
            (tok_in(c, v - 1,
                    (const char *const[]){"should", "must", "lets", "gotta", "need", "needs", "we",
                                          "just", "please", "will", "ill", "gonna", "wanna", "to",
                                          NULL}) &&
             !(tok_is(c, v - 1, "to") &&
               tok_in(c, v - 2, (const char *const[]){"used", "right", "rights", NULL}))))
            return v;
        return -1;
    }
    if (k >= 0 &&
        (tok_in(c, k, (const char *const[]){"are", "arent", "r", NULL}) ||
         (tok_in(c, k, (const char *const[]){"find", "consider", NULL}) && ih_speaker(c, k)))) {
        *question = true;
        return -1;
    }
    /* A feeling: "I hate (all) women", "contempt for women". */
    for (k = j; k >= 0 && g - k <= 6 && !ih_start(c, k + 1); k--) {
        /* misspelt too: "I haet", "nothing but contmpt for" */
        bool verb = tok_guess_in(c, k, ih_hate_verbs) ||
                    (tok_is(c, k, "stand") &&
                     tok_in(c, k - 1, (const char *const[]){"cant", "cannot", NULL}));
        bool feeling = tok_guess_in(c, k, ih_hate_feelings);
        if (verb || feeling) {
            long s = tok_is(c, k, "stand") ? k - 1 : k;
            /* "contempt for", "sick of", "disgusted by": a feeling needs a
             * preposition before the group, a verb takes it directly. */
            if (feeling && !(tok_in(c, k + 1,
                                    (const char *const[]){"for", "of", "by", "towards", "toward",
                                                          "with", "at", NULL})))
                return -1;
            return ih_speaker(c, s) ? s : -1;
        }
        if (!tok_in(c, k, ih_pre_gap))
            return -1;
    }
    return -1;
}

/* "They breed like rabbits.", "these people multiply like rats": people
 * likened to animals for their numbers, with no group word to carry it.
 * Not a group of animals ("Rabbits breed like rabbits", "the mice breed
 * like flies"): the subject must be "they" or people. Returns the first
 * token of the cue, or -1; *e is set to its last. */
static long
ih_they_breed(const ctx *c, long *e)
{
    /* Most comments say neither word: skip the token walk. The folded text
     * keeps a doubled letter once ("breed" is "bred" there). */
    if (!strstr(c->t.s, "bred") && !strstr(c->t.s, "multiply"))
        return -1;
    for (long k = 1; (size_t)k + 2 < c->ntok; k++) {
        if (!ih_breeds_like(c, k))
            continue;
        long s = k - 1;
        if (tok_in(c, s, (const char *const[]){"all", "just", "simply", NULL}))
            s--;
        if (tok_is(c, s, "they") ||
            (tok_in(c, s, (const char *const[]){"people", "folks", NULL}) &&
             tok_in(c, s - 1, (const char *const[]){"these", "those", "such", NULL}))) {
            if (ih_disowned(c, s) || ih_attributed(c, k + 2))
                continue;
            *e = k + 2;
            return s;
        }
    }
    return -1;
}

/* Pests and diseases: the nouns that liken people to what is wiped out.
 * Without a group word ("These people are a plague on our cities.") only
 * these count: "animals", "scum" and "savages" are as often said of the
 * men who did what an article reports. */
static const char *const ih_pests[] = {
    "vermin",        "plague",   "parasites", "parasite", "cockroaches", "cockroach",
    "roaches",       "rats",     "rodents",   "termites", "locusts",     "lice",
    "leeches",       "maggots",  "pests",     "virus",    "infestation", "cancer",
    "disease",       "blight",   "scourge",   "invaders", "subhuman",    "subhumans",
    "untermenschen", "mongrels", "apes",      "monkeys",  "insects",     NULL};

/* Is the cue that ih_after() found after "these people" one that needs no
 * group word to be hate? Pests, rights and life denied ("don't deserve
 * rights", "have no right to exist"), a zoo or a cage, extermination;
 * not "don't deserve a second chance" nor "should be locked up". */
static bool
ih_unnamed_cue(const ctx *c, long q)
{
    static const char *const wiped[] = {"exterminated", "eradicated", "gassed",     "sterilised",
                                        "sterilized",   "euthanised", "euthanized", "culled",
                                        "purged",       "wiped",      NULL};
    static const char *const places[] = {"zoo",   "zoos",  "cage", "cages", "gutter",
                                         "sewer", "ovens", "oven", NULL};
    static const char *const lives[] = {"live", "exist", "breathe", NULL};
    if (tok_in(c, q, ih_pests) || tok_in(c, q, wiped) || tok_in(c, q, places))
        return true;
    if (tok_in(c, q, (const char *const[]){"deserve", "deserves", NULL}))
        return tok_in(c, q + 1, (const char *const[]){"rights", "life", "dignity", NULL}) ||
               (tok_is(c, q + 1, "to") && tok_in(c, q + 2, lives));
    if (tok_in(c, q, (const char *const[]){"right", "rights", NULL}))
        return tok_is(c, q + 1, "to") && tok_in(c, q + 2, lives);
    return false;
}

/* "These people are a plague on our cities.", "those people don't deserve
 * rights": hate said of people the comment does not name, with the cues
 * ih_unnamed_cue() accepts. Returns the first token ("these"), or -1; *e
 * is set to the cue. */
static long
ih_these_people(const ctx *c, long *e)
{
    if (!strstr(c->t.s, "people") && !strstr(c->t.s, "folks"))
        return -1; /* most comments: no walk */
    for (long k = 0; (size_t)k + 2 < c->ntok; k++) {
        if (!tok_in(c, k, (const char *const[]){"these", "those", "such", NULL}) ||
            !tok_in(c, k + 1, (const char *const[]){"people", "folks", NULL}))
            continue;
        long cue = ih_after(c, k, k + 1, false);
        if (cue < 0 || !ih_unnamed_cue(c, cue) || ih_disowned(c, k) || ih_attributed(c, cue))
            continue;
        *e = cue;
        return k;
    }
    return -1;
}

/* "Send them all back where they came from.", "ship them back to their own
 * country", "they should go back to their own country": people sent or told
 * back to where they came from, the call of anti-immigrant hate. The
 * destination decides: "send them back to the store" and "the visitors go
 * back to their own country tomorrow" (no modal) are not it. Returns the
 * first token of the cue, or -1; *e is set to its last. */
static long
ih_send_back(const ctx *c, long *e)
{
    if (!strstr(c->t.s, "back"))
        return -1;
    static const char *const lands[] = {"country",    "countries", "homeland",  "homelands",
                                        "motherland", "shithole",  "shitholes", NULL};
    for (long k = 0; (size_t)k + 3 < c->ntok; k++) {
        long b = -1, s = k;                               /* "back", and the cue's first token */
        long m = tok_is(c, k - 1, "all") ? k - 2 : k - 1; /* the modal before "go" */
        if (tok_in(c, k, (const char *const[]){"send", "ship", NULL}) &&
            tok_in(c, k + 1, (const char *const[]){"them", "em", NULL}))
            b = tok_is(c, k + 2, "all") ? k + 3 : k + 2;
        else if (tok_is(c, k, "go") &&
                 tok_in(c, m,
                        (const char *const[]){"should", "must", "need", "ought", "better", NULL})) {
            b = k + 1;
            s = m;
        } else if (tok_is(c, k, "go") && tok_is(c, k - 1, "to") &&
                   tok_in(c, k - 2, (const char *const[]){"need", "needs", "ought", NULL})) {
            b = k + 1;
            s = k - 2;
        }
        if (b < 0 || !tok_is(c, b, "back"))
            continue;
        long d = b + 1;
        if (tok_is(c, d, "to"))
            d++;
        long end = -1;
        /* "where (or "were") they came from" */
        if (tok_in(c, d, (const char *const[]){"where", "were", NULL}) &&
            tok_is(c, d + 1, "they") && tok_is(c, d + 2, "came"))
            end = d + 2;
        /* "to their (own) country", "to the countries they came from" */
        else if (tok_is(c, d - 1, "to") &&
                 tok_in(c, d, (const char *const[]){"their", "there", "the", NULL})) {
            long l = tok_is(c, d + 1, "own") ? d + 2 : d + 1;
            if (tok_in(c, l, lands) &&
                (!tok_is(c, d, "the") || (tok_is(c, l + 1, "they") && tok_is(c, l + 2, "came"))))
                end = tok_is(c, d, "the") ? l + 2 : l;
        }
        /* "back on the boats" */
        else if (tok_is(c, d, "on") && tok_is(c, d + 1, "the") &&
                 tok_in(c, d + 2, (const char *const[]){"boat", "boats", NULL}) &&
                 !tok_is(c, k, "go"))
            end = d + 2;
        if (end < 0 || ih_disowned(c, s) || ih_attributed(c, end))
            continue;
        *e = end;
        return s;
    }
    return -1;
}

void
rule_identity_hate(ctx *c)
{
    uint32_t qpos = 0;
    bool inq = false;
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        if (h->category != LEX_GROUP)
            continue;
        long g = tok_at(c, h->start), ge = tok_at(c, h->end - 1);
        if (tok_in(c, g - 1,
                   (const char *const[]){"word", "words", "term", "terms", "label", "name", NULL}))
            continue; /* "the word Muslim": a mention */
        /* "the women", "some men", "two immigrants": particular people, or
         * not the whole group. */
        if ((tok_in(c, g - 1,
                    (const char *const[]){"some", "certain", "few", "several", "two", "three",
                                          "four", "both", "many", NULL}) ||
             (tok_is(c, g - 1, "the") && !tok_is(c, g - 2, "all"))))
            continue;
        if (tok_in(c, ge + 1, ih_people) && !ih_start(c, ge + 1))
            ge++;
        else if (tok_guess_in(c, ge + 1, ih_dehum_next) && !ih_start(c, ge + 1)) {
            /* "female vermin", "common Muslim trash" */
            long cue = ge + 1;
            if (ih_disowned(c, g) || ih_quoted(c, c->t.ostart[h->start], &qpos, &inq))
                continue;
            uint32_t os, oe;
            span_tokens(c, (size_t)g, (size_t)cue, &os, &oe);
            set_reason(c, RULE_IDENTITY_HATE, MSG_IDENTITY_HATE, os, oe);
            return;
        } else if (h->severity == 0 && !tok_is(c, g - 1, "being")) /* "being gay is" */
            continue;
        bool question;
        long cue = ih_before(c, g, &question);
        bool feeling =
            cue >= 0 &&
            (tok_guess_in(c, cue, ih_hate_verbs) || tok_guess_in(c, cue, ih_hate_feelings) ||
             (tok_in(c, cue, (const char *const[]){"cant", "cannot", NULL}) &&
              tok_is(c, cue + 1, "stand")));
        if (feeling && tok_in(c, ge + 1, ih_done_to))
            cue = -1;
        if (cue < 0) {
            long none_before = g - 1; /* "no woman deserves to live" */
            if (tok_is(c, none_before, "no")) {
                long p = ge + 1;
                if (tok_in(c, p, (const char *const[]){"deserves", "deserve", NULL}) &&
                    (tok_in(c, p + 1,
                            (const char *const[]){"to", "rights", "respect", "life", "dignity",
                                                  "equality", NULL})) &&
                    (!tok_is(c, p + 1, "to") ||
                     tok_in(c, p + 2,
                            (const char *const[]){"live", "exist", "vote", "work", "respect",
                                                  "rights", NULL})))
                    cue = p + 1;
                else if (tok_in(c, p, (const char *const[]){"can", "is", "will", "could", NULL})) {
                    long q = p + 1;
                    if (tok_is(c, q, "ever"))
                        q++;
                    if (tok_is(c, q, "be"))
                        q++;
                    if (tok_in(c, q, (const char *const[]){"a", "an", NULL}))
                        q++;
                    if (tok_in(c, q, ih_worth) || tok_in(c, q + 1, ih_worth))
                        cue = tok_in(c, q, ih_worth) ? q : q + 1;
                }
                if (cue >= 0 && ih_disowned(c, g - 1))
                    cue = -1;
            } else {
                cue = ih_after(c, g, ge, question);
                if (cue >= 0 && ih_disowned(c, question ? g - 2 : g))
                    cue = -1;
            }
        } else if (!feeling && ih_disowned(c, cue)) {
            cue = -1;
        }
        if (cue < 0 || ih_attributed(c, cue > ge ? cue : ge) ||
            ih_quoted(c, c->t.ostart[h->start], &qpos, &inq))
            continue;
        uint32_t os, oe;
        span_tokens(c, (size_t)(cue < g ? cue : g), (size_t)(cue > ge ? cue : ge), &os, &oe);
        set_reason(c, RULE_IDENTITY_HATE, MSG_IDENTITY_HATE, os, oe);
        return;
    }
    long e = -1, s = ih_they_breed(c, &e);
    if (s < 0)
        s = ih_these_people(c, &e);
    if (s < 0)
        s = ih_send_back(c, &e);
    if (s >= 0) {
        uint32_t os, oe;
        span_tokens(c, (size_t)s, (size_t)e, &os, &oe);
        set_reason(c, RULE_IDENTITY_HATE, MSG_IDENTITY_HATE, os, oe);
    }
}
