/* api/perspective_parse.c: the request parsers and the sentence splitter of
 * the Perspective-compatible endpoint (see perspective.h).
 *
 * Google's JSON mapping of Perspective's protocol buffers decides what is
 * accepted: each field under its lowerCamelCase or its original snake_case
 * name, null for "not set", an enum by name or number, and an unknown field
 * refused by name. The messages follow the ones Google's service sends, so a
 * client that shows or matches them behaves as before.
 */
#include "api/perspective.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- errors --------------------------------------------------------------- */

static int fail(perspective_error *err, const char *error_type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(perspective_error *err, const char *error_type, const char *fmt, ...)
{
    memset(err, 0, sizeof *err);
    err->http_status = 400;
    err->status = "INVALID_ARGUMENT";
    err->error_type = error_type;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

static int
unknown_field(perspective_error *err, const char *name, const char *where)
{
    if (where[0] == '\0')
        return fail(err, NULL,
                    "Invalid JSON payload received. Unknown name \"%.60s\": Cannot find "
                    "field.",
                    name);
    return fail(err, NULL,
                "Invalid JSON payload received. Unknown name \"%.60s\" at '%.80s': Cannot find "
                "field.",
                name, where);
}

static int
bad_value(perspective_error *err, const char *where, const char *type)
{
    return fail(err, NULL, "Invalid value at '%.80s' (%s).", where, type);
}

/* ---- fields ----------------------------------------------------------------- */

/* A message field under both of the names Google's JSON mapping accepts. */
typedef struct field {
    const char *camel, *snake;
} field;

/* Sorts the members of o into slots by field (slots[i] for fields[i], NULL
 * when absent or null). An unknown member is refused, naming where. */
static int
collect(json_t *o, const field *fields, size_t n, json_t **slots, const char *where,
        perspective_error *err)
{
    for (size_t i = 0; i < n; i++)
        slots[i] = NULL;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        size_t i = 0;
        while (i < n && strcmp(key, fields[i].camel) != 0 && strcmp(key, fields[i].snake) != 0)
            i++;
        if (i == n)
            return unknown_field(err, key, where);
        slots[i] = json_is_null(v) ? NULL : v;
    }
    return 0;
}

static int
opt_bool(json_t *v, const char *where, bool *out, perspective_error *err)
{
    *out = false;
    if (v == NULL)
        return 0;
    if (!json_is_boolean(v))
        return bad_value(err, where, "TYPE_BOOL");
    *out = json_is_true(v);
    return 0;
}

static int
opt_string(json_t *v, const char *where, arena *a, const char **out, perspective_error *err)
{
    *out = NULL;
    if (v == NULL)
        return 0;
    if (!json_is_string(v))
        return bad_value(err, where, "TYPE_STRING");
    *out = arena_strndup(a, json_string_value(v), json_string_length(v));
    return 0;
}

/* TextEntry {text, type}. Only plain text is scored, as by Perspective; an
 * enum may come by name or by number. */
static int
text_entry(json_t *v, const char *where, const char **text, size_t *len, perspective_error *err)
{
    static const field fields[] = {{"text", "text"}, {"type", "type"}};
    json_t *slot[2];
    *text = NULL;
    *len = 0;
    if (v == NULL)
        return 0;
    if (!json_is_object(v))
        return bad_value(err, where, "TextEntry");
    if (collect(v, fields, 2, slot, where, err) < 0)
        return -1;
    if (slot[0] != NULL) {
        if (!json_is_string(slot[0]))
            return fail(err, NULL, "Invalid value at '%.80s.text' (TYPE_STRING).", where);
        *text = json_string_value(slot[0]);
        *len = json_string_length(slot[0]);
    }
    json_t *t = slot[1];
    if (t == NULL)
        return 0;
    const char *s = json_is_string(t) ? json_string_value(t) : NULL;
    json_int_t k = json_is_integer(t) ? json_integer_value(t) : -1;
    if ((s != NULL && (!strcmp(s, "TEXT_TYPE_UNSPECIFIED") || !strcmp(s, "PLAIN_TEXT"))) ||
        k == 0 || k == 1)
        return 0;
    if ((s != NULL && !strcmp(s, "HTML")) || k == 2)
        return fail(err, "INVALID_REQUEST", "Currently, only 'PLAIN_TEXT' comments are supported");
    return fail(err, "INVALID_REQUEST", "Unknown text type at '%.80s.type'.", where);
}

/* The comment every request scores or suggests a score for. */
static int
comment(json_t *v, arena *a, const char **text, size_t *len, perspective_error *err)
{
    const char *t;
    size_t n;
    if (text_entry(v, "comment", &t, &n, err) < 0)
        return -1;
    if (t == NULL || n == 0)
        return fail(err, "COMMENT_EMPTY", "Comment must be non-empty.");
    if (n > PERSPECTIVE_MAX_TEXT)
        return fail(err, "COMMENT_TOO_LONG", "Comment text too long.");
    *text = arena_strndup(a, t, n);
    *len = n;
    return 0;
}

/* Context: entries, or an article and the parent comment; never both. Its
 * text is checked for shape only: the model reads the comment alone. */
static int
context(json_t *v, perspective_error *err)
{
    static const field fields[] = {{"entries", "entries"},
                                   {"articleAndParentComment", "article_and_parent_comment"}};
    static const field apc_fields[] = {{"article", "article"}, {"parentComment", "parent_comment"}};
    json_t *slot[2], *apc[2];
    const char *t;
    size_t n;
    if (v == NULL)
        return 0;
    if (!json_is_object(v))
        return bad_value(err, "context", "Context");
    if (collect(v, fields, 2, slot, "context", err) < 0)
        return -1;
    if (slot[0] != NULL && slot[1] != NULL)
        return fail(err, "INVALID_REQUEST",
                    "Context can have either entries or article_and_parent_comment, but both "
                    "fields were populated.");
    if (slot[0] != NULL) {
        if (!json_is_array(slot[0]))
            return bad_value(err, "context.entries", "list");
        size_t i;
        json_t *e;
        json_array_foreach(slot[0], i, e)
        {
            if (text_entry(e, "context.entries[]", &t, &n, err) < 0)
                return -1;
        }
    }
    if (slot[1] != NULL) {
        if (!json_is_object(slot[1]))
            return bad_value(err, "context.article_and_parent_comment", "ArticleAndParentComment");
        if (collect(slot[1], apc_fields, 2, apc, "context.article_and_parent_comment", err) < 0 ||
            text_entry(apc[0], "context.article_and_parent_comment.article", &t, &n, err) < 0 ||
            text_entry(apc[1], "context.article_and_parent_comment.parent_comment", &t, &n, err) <
                0)
            return -1;
    }
    return 0;
}

/* The languages of the request, each a string (ISO 639-1 or BCP 47). */
static int
languages(json_t *v, arena *a, const char ***out, size_t *n, perspective_error *err)
{
    *out = NULL;
    *n = 0;
    if (v == NULL)
        return 0;
    if (!json_is_array(v))
        return bad_value(err, "languages", "list");
    size_t count = json_array_size(v), i;
    json_t *e;
    *out = arena_alloc(a, (count ? count : 1) * sizeof **out);
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e))
            return bad_value(err, "languages[]", "TYPE_STRING");
        (*out)[i] = arena_strndup(a, json_string_value(e), json_string_length(e));
    }
    *n = count;
    return 0;
}

