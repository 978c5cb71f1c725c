/* api/perspective.c: the handler of the Perspective-compatible endpoint (see
 * perspective.h; the request parsers are in perspective_parse.c).
 *
 * server/http.c has already applied what every API request gets (body size,
 * content type, Origin and CORS, the per-address rate limits) and set the
 * request to answer errors in Google's shape. Here: the method, the key
 * (compared in constant time against every configured key), the body, and
 * the scores, computed on the loop thread like POST /api/v1/check. The
 * comment is never stored and never logged.
 */
#include "api/perspective.h"
#include "app/site.h"
#include "server/server.h"
#include "util/log.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ---- keys ------------------------------------------------------------------ */

/* True when key is one of the comma- or space-separated keys in list. Both
 * sides are hashed first, so the comparison takes the same time whatever
 * the bytes and lengths, and every configured key is compared. */
static bool
key_accepted(const char *list, const char *key)
{
    unsigned char have[crypto_hash_sha256_BYTES], want[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(have, (const unsigned char *)key, strlen(key));
    int ok = 0;
    for (const char *p = list;;) {
        p += strspn(p, ", \t");
        size_t n = strcspn(p, ", \t");
        if (n == 0)
            break;
        crypto_hash_sha256(want, (const unsigned char *)p, n);
        ok |= sodium_memcmp(have, want, sizeof want) == 0;
        p += n;
    }
    return ok != 0;
}

/* The key as Google's clients send it: ?key=, or the X-Goog-Api-Key header. */
static const char *
presented_key(req *r)
{
    const char *k = req_query(r, "key", NULL);
    if (k == NULL || k[0] == '\0')
        k = req_header(r, "X-Goog-Api-Key");
    return k != NULL && k[0] != '\0' ? k : NULL;
}

/* ---- errors ------------------------------------------------------------------ */

static void
send_parse_error(req *r, const perspective_error *e)
{
    json_t *detail = NULL;
    if (e->error_type != NULL) {
        detail = json_pack("{s:s, s:s}", "@type",
                           "type.googleapis.com/google.commentanalyzer.v1alpha1.Error", "errorType",
                           e->error_type);
        if (e->attribute != NULL) {
            json_t *langs = json_array();
            for (size_t i = 0; i < e->n_languages; i++)
                json_array_append_new(langs, json_string(e->languages[i]));
            json_object_set_new(
                detail, "languageNotSupportedByAttributeError",
                json_pack("{s:o, s:s}", "requestedLanguages", langs, "attribute", e->attribute));
        }
    }
    req_send_google_error(r, e->http_status, e->message, detail);
}

/* ---- answers --------------------------------------------------------------- */

static json_t *
probability(double v)
{
    return json_pack("{s:f, s:s}", "value", v, "type", "PROBABILITY");
}

/* Sends a 200 JSON body (stolen) with the scores printed to seven
 * significant digits, as Perspective prints them, rather than seventeen. */
static void
send_ok(req *r, json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(7));
    json_decref(body);
    req_send_bytes(r, 200, "application/json; charset=utf-8", s, strlen(s), "no-store");
    free(s);
}

/* The languages of the answer: the request's, or the one assumed when it
 * named none. Parley detects no language: it reads every comment as English. */
static void
add_languages(json_t *o, const char *const *langs, size_t n)
{
    json_t *l = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(l, json_string(langs[i]));
    if (n == 0)
        json_array_append_new(l, json_string("en"));
    json_object_set_new(o, "languages", l);
    json_object_set_new(o, "detectedLanguages", json_pack("[s]", "en"));
}

