/* moderation/rules_article.c: the rules that read more than the comment's words: repeated
 * targeting of one person (recent comments), the tragedy guard (the
 * article), the on-topic score and spam.
 */
#include "moderation/moderation_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The same person attacked again and again: this comment is an attack on
 * the parent's author, and the author's recent comments name them too. */
void
rule_repeated_targeting(ctx *c)
{
    const moderation_input *in = c->in;
    if (!c->attack_found || in->parent_author_name == NULL || in->parent_author_name[0] == '\0')
        return;
    size_t nl = strlen(in->parent_author_name), times = 0;
    for (size_t i = 0; i < in->n_recent; i++) {
        if (in->recent_times && in->now - in->recent_times[i] > 86400000)
            continue;
        const char *b = in->recent_bodies[i];
        if (b == NULL)
            continue; /* not read: only the repeat check's key was */
        for (const char *p = b; (p = strchr(p, in->parent_author_name[0])) != NULL; p++)
            if (!strncmp(p, in->parent_author_name, nl)) {
                times++;
                break;
            }
    }
    if (times >= 2)
        set_reason(c, RULE_HARASSMENT, "You have repeatedly attacked the same person. Please stop.",
                   c->f[RULE_PERSONAL_ATTACK].os, c->f[RULE_PERSONAL_ATTACK].oe);
}

/* Does an article's title or text tell of death or disaster? One strong
 * word in the title, or three in the text, say so. */
static bool
article_tragic(const moderation *m, const char *title, const char *text, arena *a)
{
    const char *parts[2] = {title, text};
    for (int p = 0; p < 2; p++) {
        if (parts[p] == NULL || parts[p][0] == '\0')
            continue;
        norm_text nt;
        norm_fold(a, parts[p], strlen(parts[p]), &nt);
        lex_hit *h;
        size_t n = lexicon_scan(m->lx, &nt, a, &h), count = 0, weight = 0;
        for (size_t i = 0; i < n; i++)
            if (h[i].category == LEX_TRAGEDY) {
                count++;
                weight += h[i].severity;
            }
        if (p == 0 && weight >= 2)
            return true;
        if (p == 1 && count >= 3 && weight >= 6)
            return true;
    }
    return false;
}

/* The article's content words; false when its text is too short to judge
 * a comment against. */
static bool
article_words(const moderation *m, const char *title, const char *text, arena *a, topic_set *out)
{
    *out = (topic_set){0};
    if (text == NULL || text[0] == '\0')
        return false;
    topic_add_plain(&m->stops, a, out, text, strlen(text));
    if (out->n < 30)
        return false;
    if (title != NULL && title[0] != '\0')
        topic_add_plain(&m->stops, a, out, title, strlen(title));
    return true;
}

const moderation_article *
moderation_article_prepare(const moderation *m, const char *title, const char *text, arena *a)
{
    moderation_article *art = arena_zalloc(a, sizeof *art);
    art->has_text = article_words(m, title, text, a, &art->words);
    art->tragic = article_tragic(m, title, text, a);
    return art;
}

static bool
text_is_sensitive(ctx *c)
{
    const moderation_input *in = c->in;
    if (in->article_sensitive)
        return true;
    if (in->article != NULL)
        return in->article->tragic;
    return article_tragic(c->m, in->article_title, in->article_text, c->a);
}

void
rule_tragedy(ctx *c)
{
    size_t strong = 0, weak = 0;
    const lex_hit *first = NULL;
    for (size_t i = 0; i < c->nhits; i++) {
        const lex_hit *h = &c->hits[i];
        if (h->category != LEX_MOCK)
            continue;
        if (negated_before(c, tok_at(c, h->start), 3))
            continue;
        if (h->severity >= 2)
            strong++;
        else
            weak++;
        if (first == NULL)
            first = h;
    }
    if (first == NULL || (strong == 0 && weak < 2))
        return;
    if (!text_is_sensitive(c))
        return;
    uint32_t os, oe;
    span_hit(c, first, &os, &oe);
    set_reason(c, RULE_TRAGEDY_JOKE,
               "This story is about people who died or were hurt: comments that joke about or "
               "celebrate it are not allowed.",
               os, oe);
}

double
rule_topic(ctx *c)
{
    const moderation_input *in = c->in;
    if (in->article == NULL && (in->article_text == NULL || in->article_text[0] == '\0'))
        return -1;
    if (in->article != NULL && !in->article->has_text)
        return -1;
    topic_set mine = {0}, art, parent = {0};
    /* Cheap test first: a short comment never counts as off topic. */
    topic_add(&c->m->stops, c->a, &mine, &c->t);
    if (mine.n < (size_t)c->m->off_topic_min_words)
        return -1;
    const topic_set *words = &art;
    if (in->article != NULL)
        words = &in->article->words;
    else if (!article_words(c->m, in->article_title, in->article_text, c->a, &art))
        return -1; /* too little article text to judge */
    if (in->parent_body && in->parent_body[0])
        topic_add_plain(&c->m->stops, c->a, &parent, in->parent_body, strlen(in->parent_body));
    double score = topic_share(&mine, words, parent.n ? &parent : NULL);
    if (score < c->m->off_topic_below)
        set_reason(c, RULE_OFF_TOPIC,
                   "This comment seems to be about something other than the article.", 0, 0);
    return score;
}

