/* tests/unit/moderation/test_moderation.c: the engine's interface: policy
 * settings, lexicon errors, scores, the review flag, the JSON, and
 * pathological comments through the whole engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moderation/lexicon.h"
#include "moderation/moderation.h"
#include "moderation/moderation_int.h"
#include "moderation/moderation_json.h"
#include "moderation/policy.h"

static moderation *
engine_with(const char *key, const char *value, int *rc, pl_error *err)
{
    config cfg;
    config_init(&cfg);
    assert_int_equal(config_set(&cfg, key, value, err), 0);
    moderation *m = NULL;
    *rc = moderation_new(&cfg, &m, err);
    config_fini(&cfg);
    return m;
}

/* The first test of the binary: the built-in parts are loaded once per
 * process, by the first engine that needs them. An engine with
 * moderation.classifier = off loads no model (docs/MODERATION.md, "How the
 * engine uses the model"); the first engine that uses it does, and one
 * with it off still runs without it after. */
static void
classifier_off_loads_no_model(void **state)
{
    (void)state;
    pl_error err;
    int rc;
    classifier_scores cs;
    assert_false(moderation_shared_classifier_loaded()); /* no engine was built before */
    moderation *m = engine_with("moderation.classifier", "off", &rc, &err);
    assert_int_equal(rc, 0);
    assert_false(moderation_score_text(m, "Hello there.", 12, &cs));
    assert_false(moderation_shared_classifier_loaded());
    moderation_free(m);
    m = engine_with("moderation.classifier", "on", &rc, &err);
    assert_int_equal(rc, 0);
    assert_true(moderation_shared_classifier_loaded());
    assert_true(moderation_score_text(m, "Hello there.", 12, &cs));
    moderation_free(m);
    m = engine_with("moderation.classifier", "off", &rc, &err);
    assert_int_equal(rc, 0);
    assert_false(moderation_score_text(m, "Hello there.", 12, &cs));
    moderation_free(m);
}

static void
policy_defaults_match_the_issue(void **state)
{
    (void)state;
    policy p;
    policy_defaults(&p);
    assert_int_equal(p.action[RULE_SLUR], POLICY_REJECT);
    assert_int_equal(p.action[RULE_PROFANITY], POLICY_REJECT);
    assert_int_equal(p.action[RULE_VULGARITY], POLICY_REJECT);
    assert_int_equal(p.action[RULE_PERSONAL_ATTACK], POLICY_HOLD);
    assert_int_equal(p.action[RULE_HARASSMENT], POLICY_HOLD);
    assert_int_equal(p.action[RULE_IDENTITY_HATE], POLICY_HOLD);
    assert_int_equal(p.action[RULE_TRAGEDY_JOKE], POLICY_HOLD);
    assert_int_equal(p.action[RULE_OFF_TOPIC], POLICY_PUBLISH);
    assert_int_equal(p.action[RULE_NEW_USER], POLICY_PUBLISH);
    assert_int_equal(p.action[RULE_SPAM], POLICY_HOLD);
    assert_string_equal(policy_rule_name(RULE_PERSONAL_ATTACK), "personal_attack");
    assert_string_equal(policy_rule_name(RULE_IDENTITY_HATE), "identity_hate");
    assert_string_equal(policy_rule_name(RULE_PREMODERATED), "premoderated");
    assert_string_equal(policy_action_name(POLICY_HOLD), "hold");
}

