/* import/jsonin.c: see jsonin.h. The object stream is a small scanner that
 * finds where each value of the top-level object (or element of one of its
 * arrays) begins and ends, copying its bytes; jansson parses each copy. */
#include "import/jsonin.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
jsonin_init(jsonin *j, FILE *in)
{
    memset(j, 0, sizeof *j);
    j->in = in;
    j->next_line = 1;
}

void
jsonin_fini(jsonin *j)
{
    free(j->buf);
    memset(j, 0, sizeof *j);
}

static void
push(jsonin *j, size_t *n, char c)
{
    if (*n + 2 > j->cap) {
        j->cap = j->cap ? j->cap * 2 : 4096;
        j->buf = xrealloc(j->buf, j->cap);
    }
    j->buf[(*n)++] = c;
}

static int
parse_error(jsonin *j, const json_error_t *je, pl_error *err)
{
    return pl_errorf(err, PL_EINVAL, "line %zu: not JSON: %s", j->line, je->text);
}

static int
read_error(jsonin *j, pl_error *err)
{
    return pl_errorf(err, PL_EIO, "line %zu: cannot read: %s", j->next_line, strerror(errno));
}

int
jsonin_next(jsonin *j, json_t **out, pl_error *err)
{
    *out = NULL;
    for (;;) {
        size_t n = 0;
        int c;
        bool too_long = false;
        j->line = j->next_line;
        while ((c = getc(j->in)) != EOF && c != '\n') {
            if (n >= JSONIN_MAX_RECORD)
                too_long = true;
            else
                push(j, &n, (char)c);
        }
        if (ferror(j->in))
            return read_error(j, err);
        if (c == '\n')
            j->next_line++;
        if (too_long)
            return pl_errorf(err, PL_EINVAL, "line %zu: longer than %u bytes", j->line,
                             JSONIN_MAX_RECORD);
        size_t b = 0;
        while (b < n && (j->buf[b] == ' ' || j->buf[b] == '\t' || j->buf[b] == '\r'))
            b++;
        if (b == n) {
            if (c == EOF)
                return 0;
            continue;
        }
        json_error_t je;
        json_t *v = json_loadb(j->buf + b, n - b, JSON_REJECT_DUPLICATES, &je);
        if (v == NULL)
            return parse_error(j, &je, err);
        if (!json_is_object(v)) {
            json_decref(v);
            return pl_errorf(err, PL_EINVAL, "line %zu: not a JSON object", j->line);
        }
        *out = v;
        return 1;
    }
}

/* ---- the object stream ----------------------------------------------------- */

static int
next_byte(jsonin *j)
{
    int c = getc(j->in);
    if (c == '\n')
        j->next_line++;
    return c;
}

static int
skip_ws(jsonin *j)
{
    int c;
    while ((c = next_byte(j)) == ' ' || c == '\t' || c == '\n' || c == '\r')
        ;
    return c;
}

static int
unexpected(jsonin *j, int c, const char *want, pl_error *err)
{
    if (c == EOF)
        return ferror(j->in) ? read_error(j, err)
                             : pl_errorf(err, PL_EINVAL, "line %zu: the file ends early (%s)",
                                         j->next_line, want);
    return pl_errorf(err, PL_EINVAL, "line %zu: expected %s", j->next_line, want);
}