/* may is spam_maybe_link(s, n): when false, no word is a link. The last
 * link's bytes go to [*last_s, *last_e) (0, 0 without one): the excerpt of
 * a link reason, so the desk shows which word was read as a link. */
static size_t
count_links(const char *s, size_t n, bool may, size_t *words_outside, uint32_t *last_s,
            uint32_t *last_e)
{
    size_t links = 0, words = 0, i = 0;
    *words_outside = 0;
    *last_s = *last_e = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'))
            i++;
        size_t st = i;
        bool letter = false, link = false;
        while (i < n && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r') {
            char ch = s[i] | 0x20;
            letter |= (ch >= 'a' && ch <= 'z') || (unsigned char)s[i] >= 0x80;
            i++;
        }
        size_t len = i - st, at = st;
        for (size_t k = st; may && k < i && !link; k++) {
            char lc = s[k] | 0x20;
            if (lc != 'h' && lc != 'w')
                continue;
            size_t rest = i - k;
            if ((rest >= 7 && !strncasecmp(s + k, "http://", 7)) ||
                (rest >= 8 && !strncasecmp(s + k, "https://", 8)) ||
                (rest >= 4 && !strncasecmp(s + k, "www.", 4))) {
                link = true;
                at = k;
            }
        }
        if (link) {
            links++;
            /* the link itself: not the Markdown around it, "](" before and ")," after */
            static const char trail[] = ")]>,.;:!?'\"";
            size_t e = i;
            while (e > at && memchr(trail, s[e - 1], sizeof trail - 1) != NULL)
                e--;
            *last_s = (uint32_t)at;
            *last_e = (uint32_t)e;
        } else if (letter && len > 0) {
            words++;
        }
    }
    *words_outside = words;
    return links;
}

void
rule_spam(ctx *c)
{
    const moderation_input *in = c->in;
    size_t words;
    /* Both counts skip their walks when the text has no "://" nor "www.":
     * asked once here for both. */
    bool may_link = spam_maybe_link(in->body, in->body_len);
    uint32_t ls, le;
    size_t links = count_links(in->body, in->body_len, may_link, &words, &ls, &le);
    spam_link_report lr;
    spam_links_check(c->m->domains, in->body, in->body_len, may_link, &lr);
    if (lr.blocked_end > 0)
        set_reason(c, RULE_SPAM, "This comment links to a site this community does not accept.",
                   lr.blocked_start, lr.blocked_end);
    links -= lr.allowed < links ? lr.allowed : links; /* allowed sites do not count */
    if ((int64_t)links >= c->m->max_links)
        set_reason(c, RULE_SPAM, "This comment has too many links.", ls, le);
    bool new_account = in->author_created_at > 0 && in->now > 0 &&
                       in->now - in->author_created_at < c->m->new_user_ms;
    if (links > 0 && new_account) {
        if (words == 0)
            set_reason(c, RULE_SPAM, "New accounts cannot post comments that are only links.", ls,
                       le);
        else
            set_reason(c, RULE_NEW_USER, "This comment has links and comes from a new account.", ls,
                       le);
    }
    if (in->honeypot)
        set_reason(c, RULE_SPAM, "This comment filled in a field that is hidden from readers.", 0,
                   0);
    if (in->fill_known && in->fill_ms < c->m->min_fill_ms)
        set_reason(c, RULE_SPAM, "This comment was sent faster than a person can write one.", 0, 0);
    /* The score needs words to read: a comment of a few words ("f*** off", a
     * bare link) says too little to tell spam from a quip, and the link rules
     * above judge bare links. */
    if (c->m->spam != NULL && words >= SPAM_MIN_WORDS &&
        (c->m->spam_at <= 1 || c->m->spam_at_new <= 1)) {
        c->spam =
            c->spam_ready ? c->spam_pre : spam_model_score(c->m->spam, in->body, in->body_len);
        if (c->spam >=
            spam_hold_at(new_account ? c->m->spam_at_new : c->m->spam_at, words, links)) {
            uint32_t os = 0, oe = 0;
            spam_model_explain(c->m->spam, in->body, in->body_len, &os, &oe);
            set_reason(c, RULE_SPAM, "This comment reads like advertising or spam.", os, oe);
        }
    }
    if (c->t.len == 0)
        return;
    /* The comment's own key's hash comes with its folded text. */
    if (spam_repeat_seen(c->a, c->t.s, c->t.len, in->folded != NULL ? &in->folded->hash : NULL,
                         in->recent_bodies, in->recent_keys, in->recent_times, in->n_recent,
                         in->now, c->m->repeat_window_ms))
        set_reason(c, RULE_SPAM, "You posted the same comment a few minutes ago.", 0, 0);
}