static void
bad_policy_settings_are_named(void **state)
{
    (void)state;
    pl_error err;
    int rc;
    moderation *m = engine_with("policy.swearing", "reject", &rc, &err);
    assert_int_equal(rc, PL_EINVAL);
    assert_null(m);
    assert_non_null(strstr(err.msg, "policy.swearing"));
    m = engine_with("policy.slur", "delete", &rc, &err);
    assert_int_equal(rc, PL_EINVAL);
    assert_non_null(strstr(err.msg, "policy.slur"));
    m = engine_with("policy.premoderated", "publish", &rc, &err);
    assert_int_equal(rc, PL_EINVAL);
    m = engine_with("moderation.max_links", "zero", &rc, &err);
    assert_int_equal(rc, PL_EINVAL);
    assert_non_null(strstr(err.msg, "moderation.max_links"));
    m = engine_with("moderation.word_at", "0", &rc, &err);
    assert_int_equal(rc, PL_EINVAL);
    assert_null(m);
    assert_non_null(strstr(err.msg, "moderation.word_at"));
    m = engine_with("moderation.confirm_at", "high", &rc, &err);
    assert_int_equal(rc, PL_EINVAL);
    assert_null(m);
    assert_non_null(strstr(err.msg, "moderation.confirm_at"));
    m = engine_with("moderation.word_at", "off", &rc, &err);
    assert_int_equal(rc, 0);
    moderation_free(m);
    m = engine_with("moderation.swear_at", "-0.1", &rc, &err);
    assert_int_equal(rc, PL_EINVAL);
    assert_null(m);
    assert_non_null(strstr(err.msg, "moderation.swear_at"));
    /* Mild swearing the model leans on (TOXICITY 0.47): held under the
     * word's rule by default, with the word as the excerpt; published
     * when swear_at is off. */
    {
        static const char mild[] = "Damn, that was a close vote.";
        moderation_input sin = {
            .body = mild, .body_len = sizeof mild - 1, .article_title = "", .article_text = ""};
        moderation_result sr;
        arena *sa = arena_new();
        m = engine_with("moderation.swear_at", "0.3", &rc, &err);
        assert_int_equal(rc, 0);
        moderation_decide(m, &sin, sa, &sr);
        assert_int_equal(sr.decision, MOD_HOLD);
        assert_int_equal(sr.n_reasons, 1);
        assert_string_equal(sr.reasons[0].rule, "profanity");
        assert_string_equal(sr.reasons[0].excerpt, "Damn");
        moderation_free(m);
        m = engine_with("moderation.swear_at", "off", &rc, &err);
        assert_int_equal(rc, 0);
        moderation_decide(m, &sin, sa, &sr);
        assert_int_equal(sr.decision, MOD_PUBLISH);
        moderation_free(m);
        arena_free(sa);
    }
    m = engine_with("moderation.homonym_at", "1.5", &rc, &err);
    assert_int_equal(rc, PL_EINVAL);
    assert_null(m);
    assert_non_null(strstr(err.msg, "moderation.homonym_at"));
    /* A slur with innocent uses, not aimed by the rules' cues, in a
     * comment the model reads as hostile (0.82): held by default, left to
     * the rules (published) when homonym_at is off. */
    {
        static const char hostile[] = "Barry needs to keep his faggot ass in the closet";
        moderation_input hin = {.body = hostile,
                                .body_len = sizeof hostile - 1,
                                .article_title = "",
                                .article_text = ""};
        moderation_result hr;
        arena *ha = arena_new();
        m = engine_with("moderation.homonym_at", "0.8", &rc, &err);
        assert_int_equal(rc, 0);
        moderation_decide(m, &hin, ha, &hr);
        assert_int_equal(hr.decision, MOD_HOLD);
        moderation_free(m);
        m = engine_with("moderation.homonym_at", "off", &rc, &err);
        assert_int_equal(rc, 0);
        moderation_decide(m, &hin, ha, &hr);
        assert_int_equal(hr.decision, MOD_PUBLISH);
        moderation_free(m);
        arena_free(ha);
    }
    m = engine_with("moderation.confirm_at", "0.8", &rc, &err);
    assert_int_equal(rc, 0);
    moderation_free(m);
    m = engine_with("moderation.max_links", "1", &rc, &err);
    assert_int_equal(rc, 0);
    arena *a = arena_new();
    moderation_input in = {
        .body = "see https://x.example", .body_len = 21, .article_title = "", .article_text = ""};
    moderation_result r;
    moderation_decide(m, &in, a, &r);
    assert_int_equal(r.decision, MOD_HOLD);
    assert_string_equal(r.reasons[0].rule, "spam");
    arena_free(a);
    moderation_free(m);
}

