/* moderation/moderation_json.h: the MODERATION object of API.md as JSON.
 *
 * {"decision": "publish"|"hold"|"reject", "reasons": [{"rule", "message",
 * "excerpt"}]} plus, when asked for moderators, "scores". Shared by the API
 * handlers and `parley check`.
 */
#ifndef PARLEY_MODERATION_MODERATION_JSON_H
#define PARLEY_MODERATION_MODERATION_JSON_H
#include <jansson.h>
#include <stdbool.h>

#include "moderation/moderation.h"

/* Returns a new reference. with_scores adds {"scores": {"offensive",
 * "attack", "on_topic", "TOXICITY", "SEVERE_TOXICITY", "INSULT",
 * "PROFANITY", "THREAT", "IDENTITY_ATTACK"}} with the scores the engine
 * computed (the last six are the model's calibrated probabilities). */
json_t *moderation_result_to_json(const moderation_result *r, bool with_scores);

#endif