static void
analyze(req *r)
{
    perspective_request pr;
    perspective_error e;
    if (perspective_parse_analyze(r->body, r->body_len, r->a, &pr, &e) < 0) {
        send_parse_error(r, &e);
        return;
    }
    json_t *out = json_object();
    if (pr.english) {
        const moderation *m = site_moderation(req_product(r), 0);
        classifier_scores whole;
        if (!moderation_score_text(m, pr.text, pr.text_len, &whole)) {
            json_decref(out);
            req_send_google_error(r, 503,
                                  "This server's moderation engine runs without its model "
                                  "(moderation.classifier = off), so it cannot score comments.",
                                  NULL);
            return;
        }
        /* Without spanAnnotations, one span covers the whole comment, as
         * Perspective answers; with it, one span per sentence. */
        perspective_span one = {0, pr.text_len, 0, perspective_utf16_len(pr.text, pr.text_len)};
        perspective_span *spans = &one;
        size_t n_spans = 1;
        if (pr.span_annotations)
            spans = perspective_sentences(pr.text, pr.text_len, r->a, &n_spans);
        classifier_scores *span_scores =
            arena_alloc(r->a, (n_spans ? n_spans : 1) * sizeof *span_scores);
        for (size_t i = 0; i < n_spans; i++) {
            if (spans == &one)
                span_scores[i] = whole;
            else
                moderation_score_text(m, pr.text + spans[i].begin, spans[i].end - spans[i].begin,
                                      &span_scores[i]);
        }
        json_t *attrs = json_object();
        for (size_t k = 0; k < pr.n_attrs; k++) {
            const perspective_attr *pa = &pr.attrs[k];
            double v = whole.p[pa->attr];
            if (pa->has_threshold && v < pa->threshold)
                continue; /* Perspective leaves out what scores below the threshold */
            json_t *list = json_array();
            for (size_t i = 0; i < n_spans; i++) {
                double sv = span_scores[i].p[pa->attr];
                if (pa->has_threshold && sv < pa->threshold)
                    continue;
                json_array_append_new(
                    list, json_pack("{s:I, s:I, s:o}", "begin", (json_int_t)spans[i].begin16, "end",
                                    (json_int_t)spans[i].end16, "score", probability(sv)));
            }
            json_t *a = json_object();
            if (json_array_size(list) > 0)
                json_object_set_new(a, "spanScores", list);
            else
                json_decref(list);
            json_object_set_new(a, "summaryScore", probability(v));
            json_object_set_new(attrs, classifier_attr_name(pa->attr), a);
        }
        /* With every score below its threshold, Perspective sends no
         * attributeScores at all. */
        if (json_object_size(attrs) > 0)
            json_object_set_new(out, "attributeScores", attrs);
        else
            json_decref(attrs);
    }
    add_languages(out, pr.languages, pr.n_languages);
    if (pr.client_token != NULL)
        json_object_set_new(out, "clientToken", json_string(pr.client_token));
    send_ok(r, out);
}

/* Feedback on a score. Parley learns nothing from it at run time and keeps
 * nothing, but answers as Perspective does, so a client that sends it (Coral
 * with "send moderation actions" on) sees no errors. */
static void
suggest(req *r)
{
    const char *token;
    perspective_error e;
    if (perspective_parse_suggest(r->body, r->body_len, r->a, &token, &e) < 0) {
        send_parse_error(r, &e);
        return;
    }
    json_t *out = json_object();
    if (token != NULL)
        json_object_set_new(out, "clientToken", json_string(token));
    send_ok(r, out);
}

void
perspective_dispatch(req *r)
{
    void (*method)(req *) = NULL;
    if (strcmp(r->path, "/v1alpha1/comments:analyze") == 0)
        method = analyze;
    else if (strcmp(r->path, "/v1alpha1/comments:suggestscore") == 0)
        method = suggest;
    if (method == NULL) {
        req_send_google_error(r, 404, "Method not found.", NULL);
        return;
    }
    if (r->method != HTTP_POST) {
        req_add_header(r, "Allow", "POST");
        req_send_google_error(r, 405, "This method accepts POST only.", NULL);
        return;
    }
    const char *key = presented_key(r);
    if (key == NULL) {
        req_send_google_error(r, 403, "The request is missing a valid API key.", NULL);
        return;
    }
    if (!key_accepted(req_config(r)->perspective_keys, key)) {
        log_info("msg=\"perspective request with an unknown key\" client=%s", r->client_ip);
        req_send_google_error(r, 400, "API key not valid. Please pass a valid API key.",
                              json_pack("{s:s, s:s}", "@type",
                                        "type.googleapis.com/google.rpc.ErrorInfo", "reason",
                                        "API_KEY_INVALID"));
        return;
    }
    method(r);
}

bool
perspective_open(req *r)
{
    if (req_config(r)->perspective_keys[0] != '\0')
        return true;
    req_send_error(r, 404, "not_found",
                   "This server does not offer the Perspective-compatible endpoint: its "
                   "setting perspective_keys is empty.",
                   NULL, NULL);
    return false;
}
