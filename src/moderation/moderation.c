/* moderation/moderation.c: the decision entry point.
 *
 * For now it applies only the article's status: a premoderated article holds
 * every comment for a moderator. Closed articles are refused by api/ with 423
 * before the engine is asked. Word filtering, the classifier, the tragedy
 * guard, the on-topic score and spam checks arrive with the moderation
 * engine (XXX #3); nothing here pretends to filter words yet.
 */
#include "moderation/moderation.h"
#include "util/xalloc.h"

#include <stdlib.h>

struct moderation {
    int unused;
};

int
moderation_new(const config *cfg, moderation **out, pl_error *err)
{
    (void)cfg;
    (void)err;
    *out = xcalloc(1, sizeof **out);
    return 0;
}

void
moderation_free(moderation *m)
{
    free(m);
}

const char *
moderation_decision_name(moderation_decision d)
{
    switch (d) {
    case MOD_PUBLISH:
        return "publish";
    case MOD_HOLD:
        return "hold";
    case MOD_REJECT:
        return "reject";
    }
    return "publish";
}

void
moderation_decide(const moderation *m, const moderation_input *in, arena *a,
                  moderation_result *out)
{
    (void)m;
    out->decision = MOD_PUBLISH;
    out->reasons = NULL;
    out->n_reasons = 0;
    out->offensive = -1;
    out->attack = -1;
    out->on_topic = -1;
    if (in->article_status == MOD_ARTICLE_PREMODERATED) {
        out->reasons = arena_alloc(a, sizeof *out->reasons);
        out->reasons[0] = (moderation_reason){
            "premoderated", "Comments on this article are reviewed by a moderator before they appear.",
            ""};
        out->n_reasons = 1;
        out->decision = MOD_HOLD;
    }
}