/* "en", "EN", "en-US", "en_GB": English, the one language the model reads. */
static bool
is_english(const char *s)
{
    return (s[0] == 'e' || s[0] == 'E') && (s[1] == 'n' || s[1] == 'N') &&
           (s[2] == '\0' || s[2] == '-' || s[2] == '_');
}

/* One value of requestedAttributes: AttributeParameters {scoreType,
 * scoreThreshold}. Only probabilities are computed. */
static int
attribute_params(json_t *v, const char *name, perspective_attr *out, perspective_error *err)
{
    static const field fields[] = {{"scoreType", "score_type"},
                                   {"scoreThreshold", "score_threshold"}};
    static const char *const types[] = {"SCORE_TYPE_UNSPECIFIED", "PROBABILITY", "STD_DEV_SCORE",
                                        "PERCENTILE", "RAW"};
    json_t *slot[2];
    char where[96];
    snprintf(where, sizeof where, "requested_attributes[%.40s]", name);
    out->has_threshold = false;
    out->threshold = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return bad_value(err, where, "AttributeParameters");
    if (collect(v, fields, 2, slot, where, err) < 0)
        return -1;
    if (slot[0] != NULL) {
        int type = -1;
        if (json_is_string(slot[0])) {
            for (int i = 0; i < 5; i++)
                if (!strcmp(json_string_value(slot[0]), types[i]))
                    type = i;
        } else if (json_is_integer(slot[0]) && json_integer_value(slot[0]) >= 0 &&
                   json_integer_value(slot[0]) < 5) {
            type = (int)json_integer_value(slot[0]);
        }
        if (type < 0)
            return fail(err, NULL, "Invalid value at '%.80s.score_type' (ScoreType).", where);
        if (type > 1)
            return fail(err, "INVALID_REQUEST",
                        "Requested score type %s is not supported by attribute %.40s", types[type],
                        name);
    }
    if (slot[1] != NULL) {
        if (!json_is_number(slot[1]))
            return fail(err, NULL, "Invalid value at '%.80s.score_threshold' (TYPE_FLOAT).", where);
        out->has_threshold = true;
        out->threshold = json_number_value(slot[1]);
    }
    return 0;
}