static void
malformed_lists_are_refused(void **state)
{
    (void)state;
    lexicon *lx = NULL;
    pl_error err;
    lexicon_source bad[] = {{"x.tsv", "# ok\nfoo\tprofanity\t2\n", 22}};
    assert_int_equal(lexicon_new(bad, 1, &lx, &err), PL_EINVAL);
    assert_non_null(strstr(err.msg, "x.tsv:2"));
    lexicon_source cat[] = {{"y.tsv", "foo\tswearing\t2\tword\n", 20}};
    assert_int_equal(lexicon_new(cat, 1, &lx, &err), PL_EINVAL);
    assert_non_null(strstr(err.msg, "swearing"));
    lexicon_source sev[] = {{"z.tsv", "foo\tprofanity\t9\tword\n", 21}};
    assert_int_equal(lexicon_new(sev, 1, &lx, &err), PL_EINVAL);
    lexicon_source good[] = {{"g.tsv", "zork\tprofanity\t2\tword\nzor\tallow\t0\tglue\n", 39}};
    assert_int_equal(lexicon_new(good, 1, &lx, &err), 0);
    lexicon_stats st;
    lexicon_get_stats(lx, &st);
    assert_int_equal(st.terms, 2);
    assert_true(st.patterns > 2); /* inflections */
    arena *a = arena_new();
    norm_text t;
    norm_fold(a, "zorks and ZORKING", 17, &t);
    lex_hit *h;
    assert_int_equal(lexicon_scan(lx, &t, a, &h), 2);
    assert_string_equal(lexicon_term(lx, h[0].term), "zork");
    assert_false(lexicon_term_homograph(lx, h[0].term));
    arena_free(a);
    lexicon_free(lx);
    /* The optional fifth column takes homograph or criticism. */
    lexicon_source flag[] = {{"h.tsv", "zork\tvulgarity\t2\texact\tbird\n", 28}};
    assert_int_equal(lexicon_new(flag, 1, &lx, &err), PL_EINVAL);
    assert_non_null(strstr(err.msg, "h.tsv:1"));
    assert_non_null(strstr(err.msg, "homograph"));
    lexicon_source six[] = {{"s.tsv", "zork\tvulgarity\t2\texact\thomograph\tx\n", 35}};
    assert_int_equal(lexicon_new(six, 1, &lx, &err), PL_EINVAL);
    lexicon_source twin[] = {
        {"t.tsv", "zork\tvulgarity\t2\texact\thomograph\nblat\tvulgarity\t2\texact\n", 56}};
    assert_int_equal(lexicon_new(twin, 1, &lx, &err), 0);
    a = arena_new();
    norm_fold(a, "zork blat", 9, &t);
    assert_int_equal(lexicon_scan(lx, &t, a, &h), 2);
    assert_string_equal(lexicon_term(lx, h[0].term), "zork");
    assert_true(lexicon_term_homograph(lx, h[0].term));
    assert_false(lexicon_term_homograph(lx, h[1].term));
    assert_false(lexicon_term_homograph(lx, 9999));
    assert_false(lexicon_term_criticism(lx, h[0].term));
    arena_free(a);
    lexicon_free(lx);
    /* "criticism" marks an insult_adj or insult of severity 0, nothing
     * else. */
    lexicon_source crit[] = {{"c.tsv", "zorky\tinsult_adj\t0\texact\tcriticism\n", 35}};
    assert_int_equal(lexicon_new(crit, 1, &lx, &err), 0);
    a = arena_new();
    norm_fold(a, "so zorky", 8, &t);
    assert_int_equal(lexicon_scan(lx, &t, a, &h), 1);
    assert_true(lexicon_term_criticism(lx, h[0].term));
    assert_false(lexicon_term_homograph(lx, h[0].term));
    arena_free(a);
    lexicon_free(lx);
    static const char *const bad_crit[] = {
        "zorky\tinsult_adj\t1\texact\tcriticism\n", /* severity 1 */
        "zorky\tinsult\t1\texact\tcriticism\n",     /* a noun of severity 1 */
        "zorky\tprofanity\t0\texact\tcriticism\n",  /* not an insult */
    };
    for (size_t i = 0; i < sizeof bad_crit / sizeof bad_crit[0]; i++) {
        lexicon_source b[] = {{"c.tsv", bad_crit[i], strlen(bad_crit[i])}};
        assert_int_equal(lexicon_new(b, 1, &lx, &err), PL_EINVAL);
        assert_non_null(strstr(err.msg, "criticism"));
    }
    /* The sixth column is the language; "-" fills the fifth when the term is no homograph. */
    static const char *const bad_lang[] = {
        "zork\tvulgarity\t2\texact\t-\tE\n",        /* upper case */
        "zork\tvulgarity\t2\texact\t-\tspanish\n",  /* not a code */
        "zork\tvulgarity\t2\texact\t-\tes,\n",      /* empty code */
        "zork\tvulgarity\t2\texact\t-\t!\n",        /* strict, no code */
        "zork\tvulgarity\t2\texact\tyes\tes\n",     /* bad flag */
        "zork\tvulgarity\t2\texact\t-\tes\tmore\n", /* seven columns */
    };
    for (size_t i = 0; i < sizeof bad_lang / sizeof bad_lang[0]; i++) {
        lexicon_source b[] = {{"l.tsv", bad_lang[i], strlen(bad_lang[i])}};
        assert_int_equal(lexicon_new(b, 1, &lx, &err), PL_EINVAL);
        assert_non_null(strstr(err.msg, "l.tsv:1"));
    }
    static const char langs[] = "zork\tvulgarity\t2\texact\t-\tes,pt\n"
                                "blat\tvulgarity\t2\texact\thomograph\tfr!\n"
                                "quux\tvulgarity\t2\texact\t-\n";
    lexicon_source ls[] = {{"l.tsv", langs, sizeof langs - 1}};
    assert_int_equal(lexicon_new(ls, 1, &lx, &err), 0);
    a = arena_new();
    norm_fold(a, "zork blat quux", 14, &t);
    /* Unknown language: every term but the strict one. */
    assert_int_equal(lexicon_scan(lx, &t, a, &h), 2);
    assert_string_equal(lexicon_term(lx, h[0].term), "zork");
    assert_false(lexicon_term_homograph(lx, h[0].term));
    assert_string_equal(lexicon_term(lx, h[1].term), "quux");
    /* Portuguese for sure: zork (es,pt) and the term of every language. */
    assert_int_equal(lexicon_scan_in(lx, &t, "pt", true, a, &h), 2);
    /* French for sure: the strict French homograph, not zork. */
    assert_int_equal(lexicon_scan_in(lx, &t, "fr", true, a, &h), 2);
    assert_string_equal(lexicon_term(lx, h[0].term), "blat");
    assert_true(lexicon_term_homograph(lx, h[0].term));
    assert_string_equal(lexicon_term(lx, h[1].term), "quux");
    /* German for sure: only the term of every language. */
    assert_int_equal(lexicon_scan_in(lx, &t, "de", true, a, &h), 1);
    arena_free(a);
    lexicon_free(lx);
}

/* A long text is walked in several stretches at once (lexicon.c,
 * scan_walk): a word is found wherever it sits, across every stretch's
 * border, once, and nothing else is. */
