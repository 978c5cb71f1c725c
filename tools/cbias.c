/* tools/cbias.c: the corpus groups of train --corpus-bias (cbias.h). */
#include "cbias.h"

#include <string.h>

static int
starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

const char *
cbias_group(const char *corpus)
{
    if (!strcmp(corpus, "civil") || !strcmp(corpus, "civil-seed") || !strcmp(corpus, "fox-news") ||
        starts_with(corpus, "toxic-spans") || starts_with(corpus, "jigsaw"))
        return "news";
    return corpus;
}

int
cbias_learnt(size_t pos, size_t labelled)
{
    if (labelled == 0 || pos > labelled)
        return 0;
    size_t neg = labelled - pos, minority = pos < neg ? pos : neg;
    /* minority / labelled >= 5%, in integers */
    return minority > 0 && minority * 20 >= labelled;
}