static int
requested_attributes(json_t *v, perspective_request *out, perspective_error *err)
{
    out->n_attrs = 0;
    if (v != NULL && !json_is_object(v))
        return bad_value(err, "requested_attributes", "map");
    if (v == NULL || json_object_size(v) == 0)
        return fail(err, "NO_REQUESTED_ATTRIBUTES", "Missing requested_attributes");
    const char *key;
    json_t *p;
    json_object_foreach(v, key, p)
    {
        int attr = classifier_attr_parse(key, strlen(key));
        if (attr < 0)
            return fail(err, "INVALID_REQUEST", "Unknown requested attribute: %.80s", key);
        /* A JSON object has each key once, so each attribute comes once. */
        perspective_attr *pa = &out->attrs[out->n_attrs++];
        pa->attr = (classifier_attr)attr;
        if (attribute_params(p, key, pa, err) < 0)
            return -1;
    }
    return 0;
}

static json_t *
load_object(const char *body, size_t n, perspective_error *err)
{
    if (n == 0)
        return json_object(); /* an empty message: every field unset */
    json_error_t jerr;
    json_t *o = json_loadb(body, n, 0, &jerr);
    if (o == NULL) {
        fail(err, NULL, "Invalid JSON payload received. %s at line %d, column %d.", jerr.text,
             jerr.line, jerr.column);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        fail(err, NULL, "Invalid JSON payload received. Expected an object at the top level.");
        return NULL;
    }
    return o;
}

/* ---- AnalyzeCommentRequest ------------------------------------------------ */

enum {
    AN_COMMENT,
    AN_CONTEXT,
    AN_ATTRS,
    AN_LANGUAGES,
    AN_DO_NOT_STORE,
    AN_CLIENT_TOKEN,
    AN_SESSION_ID,
    AN_COMMUNITY_ID,
    AN_SPANS,
    AN_DROP,
    AN_FIELDS
};

static const field analyze_fields[AN_FIELDS] = {
    [AN_COMMENT] = {"comment", "comment"},
    [AN_CONTEXT] = {"context", "context"},
    [AN_ATTRS] = {"requestedAttributes", "requested_attributes"},
    [AN_LANGUAGES] = {"languages", "languages"},
    [AN_DO_NOT_STORE] = {"doNotStore", "do_not_store"},
    [AN_CLIENT_TOKEN] = {"clientToken", "client_token"},
    [AN_SESSION_ID] = {"sessionId", "session_id"},
    [AN_COMMUNITY_ID] = {"communityId", "community_id"},
    [AN_SPANS] = {"spanAnnotations", "span_annotations"},
    [AN_DROP] = {"dropUnsupportedAttributes", "drop_unsupported_attributes"},
};

static int
analyze_fields_parse(json_t *o, arena *a, perspective_request *out, perspective_error *err)
{
    json_t *f[AN_FIELDS];
    const char *ignored;
    bool drop;
    if (collect(o, analyze_fields, AN_FIELDS, f, "", err) < 0 ||
        opt_bool(f[AN_DO_NOT_STORE], "do_not_store", &out->do_not_store, err) < 0 ||
        opt_bool(f[AN_SPANS], "span_annotations", &out->span_annotations, err) < 0 ||
        opt_bool(f[AN_DROP], "drop_unsupported_attributes", &drop, err) < 0 ||
        opt_string(f[AN_CLIENT_TOKEN], "client_token", a, &out->client_token, err) < 0 ||
        opt_string(f[AN_SESSION_ID], "session_id", a, &ignored, err) < 0 ||
        opt_string(f[AN_COMMUNITY_ID], "community_id", a, &ignored, err) < 0 ||
        comment(f[AN_COMMENT], a, &out->text, &out->text_len, err) < 0 ||
        context(f[AN_CONTEXT], err) < 0 || requested_attributes(f[AN_ATTRS], out, err) < 0 ||
        languages(f[AN_LANGUAGES], a, &out->languages, &out->n_languages, err) < 0)
        return -1;
    out->english = true;
    for (size_t i = 0; i < out->n_languages; i++)
        if (!is_english(out->languages[i]))
            out->english = false;
    if (out->english || drop)
        return 0;
    /* Perspective names the first attribute that cannot read the languages;
     * here none can read anything but English. */
    const char *attr = classifier_attr_name(out->attrs[0].attr);
    char list[160] = "";
    for (size_t i = 0; i < out->n_languages && strlen(list) < sizeof list - 1; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%.20s", i ? ", " : "", out->languages[i]);
    }
    fail(err, "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
         "Attribute %s does not support request languages: %s", attr, list);
    err->attribute = attr;
    err->languages = out->languages;
    err->n_languages = out->n_languages;
    return -1;
}

