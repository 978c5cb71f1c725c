/* tools/dataset.h: readers for the labelled public corpora in ../shared/data
 * that tools/train and tools/evalmodel use (build time only, never linked
 * into the server).
 *
 * Every reader appends samples to a sample_set; the text of each sample is
 * decoded UTF-8 owned by the set. A label of -1 means "not labelled for this
 * head" and a weight of 0 means "not used for this head".
 */
#ifndef PARLEY_TOOLS_DATASET_H
#define PARLEY_TOOLS_DATASET_H
#include <stddef.h>
#include <stdint.h>

typedef struct sample {
    char *text;
    size_t len;
    int y[2];        /* offensive, attack: 1, 0 or -1 */
    float w[2];      /* training weight per head */
    const char *tag; /* corpus or functionality name (static or owned by the set) */
} sample;

typedef struct sample_set {
    sample *v;
    size_t n, cap;
    char **owned; /* tag strings the set owns */
    size_t n_owned, cap_owned;
} sample_set;

void set_free(sample_set *s);
sample *set_add(sample_set *s, const char *text, size_t len, const char *tag);
const char *set_own_tag(sample_set *s, const char *tag);

/* Each returns the number of samples added, or -1 after printing why. dir is
 * the ../shared/data directory. */
long ds_olid_train(sample_set *s, const char *dir);
long ds_olid_test_a(sample_set *s, const char *dir);
/* file: "train.csv", "test_with_solutions.csv" or
 * "impermium_verification_labels.csv"; insults set both heads. */
long ds_kaggle(sample_set *s, const char *dir, const char *file);
long ds_davidson(sample_set *s, const char *dir);
/* Toxic posts of the SemEval toxic spans split ("tsd_train.csv"). */
long ds_toxic_spans(sample_set *s, const char *dir, const char *file);
/* HateCheck cases; tag is the functionality, y[0] is 1 for hateful. */
long ds_hatecheck(sample_set *s, const char *dir);
/* Wikipedia toxicity identity subset (non-fuzzed); y[0] is toxic. */
long ds_wiki_bias(sample_set *s, const char *dir);
/* Bias madlibs; y[0] is 1 for BAD. */
long ds_madlibs(sample_set *s, const char *dir);

/* 64-bit FNV-1a of bytes, for deterministic splits and shuffles. */
uint64_t ds_hash(const char *p, size_t n);

#endif
