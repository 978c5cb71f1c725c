/* moderation/policy.c: see policy.h. */
#include "moderation/policy.h"

#include <string.h>

static const char *const rule_names[RULE_COUNT] = {
    "profanity",    "vulgarity", "slur", "personal_attack", "harassment",   "identity_hate",
    "tragedy_joke", "off_topic", "spam", "new_user",        "premoderated", "unknown_language",
};

static const policy_action defaults[RULE_COUNT] = {
    POLICY_REJECT, POLICY_REJECT,  POLICY_REJECT, POLICY_HOLD,    POLICY_HOLD, POLICY_HOLD,
    POLICY_HOLD,   POLICY_PUBLISH, POLICY_HOLD,   POLICY_PUBLISH, POLICY_HOLD, POLICY_PUBLISH,
};

const char *
policy_rule_name(moderation_rule r)
{
    return (unsigned)r < RULE_COUNT ? rule_names[r] : "unknown";
}

const char *
policy_action_name(policy_action a)
{
    switch (a) {
    case POLICY_OFF:
        return "off";
    case POLICY_PUBLISH:
        return "publish";
    case POLICY_HOLD:
        return "hold";
    case POLICY_REJECT:
        return "reject";
    }
    return "off";
}

void
policy_defaults(policy *p)
{
    memcpy(p->action, defaults, sizeof p->action);
}

int
policy_from_config(const config *cfg, policy *p, pl_error *err)
{
    policy_defaults(p);
    for (size_t i = 0; i < cfg->n_extra; i++) {
        const char *k = cfg->extra_keys[i];
        if (strncmp(k, "policy.", 7) != 0)
            continue;
        int rule = -1;
        for (int r = 0; r < RULE_COUNT; r++)
            if (!strcmp(k + 7, rule_names[r]))
                rule = r;
        if (rule < 0)
            return pl_errorf(
                err, PL_EINVAL,
                "%s: unknown rule (one of profanity, vulgarity, slur, "
                "personal_attack, harassment, identity_hate, tragedy_joke, off_topic, spam, "
                "new_user, unknown_language)",
                k);
        if (rule == RULE_PREMODERATED)
            return pl_errorf(err, PL_EINVAL, "%s: premoderated articles always hold comments", k);
        const char *v = cfg->extra_values[i];
        policy_action a;
        if (!strcmp(v, "publish"))
            a = POLICY_PUBLISH;
        else if (!strcmp(v, "hold"))
            a = POLICY_HOLD;
        else if (!strcmp(v, "reject"))
            a = POLICY_REJECT;
        else if (!strcmp(v, "off"))
            a = POLICY_OFF;
        else
            return pl_errorf(err, PL_EINVAL, "%s: \"%s\" is not publish, hold, reject or off", k,
                             v);
        if (rule == RULE_UNKNOWN_LANGUAGE && a != POLICY_PUBLISH && a != POLICY_HOLD)
            return pl_errorf(err, PL_EINVAL, "%s: \"%s\" is not publish or hold", k, v);
        p->action[rule] = a;
    }
    return 0;
}