int
perspective_parse_analyze(const char *body, size_t n, arena *a, perspective_request *out,
                          perspective_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *o = load_object(body, n, err);
    if (o == NULL)
        return -1;
    int rc = analyze_fields_parse(o, a, out, err);
    json_decref(o);
    return rc;
}

/* ---- SuggestCommentScoreRequest --------------------------------------------- */

/* Score {value, type}. */
static int
score(json_t *v, const char *where, perspective_error *err)
{
    static const field fields[] = {{"value", "value"}, {"type", "type"}};
    json_t *slot[2];
    if (v == NULL)
        return 0;
    if (!json_is_object(v))
        return bad_value(err, where, "Score");
    if (collect(v, fields, 2, slot, where, err) < 0)
        return -1;
    if (slot[0] != NULL && !json_is_number(slot[0]))
        return fail(err, NULL, "Invalid value at '%.80s.value' (TYPE_FLOAT).", where);
    if (slot[1] != NULL && !json_is_string(slot[1]) && !json_is_integer(slot[1]))
        return fail(err, NULL, "Invalid value at '%.80s.type' (ScoreType).", where);
    return 0;
}

/* AttributeScores {summaryScore, spanScores}: the score the client thinks
 * the comment deserves. Its attribute names are the client's own (Coral
 * sends APPROVED or DELETED), so any name is accepted. */
static int
suggested_scores(json_t *v, perspective_error *err)
{
    static const field fields[] = {{"summaryScore", "summary_score"},
                                   {"spanScores", "span_scores"}};
    static const field span_fields[] = {{"begin", "begin"}, {"end", "end"}, {"score", "score"}};
    if (v != NULL && !json_is_object(v))
        return bad_value(err, "attribute_scores", "map");
    if (v == NULL || json_object_size(v) == 0)
        return fail(err, "INVALID_REQUEST", "attribute_scores must not be empty.");
    const char *key;
    json_t *s;
    json_object_foreach(v, key, s)
    {
        json_t *slot[2], *sp[3];
        char where[96];
        snprintf(where, sizeof where, "attribute_scores[%.40s]", key);
        if (!json_is_object(s))
            return bad_value(err, where, "AttributeScores");
        if (json_object_size(s) == 0)
            return fail(err, "INVALID_REQUEST", "The scores of %.40s must not be empty.", key);
        if (collect(s, fields, 2, slot, where, err) < 0 ||
            score(slot[0], "attribute_scores[].summary_score", err) < 0)
            return -1;
        if (slot[1] == NULL)
            continue;
        if (!json_is_array(slot[1]))
            return bad_value(err, "attribute_scores[].span_scores", "list");
        size_t i;
        json_t *e;
        json_array_foreach(slot[1], i, e)
        {
            if (!json_is_object(e))
                return bad_value(err, "attribute_scores[].span_scores[]", "SpanScore");
            if (collect(e, span_fields, 3, sp, "attribute_scores[].span_scores[]", err) < 0)
                return -1;
            if (sp[0] == NULL || sp[1] == NULL || !json_is_integer(sp[0]) ||
                !json_is_integer(sp[1]))
                return fail(err, "INVALID_REQUEST",
                            "Every span score needs begin and end (integers).");
            if (score(sp[2], "attribute_scores[].span_scores[].score", err) < 0)
                return -1;
        }
    }
    return 0;
}

enum {
    SU_COMMENT,
    SU_CONTEXT,
    SU_SCORES,
    SU_LANGUAGES,
    SU_COMMUNITY_ID,
    SU_CLIENT_TOKEN,
    SU_SESSION_ID,
    SU_FIELDS
};

