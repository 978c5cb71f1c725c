/* util/config.c: see config.h. */
#include "util/config.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum { T_INT, T_BOOL, T_STR };

typedef struct setting {
    const char *name;
    int type;
    const char *def_str;
    int64_t def_int;
    int64_t min, max;
    const char *help;
    size_t offset;
} setting;

#define DEF_STR_INT(d) NULL
#define DEF_STR_BOOL(d) NULL
#define DEF_STR_STR(d) d
#define DEF_INT_INT(d) d
#define DEF_INT_BOOL(d) d
#define DEF_INT_STR(d) 0
#define CONFIG_ROW(f, name, type, def, min, max, help)                                             \
    {name, T_##type, DEF_STR_##type(def), DEF_INT_##type(def), min, max, help, offsetof(config, f)},
static const setting settings[] = {CONFIG_SETTINGS(CONFIG_ROW)};
#undef CONFIG_ROW
#define N_SETTINGS (sizeof settings / sizeof settings[0])

void
config_init(config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const setting *s = &settings[i];
        char *field = (char *)c + s->offset;
        if (s->type == T_INT)
            *(int64_t *)(void *)field = s->def_int;
        else if (s->type == T_BOOL)
            *(bool *)(void *)field = s->def_int != 0;
        else
            *(char **)(void *)field = xstrdup(s->def_str);
    }
}

void
config_fini(config *c)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (settings[i].type == T_STR)
            free(*(char **)(void *)((char *)c + settings[i].offset));
    for (size_t i = 0; i < c->n_extra; i++) {
        free(c->extra_keys[i]);
        free(c->extra_values[i]);
    }
    free(c->extra_keys);
    free(c->extra_values);
    memset(c, 0, sizeof *c);
}

static int
parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "yes")) {
        *out = true;
        return 0;
    }
    if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "no")) {
        *out = false;
        return 0;
    }
    return PL_EINVAL;
}

int
config_set(config *c, const char *name, const char *value, pl_error *err)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const setting *s = &settings[i];
        if (strcmp(s->name, name) != 0)
            continue;
        char *field = (char *)c + s->offset;
        if (s->type == T_INT) {
            int64_t v;
            if (parse_int(value, s->min, s->max, &v) < 0)
                return pl_errorf(err, PL_EINVAL,
                                 "%s must be a whole number from %lld to %lld, not '%s'", name,
                                 (long long)s->min, (long long)s->max, value);
            *(int64_t *)(void *)field = v;
        } else if (s->type == T_BOOL) {
            bool v;
            if (parse_bool(value, &v) < 0)
                return pl_errorf(err, PL_EINVAL, "%s must be on or off, not '%s'", name, value);
            *(bool *)(void *)field = v;
        } else {
            char **p = (char **)(void *)field;
            free(*p);
            *p = xstrdup(value);
        }
        return 0;
    }
    if (strchr(name, '.') != NULL) {
        for (size_t i = 0; i < c->n_extra; i++) {
            if (strcmp(c->extra_keys[i], name) == 0) {
                free(c->extra_values[i]);
                c->extra_values[i] = xstrdup(value);
                return 0;
            }
        }
        c->extra_keys = xrealloc(c->extra_keys, (c->n_extra + 1) * sizeof *c->extra_keys);
        c->extra_values = xrealloc(c->extra_values, (c->n_extra + 1) * sizeof *c->extra_values);
        c->extra_keys[c->n_extra] = xstrdup(name);
        c->extra_values[c->n_extra] = xstrdup(value);
        c->n_extra++;
        return 0;
    }
    return pl_errorf(err, PL_EINVAL, "unknown setting '%s'", name);
}

static char *
trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int
config_load_file(config *c, const char *path, pl_error *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return pl_errorf(err, PL_EINVAL, "cannot open config file %s", path);
    char line[4096];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            rc = pl_errorf(err, PL_EINVAL, "%s:%d: line too long", path, lineno);
            break;
        }
        char *p = trim(line);
        if (*p == '\0' || *p == '#')
            continue;
        char *eq = strchr(p, '=');
        if (eq == NULL) {
            rc = pl_errorf(err, PL_EINVAL, "%s:%d: expected 'name = value'", path, lineno);
            break;
        }
        *eq = '\0';
        char *name = trim(p), *value = trim(eq + 1);
        size_t vn = strlen(value);
        if (vn >= 2 && value[0] == '"' && value[vn - 1] == '"') {
            value[vn - 1] = '\0';
            value++;
        }
        pl_error e;
        if (config_set(c, name, value, &e) < 0) {
            rc = pl_errorf(err, PL_EINVAL, "%s:%d: %s", path, lineno, e.msg);
            break;
        }
    }
    fclose(f);
    return rc;
}

int
config_load_env(config *c, pl_error *err)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        char env[96] = "PARLEY_";
        size_t n = strlen(env);
        for (const char *p = settings[i].name; *p && n < sizeof env - 1; p++)
            env[n++] = *p == '.' ? '_' : (char)toupper((unsigned char)*p);
        env[n] = '\0';
        const char *v = getenv(env);
        if (v == NULL)
            continue;
        pl_error e;
        if (config_set(c, settings[i].name, v, &e) < 0)
            return pl_errorf(err, PL_EINVAL, "%s: %s", env, e.msg);
    }
    return 0;
}

