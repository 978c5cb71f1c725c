/* moderation/policy.h: the table that maps each rule to what happens to a
 * comment that breaks it.
 *
 * Defaults (docs/MODERATION.md): slur, profanity and vulgarity reject (the
 * reader is invited to edit); personal_attack, harassment, identity_hate,
 * tragedy_joke and spam hold for a moderator; off_topic and new_user (links from a new
 * account) publish and queue the comment for review. The config overrides any rule with an extra
 * setting `policy.<rule> = publish | hold | reject | off` ("off" drops the rule). premoderated
 * always holds. A policy is plain data, copied freely.
 */
#ifndef PARLEY_MODERATION_POLICY_H
#define PARLEY_MODERATION_POLICY_H

#include "util/config.h"
#include "util/error.h"

typedef enum {
    RULE_PROFANITY,
    RULE_VULGARITY,
    RULE_SLUR,
    RULE_PERSONAL_ATTACK,
    RULE_HARASSMENT,
    RULE_IDENTITY_HATE,
    RULE_TRAGEDY_JOKE,
    RULE_OFF_TOPIC,
    RULE_SPAM,
    RULE_NEW_USER,
    RULE_PREMODERATED,
    /* The comment is in a language the engine has no lists for (or a script
     * it cannot read): policy.unknown_language is publish (the default) or
     * hold. */
    RULE_UNKNOWN_LANGUAGE,
    RULE_COUNT
} moderation_rule;

typedef enum {
    POLICY_OFF = -1,
    POLICY_PUBLISH = 0,
    POLICY_HOLD = 1,
    POLICY_REJECT = 2
} policy_action;

typedef struct policy {
    policy_action action[RULE_COUNT];
} policy;

void policy_defaults(policy *p);

/* Defaults, then every `policy.<rule>` setting of cfg. PL_EINVAL naming the
 * setting for an unknown rule or action. */
int policy_from_config(const config *cfg, policy *p, pl_error *err);

/* API.md's RULE name ("personal_attack"). */
const char *policy_rule_name(moderation_rule r);

/* "off", "publish", "hold", "reject". */
const char *policy_action_name(policy_action a);

#endif