/* Copies one JSON value whose first byte is c into j->buf and parses it. */
static int
read_value(jsonin *j, int c, json_t **out, pl_error *err)
{
    size_t n = 0, depth = 0;
    bool in_str = false, esc = false;
    j->line = j->next_line;
    for (;;) {
        if (c == EOF)
            return unexpected(j, c, "the rest of a value", err);
        if (n >= JSONIN_MAX_RECORD)
            return pl_errorf(err, PL_EINVAL, "line %zu: a record longer than %u bytes", j->line,
                             JSONIN_MAX_RECORD);
        push(j, &n, (char)c);
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return pl_errorf(err, PL_EINVAL, "line %zu: unbalanced '%c'", j->line, c);
            depth--;
        }
        if (depth == 0 && !in_str) {
            /* A string, object or array ends with its own byte; a scalar
             * (number, true, false, null) where the next byte is not part of it. */
            if (c == '"' || c == '}' || c == ']') {
                if (n > 1 || c != '"')
                    break;
            } else {
                int d = getc(j->in);
                if (d == EOF || strchr(",]} \t\r\n", d) != NULL) {
                    if (d != EOF)
                        ungetc(d, j->in);
                    break;
                }
                ungetc(d, j->in);
            }
        }
        c = next_byte(j);
    }
    json_error_t je;
    *out = json_loadb(j->buf, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    return *out != NULL ? 0 : parse_error(j, &je, err);
}

int
jsonin_object_stream(jsonin *j, jsonin_member_fn fn, void *arg, pl_error *err)
{
    int c = skip_ws(j);
    if (c != '{')
        return unexpected(j, c, "a JSON object ('{') at the start", err);
    c = skip_ws(j);
    if (c != '}') {
        for (;;) {
            if (c != '"')
                return unexpected(j, c, "a member name", err);
            json_t *k = NULL;
            int rc = read_value(j, c, &k, err);
            if (rc < 0)
                return rc;
            char key[64];
            const char *ks = json_string_value(k); /* NULL for anything but a string */
            snprintf(key, sizeof key, "%s", ks != NULL ? ks : "");
            json_decref(k);
            if ((c = skip_ws(j)) != ':')
                return unexpected(j, c, "':' after a member name", err);
            c = skip_ws(j);
            if (c == '[') {
                long index = 0;
                c = skip_ws(j);
                while (c != ']') {
                    json_t *v;
                    if ((rc = read_value(j, c, &v, err)) < 0)
                        return rc;
                    rc = fn(arg, key, index++, v, j->line, err);
                    json_decref(v);
                    if (rc != 0)
                        return rc;
                    c = skip_ws(j);
                    if (c == ',')
                        c = skip_ws(j);
                    else if (c != ']')
                        return unexpected(j, c, "',' or ']' in an array", err);
                }
            } else {
                json_t *v;
                if ((rc = read_value(j, c, &v, err)) < 0)
                    return rc;
                rc = fn(arg, key, -1, v, j->line, err);
                json_decref(v);
                if (rc != 0)
                    return rc;
            }
            c = skip_ws(j);
            if (c == '}')
                break;
            if (c != ',')
                return unexpected(j, c, "',' or '}' after a member", err);
            c = skip_ws(j);
        }
    }
    c = skip_ws(j);
    if (c != EOF)
        return pl_errorf(err, PL_EINVAL, "line %zu: data after the end of the object",
                         j->next_line);
    return ferror(j->in) ? read_error(j, err) : 0;
}

const char *
jsonin_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s != NULL ? s : "";
}

int64_t
jsonin_time(const json_t *v, bool *bad)
{
    if (bad != NULL)
        *bad = false;
    if (json_is_object(v))
        v = json_object_get(v, "$date");
    if (json_is_object(v))
        v = json_object_get(v, "$numberLong");
    int64_t ms = 0;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        errno = 0;
        long long n = strtoll(s, &end, 10);
        if (s[0] != '\0' && *end == '\0' && errno == 0)
            ms = n;
        else if (time_parse_rfc3339(s, &ms) < 0)
            ms = -1;
    } else if (json_is_integer(v)) {
        ms = json_integer_value(v);
    } else if (v != NULL && !json_is_null(v) && !json_is_false(v)) {
        ms = -1;
    }
    /* Before 1970 or after 3000: not a time a comment was written. */
    if (ms < 0 || ms > 32503680000000LL) {
        if (bad != NULL)
            *bad = true;
        return 0;
    }
    return ms;
}