const char *
config_extra(const config *c, const char *name)
{
    for (size_t i = 0; i < c->n_extra; i++)
        if (strcmp(c->extra_keys[i], name) == 0)
            return c->extra_values[i];
    return NULL;
}

static bool
setting_equal(const setting *s, const config *a, const config *b)
{
    const char *fa = (const char *)a + s->offset, *fb = (const char *)b + s->offset;
    if (s->type == T_INT)
        return *(const int64_t *)(const void *)fa == *(const int64_t *)(const void *)fb;
    if (s->type == T_BOOL)
        return *(const bool *)(const void *)fa == *(const bool *)(const void *)fb;
    return strcmp(*(char *const *)(const void *)fa, *(char *const *)(const void *)fb) == 0;
}

void
config_diff(const config *a, const config *b, void (*fn)(const char *name, void *arg), void *arg)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (!setting_equal(&settings[i], a, b))
            fn(settings[i].name, arg);
    for (size_t i = 0; i < a->n_extra; i++) {
        const char *v = config_extra(b, a->extra_keys[i]);
        if (v == NULL || strcmp(v, a->extra_values[i]) != 0)
            fn(a->extra_keys[i], arg);
    }
    for (size_t i = 0; i < b->n_extra; i++)
        if (config_extra(a, b->extra_keys[i]) == NULL)
            fn(b->extra_keys[i], arg);
}

void
config_copy_setting(config *dst, const config *src, const char *name)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const setting *s = &settings[i];
        if (strcmp(s->name, name) != 0)
            continue;
        char *fd = (char *)dst + s->offset;
        const char *fs = (const char *)src + s->offset;
        if (s->type == T_INT) {
            *(int64_t *)(void *)fd = *(const int64_t *)(const void *)fs;
        } else if (s->type == T_BOOL) {
            *(bool *)(void *)fd = *(const bool *)(const void *)fs;
        } else {
            char **p = (char **)(void *)fd;
            free(*p);
            *p = xstrdup(*(char *const *)(const void *)fs);
        }
        return;
    }
}

void
config_copy(config *dst, const config *src)
{
    memcpy(dst, src, sizeof *dst);
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (settings[i].type == T_STR) {
            char **p = (char **)(void *)((char *)dst + settings[i].offset);
            *p = xstrdup(*p);
        }
    dst->extra_keys = NULL;
    dst->extra_values = NULL;
    if (src->n_extra > 0) {
        dst->extra_keys = xmalloc(src->n_extra * sizeof *dst->extra_keys);
        dst->extra_values = xmalloc(src->n_extra * sizeof *dst->extra_values);
    }
    for (size_t i = 0; i < src->n_extra; i++) {
        dst->extra_keys[i] = xstrdup(src->extra_keys[i]);
        dst->extra_values[i] = xstrdup(src->extra_values[i]);
    }
}

const char *
config_get_text(const config *c, const char *name, char *buf, size_t n)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const setting *s = &settings[i];
        if (strcmp(s->name, name) != 0)
            continue;
        const char *field = (const char *)c + s->offset;
        if (s->type == T_INT)
            snprintf(buf, n, "%lld", (long long)*(const int64_t *)(const void *)field);
        else if (s->type == T_BOOL)
            snprintf(buf, n, "%s", *(const bool *)(const void *)field ? "on" : "off");
        else
            snprintf(buf, n, "%s", *(char *const *)(const void *)field);
        return buf;
    }
    return config_extra(c, name);
}

void
config_print_sample(FILE *f)
{
    fprintf(f, "# Parley settings: 'name = value', one per line; '#' starts a comment.\n"
               "# Every setting is shown at its default, commented out. The environment\n"
               "# (PARLEY_NAME) and the command line override this file. After editing,\n"
               "# 'parley config --check --config FILE' checks it and 'systemctl reload\n"
               "# parley' (SIGHUP) applies what can change without a restart.\n"
               "# Moderation settings (policy.RULE, moderation.*) are in docs/MODERATION.md.\n");
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const setting *s = &settings[i];
        fprintf(f, "\n# %s\n", s->help);
        if (s->type == T_INT)
            fprintf(f, "#%s = %lld\n", s->name, (long long)s->def_int);
        else if (s->type == T_BOOL)
            fprintf(f, "#%s = %s\n", s->name, s->def_int ? "on" : "off");
        else
            fprintf(f, "#%s = %s\n", s->name, s->def_str);
    }
}

void
config_print_help(FILE *f)
{
    fprintf(f, "Settings (config file 'name = value', or environment PARLEY_NAME):\n");
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const setting *s = &settings[i];
        char def[64];
        if (s->type == T_INT)
            snprintf(def, sizeof def, "%lld", (long long)s->def_int);
        else if (s->type == T_BOOL)
            snprintf(def, sizeof def, "%s", s->def_int ? "on" : "off");
        else
            snprintf(def, sizeof def, "\"%s\"", s->def_str);
        fprintf(f, "  %-24s %s (default %s)\n", s->name, s->help, def);
    }
}
