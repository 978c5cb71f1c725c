/* tools/corpora.h: every labelled public corpus the trainer and the
 * evaluator read (../shared/data, or DATA=DIR), as multi-label samples with
 * the attributes of moderation/classifier.h. Build time only, never linked
 * into the server.
 *
 * Each sample carries a target per attribute in [0, 1] (a crowd share where
 * the corpus has one, else 0 or 1) or -1 when the corpus says nothing about
 * that attribute; a split (the corpus's official one where it has one, else
 * a fixed hash of the text); and the licence class of its corpus, so that a
 * model can be trained from openly licensed corpora only.
 */
#ifndef PARLEY_TOOLS_CORPORA_H
#define PARLEY_TOOLS_CORPORA_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "moderation/classifier.h"

enum { SPLIT_TRAIN = 0, SPLIT_DEV = 1, SPLIT_TEST = 2 };
/* LIC_OPEN: CC0, CC BY, CC BY-SA, MIT, Apache; LIC_RESEARCH: research-only
 * or unstated terms (OLID, Kaggle insults, TweetEval, HASOC, Ruddit). */
enum { LIC_OPEN = 1, LIC_RESEARCH = 2 };

typedef struct msample {
    char *text; /* UTF-8, owned by the set */
    size_t len;
    float y[CLF_ATTRS]; /* target in [0, 1], or -1: not labelled */
    float w;            /* training weight (1 unless the corpus is down-weighted) */
    uint8_t split;      /* SPLIT_* */
    uint8_t licence;    /* LIC_* */
    const char *corpus; /* static corpus name, e.g. "civil", "olid" */
    const char *group;  /* static or set-owned sub-label (HateCheck functionality,
                           identity term), or NULL */
} msample;

typedef struct mset {
    msample *v;
    size_t n, cap;
    char **owned; /* group strings the set owns */
    size_t n_owned, cap_owned;
} mset;

void mset_free(mset *s);

/* Reads every corpus under dir into s, printing one line per corpus on
 * stderr (samples per split, positives per attribute). A missing corpus is
 * reported by name with the folder it was looked for in; returns the number
 * of corpora that could not be read (0 when all were), or -1 when dir
 * itself is missing. */
int corpora_load(mset *s, const char *dir);

/* 64-bit FNV-1a of bytes, for deterministic splits and shuffles. */
uint64_t corpora_hash(const char *p, size_t n);

/* Writes text[0, len) to f on one line: tabs and line breaks become
 * spaces, so that it fits a TSV field (`parley check --tsv` reads them). */
void corpora_put_line(FILE *f, const char *text, size_t len);

#endif