static void
long_texts_are_scanned_across_their_stretches(void **state)
{
    (void)state;
    lexicon *lx = NULL;
    pl_error err;
    static const char list[] = "zorblat\tprofanity\t2\tword\n";
    lexicon_source src[] = {{"z.tsv", list, sizeof list - 1}};
    assert_int_equal(lexicon_new(src, 1, &lx, &err), 0);
    /* "xq xq ... zorblat xq ...", about 1,200 bytes, the word moved along
     * it three bytes at a time. */
    enum { PAIRS = 400, WORD = 7 };
    char text[4 * PAIRS];
    for (size_t m = 0; m <= PAIRS; m++) {
        size_t len = 0;
        for (size_t k = 0; k < m; k++, len += 3)
            memcpy(text + len, "xq ", 3);
        memcpy(text + len, "zorblat", WORD);
        len += WORD;
        for (size_t k = m; k < PAIRS; k++, len += 3)
            memcpy(text + len, " xq", 3);
        text[len] = '\0';
        arena *a = arena_new();
        norm_text t;
        norm_fold(a, text, len, &t);
        assert_int_equal(t.len, len);
        lex_hit *h;
        assert_int_equal(lexicon_scan(lx, &t, a, &h), 1);
        assert_int_equal(h[0].start, 3 * m);
        assert_int_equal(h[0].end, 3 * m + WORD);
        arena_free(a);
    }
    /* Several at once, in the text's order. */
    size_t len = 0, where[] = {0, 99, 100, 200, 201, 300, 399}, nw = sizeof where / sizeof where[0];
    for (size_t m = 0, w = 0; m < PAIRS; m++) {
        bool word = w < nw && where[w] == m;
        memcpy(text + len, word ? "zorblat " : "xq ", word ? WORD + 1 : 3);
        len += word ? WORD + 1 : 3;
        w += word;
    }
    text[--len] = '\0';
    arena *a = arena_new();
    norm_text t;
    norm_fold(a, text, len, &t);
    assert_int_equal(t.len, len);
    lex_hit *h;
    assert_int_equal(lexicon_scan(lx, &t, a, &h), nw);
    for (size_t k = 0; k < nw; k++)
        assert_int_equal(h[k].start, 3 * where[k] + (WORD - 2) * k);
    arena_free(a);
    /* The longest form ("zorblaters", as long as the automaton is deep)
     * moved one byte at a time through a text of fixed length,
     * "xqxq... zorblaters xqxq...": once it ends just after a stretch's
     * first byte, where a walk warmed up on fewer than depth - 1 bytes
     * misses it. The shorter word above, moved three bytes at a time,
     * lets a warm-up four bytes short pass. */
    enum { LONG = 10, TOTAL = 1200 };
    for (size_t p = 1; p + LONG + 3 <= TOTAL; p++) {
        for (size_t i = 0; i < TOTAL; i++)
            text[i] = i % 2 ? 'q' : 'x';
        text[p] = ' ';
        memcpy(text + p + 1, "zorblaters", LONG);
        text[p + 1 + LONG] = ' ';
        text[TOTAL] = '\0';
        a = arena_new();
        norm_fold(a, text, TOTAL, &t);
        assert_int_equal(t.len, TOTAL);
        assert_int_equal(lexicon_scan(lx, &t, a, &h), 1);
        assert_int_equal(h[0].start, p + 1);
        assert_int_equal(h[0].end, p + 1 + LONG);
        arena_free(a);
    }
    lexicon_free(lx);
}

static size_t
scan_text(const lexicon *lx, arena *a, const char *text, lex_hit **h)
{
    norm_text t;
    norm_fold(a, text, strlen(text), &t);
    return lexicon_scan(lx, &t, a, h);
}

/* The allow-list's hits that shielded a listed word, which the engine
 * reads as "the model must be sure" (lexicon_scan_allow). */
static void
allow_hits_that_shield(void **state)
{
    (void)state;
    pl_error err;
    lexicon *lx = NULL;
    assert_int_equal(lexicon_load(NULL, &lx, &err), 0);
    arena *a = arena_new();
    lex_hit *h, *al;
    size_t nal = 99;
    norm_text t;

    /* "snigger" shields the slur inside "sniggered" */
    norm_fold(a, "He sniggered at us, you idiot.", 30, &t);
    assert_int_equal(lexicon_scan_allow(lx, &t, "", false, a, &h, &al, &nal), 1);
    assert_string_equal(lexicon_term(lx, h[0].term), "idiot");
    assert_int_equal(nal, 1);
    assert_string_equal(lexicon_term(lx, al[0].term), "snigger");
    assert_int_equal(al[0].category, LEX_ALLOW);

    /* a plain text has none */
    norm_fold(a, "A quiet street.", 15, &t);
    assert_int_equal(lexicon_scan_allow(lx, &t, "", false, a, &h, &al, &nal), 0);
    assert_int_equal(nal, 0);

    /* a group's name is no look-alike: "homosexual" covers "homo" */
    norm_fold(a, "The homosexual community met.", 29, &t);
    lexicon_scan_allow(lx, &t, "", false, a, &h, &al, &nal);
    assert_int_equal(nal, 0);
    assert_null(al);

    /* the same hits as lexicon_scan_in */
    lex_hit *h2;
    norm_fold(a, "Scunthorpe, you idiot.", 22, &t);
    assert_int_equal(lexicon_scan_allow(lx, &t, "", false, a, &h, &al, &nal), 1);
    assert_int_equal(nal, 1);
    assert_string_equal(lexicon_term(lx, al[0].term), "scunthorpe");
    assert_int_equal(lexicon_scan_in(lx, &t, "", false, a, &h2), 1);
    assert_int_equal(h2[0].start, h[0].start);
    assert_int_equal(h2[0].end, h[0].end);
    assert_int_equal(h2[0].term, h[0].term);
    arena_free(a);
    lexicon_free(lx);
}

