/* api/perspective.h: the endpoint that answers clients written for Google's
 * Perspective API (Coral Talk's toxic comment filter, Google's client
 * libraries) with Parley's own model, so they switch by changing a URL.
 *
 *   POST /v1alpha1/comments:analyze?key=KEY       scores a comment
 *   POST /v1alpha1/comments:suggestscore?key=KEY  feedback: accepted, dropped
 *
 * It sits beside api/ (server -> perspective -> moderation): server/http.c
 * routes /v1alpha1/ here when the setting perspective_keys is not empty. The
 * request and response are Perspective's JSON, errors are Google's shape
 * {"error": {"code", "message", "status", "details"?}}. Nothing sent here is
 * stored or logged.
 *
 * The parsers below are plain functions of the body, separate from the
 * handler, so fuzz/fuzz_perspective.c can drive them without a server.
 */
#ifndef PARLEY_API_PERSPECTIVE_H
#define PARLEY_API_PERSPECTIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "moderation/classifier.h"
#include "util/arena.h"

typedef struct req req;

/* The longest comment.text in bytes, Perspective's own limit (20 KB). */
#define PERSPECTIVE_MAX_TEXT 20480

/* One entry of requestedAttributes. */
typedef struct perspective_attr {
    classifier_attr attr;
    bool has_threshold; /* scoreThreshold was given: scores below it are left out */
    double threshold;
} perspective_attr;

/* An AnalyzeCommentRequest; every pointer is arena-owned. */
typedef struct perspective_request {
    const char *text; /* comment.text, NUL-terminated, valid UTF-8, 1 to 20 KB */
    size_t text_len;
    perspective_attr attrs[CLF_ATTRS]; /* in request order, each attribute once */
    size_t n_attrs;
    const char **languages; /* as sent; none means "detect", which is English here */
    size_t n_languages;
    /* False when a requested language is not English and the request asked
     * dropUnsupportedAttributes: the answer then carries no scores. (Without
     * that flag such a request is refused.) */
    bool english;
    bool span_annotations;
    bool do_not_store;        /* accepted either way: nothing is ever stored */
    const char *client_token; /* echoed back; NULL when absent */
} perspective_request;

/* Why a request is refused, as Google's error object says it. */
typedef struct perspective_error {
    int http_status;        /* 400 */
    const char *status;     /* "INVALID_ARGUMENT" */
    const char *error_type; /* Perspective's ErrorType ("COMMENT_EMPTY"), or NULL */
    char message[256];
    /* With LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE: the attribute and the
     * languages the request named (arena-owned). */
    const char *attribute;
    const char **languages;
    size_t n_languages;
} perspective_error;

/* Parses and checks an AnalyzeCommentRequest body (n bytes, any content).
 * Field names are accepted in lowerCamelCase and in snake_case, as Google's
 * JSON mapping does; an unknown field, a wrong type, an empty or too long
 * comment, a missing or unknown attribute, an unsupported score type or
 * language, or a context with both of its forms is refused: returns -1 and
 * fills *err. Returns 0 and fills *out otherwise. */
int perspective_parse_analyze(const char *body, size_t n, arena *a, perspective_request *out,
                              perspective_error *err);

/* Parses and checks a SuggestCommentScoreRequest body the same way (a
 * non-empty comment and non-empty attributeScores; attribute names and
 * languages are free, since nothing is done with them). Sets *client_token
 * (arena-owned, NULL when absent). Returns 0 or -1 with *err. */
int perspective_parse_suggest(const char *body, size_t n, arena *a, const char **client_token,
                              perspective_error *err);

/* A stretch of the comment: byte offsets for scoring it, and the same
 * bounds in UTF-16 code units, the unit Perspective's begin and end use (so
 * a JavaScript client can slice its string with them). end is exclusive. */
typedef struct perspective_span {
    size_t begin, end;
    size_t begin16, end16;
} perspective_span;

/* Splits n bytes of UTF-8 text into sentences: a sentence ends after a run
 * of '.', '!', '?' or '...' (U+2026), with any closing quotes or brackets,
 * that is followed by white space; or at a line break. Spans exclude the
 * white space around them, never overlap and are in text order; text that
 * is all white space has none. Returns the spans (arena-owned) and sets
 * *count. */
perspective_span *perspective_sentences(const char *text, size_t n, arena *a, size_t *count);

/* The length of n bytes of UTF-8 in UTF-16 code units. */
size_t perspective_utf16_len(const char *text, size_t n);

/* Answers one request under /v1alpha1/ (server/http.c calls it only when
 * perspective_keys is set). */
void perspective_dispatch(req *r);
/* The route's gate (server_route.open): false after answering 404 when the
 * endpoint is off (perspective_keys is empty). */
bool perspective_open(req *r);

#endif