static const field suggest_fields[SU_FIELDS] = {
    [SU_COMMENT] = {"comment", "comment"},
    [SU_CONTEXT] = {"context", "context"},
    [SU_SCORES] = {"attributeScores", "attribute_scores"},
    [SU_LANGUAGES] = {"languages", "languages"},
    [SU_COMMUNITY_ID] = {"communityId", "community_id"},
    [SU_CLIENT_TOKEN] = {"clientToken", "client_token"},
    [SU_SESSION_ID] = {"sessionId", "session_id"},
};

int
perspective_parse_suggest(const char *body, size_t n, arena *a, const char **client_token,
                          perspective_error *err)
{
    *client_token = NULL;
    json_t *o = load_object(body, n, err);
    if (o == NULL)
        return -1;
    json_t *f[SU_FIELDS];
    const char *ignored, *text, **langs;
    size_t len, n_langs;
    int rc = -1;
    if (collect(o, suggest_fields, SU_FIELDS, f, "", err) == 0 &&
        opt_string(f[SU_CLIENT_TOKEN], "client_token", a, client_token, err) == 0 &&
        opt_string(f[SU_SESSION_ID], "session_id", a, &ignored, err) == 0 &&
        opt_string(f[SU_COMMUNITY_ID], "community_id", a, &ignored, err) == 0 &&
        comment(f[SU_COMMENT], a, &text, &len, err) == 0 && context(f[SU_CONTEXT], err) == 0 &&
        suggested_scores(f[SU_SCORES], err) == 0 &&
        languages(f[SU_LANGUAGES], a, &langs, &n_langs, err) == 0)
        rc = 0;
    json_decref(o);
    return rc;
}

/* ---- spans ---------------------------------------------------------------- */

/* UTF-16 code units of the character whose first byte is b: two for one
 * beyond the Basic Multilingual Plane (a four-byte sequence), none for a
 * continuation byte. */
static size_t
units16(unsigned char b)
{
    if ((b & 0xC0) == 0x80)
        return 0;
    return b >= 0xF0 ? 2 : 1;
}

size_t
perspective_utf16_len(const char *text, size_t n)
{
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        u += units16((unsigned char)text[i]);
    return u;
}

static bool
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Bytes of a sentence-ending mark at p: '.', '!', '?' or U+2026. */
static size_t
end_mark(const unsigned char *p, const unsigned char *e)
{
    if (*p == '.' || *p == '!' || *p == '?')
        return 1;
    if (e - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xA6)
        return 3;
    return 0;
}

/* Bytes of a closing quote or bracket at p: ) ] " ' or U+2019, U+201D, U+00BB. */
static size_t
closer(const unsigned char *p, const unsigned char *e)
{
    if (*p == ')' || *p == ']' || *p == '"' || *p == '\'')
        return 1;
    if (e - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x99 || p[2] == 0x9D))
        return 3;
    if (e - p >= 2 && p[0] == 0xC2 && p[1] == 0xBB)
        return 2;
    return 0;
}

perspective_span *
perspective_sentences(const char *text, size_t n, arena *a, size_t *count)
{
    const unsigned char *s = (const unsigned char *)text, *e = s + n;
    size_t cap = 8, k = 0, u = 0; /* u: UTF-16 units before p */
    perspective_span *out = arena_alloc(a, cap * sizeof *out);
    const unsigned char *p = s;
    for (;;) {
        while (p < e && is_space(*p))
            u += units16(*p++);
        if (p == e)
            break;
        size_t begin = (size_t)(p - s), begin16 = u, end = 0, end16 = 0;
        /* Walk to the end of the sentence: past a run of end marks and
         * closers followed by white space, or to a line break. */
        while (p < e && *p != '\n') {
            size_t m = end_mark(p, e);
            if (m == 0) {
                if (!is_space(*p)) {
                    end = (size_t)(p - s) + 1;
                    u += units16(*p);
                    end16 = u;
                } else {
                    u += units16(*p);
                }
                p++;
                continue;
            }
            while (p < e && ((m = end_mark(p, e)) > 0 || (m = closer(p, e)) > 0)) {
                u += 1; /* every mark and closer is one BMP character */
                p += m;
            }
            end = (size_t)(p - s);
            end16 = u;
            if (p == e || is_space(*p))
                break;
        }
        if (k == cap) {
            perspective_span *grown = arena_alloc(a, 2 * cap * sizeof *out);
            memcpy(grown, out, cap * sizeof *out);
            out = grown;
            cap *= 2;
        }
        out[k++] = (perspective_span){begin, end, begin16, end16};
    }
    *count = k;
    return out;
}