/* Masks inside attack and harassment phrases, masks of mild words, and
 * swapped letters: what the lexicon reports, and how it found it. */
static void
masks_and_swaps_in_the_lexicon(void **state)
{
    (void)state;
    static const char list[] = "fuck\tprofanity\t3\tglue\n"
                               "bollocks\tprofanity\t1\texact\n"
                               "shitty\tprofanity\t2\texact\n"
                               "fuck off\tattack\t3\texact\n"
                               "go fuck yourself\tattack\t3\texact\n"
                               "kill yourself\tharassment\t3\texact\n";
    lexicon_source src[] = {{"m.tsv", list, sizeof list - 1}};
    lexicon *lx = NULL;
    pl_error err;
    assert_int_equal(lexicon_new(src, 1, &lx, &err), 0);
    arena *a = arena_new();
    lex_hit *h;

    /* One letter shows: only the phrase fixes the word. */
    assert_int_equal(scan_text(lx, a, "f*** off", &h), 1);
    assert_string_equal(lexicon_term(lx, h[0].term), "fuck off");
    assert_int_equal(h[0].category, LEX_ATTACK);
    assert_int_equal(h[0].via, LEX_VIA_MASK);
    assert_int_equal(h[0].start, 0);
    assert_int_equal(scan_text(lx, a, "so go f**k yourself", &h), 2); /* + "fuck" */
    assert_string_equal(lexicon_term(lx, h[0].term), "go fuck yourself");
    assert_int_equal(h[1].category, LEX_PROFANITY);
    assert_int_equal(scan_text(lx, a, "k*ll yourself", &h), 1);
    assert_int_equal(h[0].category, LEX_HARASSMENT);
    assert_int_equal(h[0].via, LEX_VIA_MASK);
    /* Not a phrase, or not the whole of it: nothing. */
    assert_int_equal(scan_text(lx, a, "f***", &h), 0);
    assert_int_equal(scan_text(lx, a, "f*** offer", &h), 0);
    assert_int_equal(scan_text(lx, a, "f** off", &h), 0);     /* wrong length */
    assert_int_equal(scan_text(lx, a, "d*** off", &h), 0);    /* wrong letter */
    assert_int_equal(scan_text(lx, a, "**** off", &h), 0);    /* no letter shows */
    assert_int_equal(scan_text(lx, a, "go f*** you", &h), 0); /* "yourself" cut short */
    assert_int_equal(scan_text(lx, a, "fork off", &h), 0);

    /* A mild word is resolved like a strong one. */
    assert_int_equal(scan_text(lx, a, "what b*llocks", &h), 1);
    assert_string_equal(lexicon_term(lx, h[0].term), "bollocks");
    assert_int_equal(h[0].via, LEX_VIA_MASK);
    assert_int_equal(h[0].severity, 1);

    /* Swapped letters: inside the phrase at any length, alone from five
     * letters on, and only as a whole word. */
    assert_int_equal(scan_text(lx, a, "fcuk off", &h), 1);
    assert_string_equal(lexicon_term(lx, h[0].term), "fuck off");
    assert_int_equal(h[0].via, LEX_VIA_TRANSPOSED);
    assert_int_equal(scan_text(lx, a, "fcuk", &h), 0);
    assert_int_equal(scan_text(lx, a, "fcuk shop", &h), 0);
    assert_int_equal(scan_text(lx, a, "so sihtty", &h), 1);
    assert_string_equal(lexicon_term(lx, h[0].term), "shitty");
    assert_int_equal(h[0].via, LEX_VIA_TRANSPOSED);
    assert_int_equal(scan_text(lx, a, "fukced up", &h), 1);
    assert_string_equal(lexicon_term(lx, h[0].term), "fuck");
    assert_int_equal(scan_text(lx, a, "xsihtty", &h), 0);
    assert_int_equal(scan_text(lx, a, "fukcedness", &h), 0);

    arena_free(a);
    lexicon_free(lx);
}

/* A word read across the one dot of what could be a host name carries
 * the host mark (the engine holds it at worst). Under a country code whose
 * registry takes names only a level lower (every two-letter wildcard of
 * the Public Suffix List), "bla.kh" names no site and is read as a word; a
 * name a level lower ("bla.com.kh") is a host, and no word is read in it. */
