/* moderation/moderation_json.c: see moderation_json.h. */
#include "moderation/moderation_json.h"

json_t *
moderation_result_to_json(const moderation_result *r, bool with_scores)
{
    json_t *reasons = json_array();
    for (size_t i = 0; i < r->n_reasons; i++) {
        const moderation_reason *x = &r->reasons[i];
        json_array_append_new(reasons,
                              json_pack("{s:s, s:s, s:s}", "rule", x->rule, "message", x->message,
                                        "excerpt", x->excerpt ? x->excerpt : ""));
    }
    json_t *o = json_pack("{s:s, s:o}", "decision", moderation_decision_name(r->decision),
                          "reasons", reasons);
    if (r->language[0] != '\0')
        json_object_set_new(o, "language", json_string(r->language));
    if (with_scores) {
        json_t *scores = json_object();
        if (r->offensive >= 0)
            json_object_set_new(scores, "offensive", json_real(r->offensive));
        if (r->attack >= 0)
            json_object_set_new(scores, "attack", json_real(r->attack));
        if (r->on_topic >= 0)
            json_object_set_new(scores, "on_topic", json_real(r->on_topic));
        if (r->spam >= 0)
            json_object_set_new(scores, "spam", json_real(r->spam));
        /* The model's attributes, under Perspective's names. */
        for (int a = 0; a < CLF_ATTRS; a++)
            if (r->scores[a] >= 0)
                json_object_set_new(scores, classifier_attr_name((classifier_attr)a),
                                    json_real(r->scores[a]));
        json_object_set_new(o, "scores", scores);
    }
    return o;
}