static void
a_word_across_a_host_names_dot(void **state)
{
    (void)state;
    static const char list[] = "blabd\tvulgarity\t2\texact\n"
                               "black\tvulgarity\t2\texact\n"
                               "blaer\tvulgarity\t2\texact\n"
                               "blafk\tvulgarity\t2\texact\n"
                               "blajm\tvulgarity\t2\texact\n"
                               "blakh\tvulgarity\t2\texact\n"
                               "blamm\tvulgarity\t2\texact\n"
                               "blanp\tvulgarity\t2\texact\n"
                               "blapg\tvulgarity\t2\texact\n"
                               "blait\tvulgarity\t2\texact\n"
                               "blacom\tvulgarity\t2\texact\n";
    lexicon_source src[] = {{"h.tsv", list, sizeof list - 1}};
    lexicon *lx = NULL;
    pl_error err;
    assert_int_equal(lexicon_new(src, 1, &lx, &err), 0);
    arena *a = arena_new();
    lex_hit *h;
    static const char *const third_level[] = {"bd", "ck", "er", "fk", "jm", "kh", "mm", "np", "pg"};
    for (size_t i = 0; i < sizeof third_level / sizeof third_level[0]; i++) {
        char text[32], word[8];
        snprintf(text, sizeof text, "see bla.%s now", third_level[i]);
        snprintf(word, sizeof word, "bla%s", third_level[i]);
        assert_int_equal(scan_text(lx, a, text, &h), 1);
        assert_string_equal(lexicon_term(lx, h[0].term), word);
        assert_false(h[0].host);
        /* A level lower it is a host name, and no word is read in it. */
        snprintf(text, sizeof text, "see bla.com.%s now", third_level[i]);
        assert_int_equal(scan_text(lx, a, text, &h), 0);
        snprintf(text, sizeof text, "see www.bla.%s now", third_level[i]);
        assert_int_equal(scan_text(lx, a, text, &h), 0);
    }
    /* Italy and ".com" take names right under them: host names. */
    assert_int_equal(scan_text(lx, a, "see bla.it now", &h), 1);
    assert_string_equal(lexicon_term(lx, h[0].term), "blait");
    assert_true(h[0].host);
    assert_int_equal(scan_text(lx, a, "see bla.com now", &h), 1);
    assert_true(h[0].host);
    arena_free(a);
    lexicon_free(lx);
}

/* Disguises that keep every letter: words glued together, a four-letter
 * swap, leetspeak standing for another vowel, and a spelled-out word that
 * swallowed its article. And the ordinary words that look like them. */
static void
glued_swapped_and_leet_words_in_the_lexicon(void **state)
{
    (void)state;
    pl_error err;
    lexicon *lx = NULL;
    assert_int_equal(lexicon_load(NULL, &lx, &err), 0);
    arena *a = arena_new();
    lex_hit *h;

    /* Glued to an ordinary word: the token is no word, its pieces are. */
    assert_int_equal(scan_text(lx, a, "too manyfags here", &h), 1);
    assert_string_equal(lexicon_term(lx, h[0].term), "fag");
    assert_int_equal(h[0].via, LEX_VIA_GLUED);
    assert_int_equal(scan_text(lx, a, "typical coonbehaviour", &h), 1);
    assert_int_equal(h[0].category, LEX_SLUR);
    assert_int_equal(h[0].via, LEX_VIA_GLUED);
    assert_int_equal(scan_text(lx, a, "a total clusterfuck", &h), 1);
    assert_int_equal(h[0].category, LEX_PROFANITY);
    /* Words and names of the dictionary, and pieces that are no words. */
    assert_int_equal(scan_text(lx, a, "my therapist likes cocktails", &h), 0);
    assert_int_equal(scan_text(lx, a, "the assassin from Scunthorpe", &h), 0);
    assert_int_equal(scan_text(lx, a, "Claud Cockburn wrote", &h), 0);
    assert_int_equal(scan_text(lx, a, "Mongolia and the raccoons", &h), 0);
    assert_int_equal(scan_text(lx, a, "xfags", &h), 0); /* a piece of one letter */

    /* Four letters: the last two swapped, never the first ("fcuk" is a
     * brand); whole words only. */
    assert_int_equal(scan_text(lx, a, "fukc all of them", &h), 1);
    assert_string_equal(lexicon_term(lx, h[0].term), "fuck");
    assert_int_equal(h[0].via, LEX_VIA_TRANSPOSED);
    assert_int_equal(scan_text(lx, a, "fcuk", &h), 0);
    assert_int_equal(scan_text(lx, a, "xfukc", &h), 0);

    /* Leetspeak for another vowel, and "v" for "u", inside one token. */
    assert_int_equal(scan_text(lx, a, "what a f0cker", &h), 1);
    assert_string_equal(lexicon_term(lx, h[0].term), "fuck");
    assert_int_equal(h[0].via, LEX_VIA_LEET);
    assert_int_equal(scan_text(lx, a, "f@ck this", &h), 1);
    assert_int_equal(h[0].via, LEX_VIA_LEET);
    assert_int_equal(scan_text(lx, a, "h0me t1me", &h), 0);     /* no listed word */
    assert_int_equal(scan_text(lx, a, "fock and fack", &h), 0); /* plain letters */
    assert_int_equal(scan_text(lx, a, "b4ck 2 w0rk", &h), 0);

    /* "a b i t c h": the article was joined to the spelled-out word. */
    assert_int_equal(scan_text(lx, a, "nothing but a b i t c h", &h), 1);
    assert_string_equal(lexicon_term(lx, h[0].term), "bitch");
    assert_int_equal(scan_text(lx, a, "a b o u t", &h), 0);

    arena_free(a);
    lexicon_free(lx);
}

static void
lexicon_override_dir_is_read(void **state)
{
    (void)state;
    pl_error err;
    int rc;
    moderation *m = engine_with("moderation.lexicon_dir", "data/lexicon", &rc, &err);
    assert_int_equal(rc, 0);
    assert_true(moderation_memory(m) > 10000);
    moderation_free(m);
    m = engine_with("moderation.lexicon_dir", "/nonexistent", &rc, &err);
    assert_int_equal(rc, PL_ENOTFOUND);
    assert_null(m);
}

static void
scores_and_review_flag(void **state)
{
    (void)state;
    moderation *m;
    pl_error err;
    assert_int_equal(moderation_new(NULL, &m, &err), 0);
    arena *a = arena_new();
    moderation_input in = {
        .body = "Thanks for the report.", .body_len = 22, .article_title = "", .article_text = ""};
    moderation_result r;
    moderation_decide(m, &in, a, &r);
    assert_int_equal(r.decision, MOD_PUBLISH);
    assert_int_equal(r.n_reasons, 0);
    assert_false(r.queue_for_review);
    assert_true(r.offensive >= 0 && r.offensive < 0.1);
    assert_true(r.on_topic < 0); /* no article text: not computed */

    in.body = "you are a fucking idiot";
    in.body_len = strlen(in.body);
    moderation_decide(m, &in, a, &r);
    assert_int_equal(r.decision, MOD_REJECT);
    assert_true(r.offensive > 0.8);
    assert_true(r.attack > 0.8);

    json_t *j = moderation_result_to_json(&r, true);
    assert_string_equal(json_string_value(json_object_get(j, "decision")), "reject");
    json_t *reasons = json_object_get(j, "reasons");
    assert_int_equal(json_array_size(reasons), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(reasons, 0), "excerpt")),
                        "fucking");
    assert_non_null(json_object_get(json_object_get(j, "scores"), "offensive"));
    json_decref(j);
    arena_free(a);
    moderation_free(m);
}

static moderation_result
decide_text(const moderation *m, arena *a, const char *text)
{
    moderation_input in = {
        .body = text, .body_len = strlen(text), .article_title = "", .article_text = ""};
    moderation_result r;
    moderation_decide(m, &in, a, &r);
    return r;
}

static void
identity_hate_reason_and_policy(void **state)
{
    (void)state;
    moderation *m;
    pl_error err;
    int rc;
    assert_int_equal(moderation_new(NULL, &m, &err), 0);
    arena *a = arena_new();
    moderation_result r = decide_text(m, a, "Honestly, immigrants are parasites.");
    assert_int_equal(r.decision, MOD_HOLD);
    assert_int_equal(r.n_reasons, 1);
    assert_string_equal(r.reasons[0].rule, "identity_hate");
    assert_string_equal(r.reasons[0].excerpt, "immigrants are parasites");
    assert_non_null(strstr(r.reasons[0].message, "an attack on people for who they are"));
    assert_non_null(strstr(r.reasons[0].message, "A moderator will review it"));
    json_t *j = moderation_result_to_json(&r, false);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "reasons"), 0), "rule")),
                        "identity_hate");
    json_decref(j);
    /* A group word alone is not offensive, nor evidence for anything: the
     * model's scores stay well below its hold thresholds. */
    r = decide_text(m, a, "Muslims are my neighbours and women run the council.");
    assert_int_equal(r.decision, MOD_PUBLISH);
    assert_true(r.offensive >= 0 && r.offensive < 0.45);
    assert_true(r.scores[CLF_IDENTITY_ATTACK] >= 0 && r.scores[CLF_IDENTITY_ATTACK] < 0.45);
    moderation_free(m);

    m = engine_with("policy.identity_hate", "reject", &rc, &err);
    assert_int_equal(rc, 0);
    r = decide_text(m, a, "I hate women.");
    assert_int_equal(r.decision, MOD_REJECT);
    assert_non_null(strstr(r.reasons[0].message, "Please edit the comment"));
    moderation_free(m);

    m = engine_with("policy.identity_hate", "off", &rc, &err);
    assert_int_equal(rc, 0);
    r = decide_text(m, a, "I hate women.");
    assert_int_equal(r.decision, MOD_PUBLISH);
    assert_int_equal(r.n_reasons, 0);
    moderation_free(m);

    m = engine_with("policy.identity_hate", "maybe", &rc, &err);
    assert_int_equal(rc, PL_EINVAL);
    assert_non_null(strstr(err.msg, "policy.identity_hate"));
    m = engine_with("policy.identityhate", "hold", &rc, &err);
    assert_int_equal(rc, PL_EINVAL);
    assert_non_null(strstr(err.msg, "identity_hate")); /* the list of rules names it */
    arena_free(a);
}

/* The reason of rule in r, or NULL. */
static const moderation_reason *
reason_of(const moderation_result *r, const char *rule)
{
    for (size_t i = 0; i < r->n_reasons; i++)
        if (strcmp(r->reasons[i].rule, rule) == 0)
            return &r->reasons[i];
    return NULL;
}

static void
pathological_comments_finish(void **state)
{
    (void)state;
    moderation *m;
    pl_error err;
    assert_int_equal(moderation_new(NULL, &m, &err), 0);
    arena *a = arena_new();
    size_t n = 100000;
    char *s = malloc(n + 1);
    moderation_input in = {.body = s,
                           .body_len = n,
                           .article_title = "",
                           .article_text = s,
                           .article_sensitive = true};
    moderation_result r;

    s[0] = 'a';
    for (size_t i = 1; i + 1 < n; i += 2) {
        s[i] = (char)0xcc; /* U+0301, 50,000 combining acute accents */
        s[i + 1] = (char)0x81;
    }
    s[n - 1] = '\0';
    in.body_len = n - 1;
    moderation_decide(m, &in, a, &r);
    assert_int_equal(r.decision, MOD_PUBLISH);

    memset(s, 'x', n); /* one 100 KB word */
    s[n] = '\0';
    in.body_len = n;
    moderation_decide(m, &in, a, &r);
    assert_int_equal(r.decision, MOD_PUBLISH);

    for (size_t i = 0; i < n; i++) /* 25,000 glued strong words */
        s[i] = "fuck"[i % 4];
    moderation_decide(m, &in, a, &r);
    assert_int_equal(r.decision, MOD_REJECT);
    assert_true(strlen(r.reasons[0].excerpt) <= 200);

    for (size_t i = 0; i < n; i++) /* 12,500 masked words, each a phrase's */
        s[i] = "f*** go "[i % 8];
    moderation_decide(m, &in, a, &r);
    /* No rule fires (a mask alone is no word); the model may read the
     * wall of masks as hostile and hold it, never reject it. */
    assert_true(r.decision != MOD_REJECT);
    for (size_t i = 0; i < n; i++)
        s[i] = "go f*** yourself "[i % 17];
    moderation_decide(m, &in, a, &r);
    /* The attack rule fires; the model, sure of the insult, may make it a
     * reject. */
    assert_true(r.decision != MOD_PUBLISH);
    assert_string_equal(r.reasons[0].rule, "personal_attack");

    for (size_t i = 0; i < n; i++) /* "lol idiot you " again and again */
        s[i] = "lol idiot you "[i % 14];
    moderation_decide(m, &in, a, &r);
    assert_true(r.decision != MOD_PUBLISH);

    /* 7,000 group words, each inside quotation marks that never close:
     * the identity rule's windows and quote scan stay bounded. */
    for (size_t i = 0; i < n; i++)
        s[i] = "\"women are not \""[i % 16];
    moderation_decide(m, &in, a, &r);
    assert_true(r.decision != MOD_REJECT); /* the rule stays quiet; the model may hold */
    for (size_t i = 0; i < n; i++)
        s[i] = "I hate women. "[i % 14];
    moderation_decide(m, &in, a, &r);
    assert_true(r.decision != MOD_PUBLISH);
    /* the rule fires; the model, saturated by the repetition, may add its
     * own reasons before it */
    assert_non_null(reason_of(&r, "identity_hate"));

    free(s);
    arena_free(a);
    moderation_free(m);
}

/* About 9 KB of counter-speech quoting the same slur 310 times, in straight
 * and curly quotation marks: "you are ... a homo" aims the word only
 * outside a quotation, which is told by the marks before each of the 310
 * (read once per comment, rules_words.c, quoted). Then one unquoted at the
 * end, and one after an unmatched mark. */
static void
quoted_slurs_in_a_long_comment(void **state)
{
    (void)state;
    moderation *m;
    pl_error err;
    assert_int_equal(moderation_new(NULL, &m, &err), 0);
    arena *a = arena_new();
    size_t cap = 10000, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    n += (size_t)snprintf(s, cap, "He wrote, and I quote: ");
    for (int i = 0; n < 9000; i++)
        n += (size_t)snprintf(s + n, cap - n, "%s",
                              i % 2 == 0 ? "\"you are obviously a homo\" "
                                         : "\u201cyou are obviously a homo\u201d ");
    const char *const ends[] = {"", "and you are obviously a queer",
                                "\" and you are obviously a queer",
                                "\u201d and you are obviously a queer"};
    for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++) {
        snprintf(s + n, cap - n, "%s", ends[e]);
        moderation_input in = {
            .body = s, .body_len = strlen(s), .article_title = "", .article_text = ""};
        moderation_result r;
        arena_reset(a);
        moderation_decide(m, &in, a, &r);
        const moderation_reason *slur = reason_of(&r, "slur");
        if (e == 1) {
            assert_non_null(slur);
            assert_string_equal(slur->excerpt, "queer");
            assert_int_equal(r.decision, MOD_REJECT);
        } else {
            assert_null(slur);
        }
    }
    free(s);
    arena_free(a);
    moderation_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classifier_off_loads_no_model), /* first: see the test */
        cmocka_unit_test(policy_defaults_match_the_issue),
        cmocka_unit_test(bad_policy_settings_are_named),
        cmocka_unit_test(malformed_lists_are_refused),
        cmocka_unit_test(long_texts_are_scanned_across_their_stretches),
        cmocka_unit_test(masks_and_swaps_in_the_lexicon),
        cmocka_unit_test(glued_swapped_and_leet_words_in_the_lexicon),
        cmocka_unit_test(allow_hits_that_shield),
        cmocka_unit_test(a_word_across_a_host_names_dot),
        cmocka_unit_test(lexicon_override_dir_is_read),
        cmocka_unit_test(scores_and_review_flag),
        cmocka_unit_test(identity_hate_reason_and_policy),
        cmocka_unit_test(pathological_comments_finish),
        cmocka_unit_test(quoted_slurs_in_a_long_comment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
