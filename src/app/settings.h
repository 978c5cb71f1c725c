/* app/settings.h: the site's settings that an admin edits in the desk.
 *
 * The config file (and environment, flags) gives the defaults; the newest
 * version in the database's settings table (store_settings_get) overrides
 * the settings named in its JSON object. The settings that may be
 * overridden are listed here, each with its kind and bounds; every one is a
 * config setting ("flag_threshold") or an extra one ("policy.slur",
 * "moderation.hold_at", "premoderation.all"), so the effective config is
 * the file's config with the overrides set on a copy, and everything that
 * reads the config (the engine built from it, the flag rules, the pages)
 * takes them as a reload would. docs/MODERATION.md, "Settings in the desk".
 */
#ifndef PARLEY_APP_SETTINGS_H
#define PARLEY_APP_SETTINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "moderation/moderation.h"
#include "util/arena.h"
#include "util/config.h"
#include "util/error.h"

typedef enum {
    SITE_ACTION,  /* publish | hold | reject | off (a rule's policy) */
    SITE_PROB,    /* a number above 0 and at most 1, or "off" where off_ok */
    SITE_INT,     /* a whole number in [min, max] */
    SITE_BOOL,    /* true or false */
    SITE_TEXT,    /* Markdown, at most max characters */
    SITE_WORDS,   /* a list of words or phrases, at most max of them */
    SITE_KIND_END /* not a kind: the number of kinds */
} site_kind;

typedef struct site_setting {
    const char *name;  /* as in the config file */
    const char *group; /* the desk's section: policy, model, words, flags, premoderation, pages */
    site_kind kind;
    int64_t min, max;
    bool off_ok;      /* SITE_PROB: "off" is allowed */
    bool hold_only;   /* SITE_ACTION: publish or hold only (unknown_language) */
    const char *help; /* one sentence for the desk */
} site_setting;

/* The settings an admin may change, in the desk's order. */
const site_setting *site_settings(size_t *n);
/* The one named, or NULL. */
const site_setting *site_setting_find(const char *name);
/* "action", "number", "integer", "boolean", "text", "words". */
const char *site_kind_name(site_kind k);

/* Checks v (JSON) as a value of s. On success writes its config text into
 * out (allocated with malloc, the caller frees) and returns true; otherwise
 * writes a sentence into msg and returns false. */
bool site_setting_check(const site_setting *s, const json_t *v, char **out, char *msg, size_t msgn);

/* The value of s in cfg as JSON (new reference): what the config holds, or
 * null when the config does not set it and the engine's own default
 * applies. */
json_t *site_setting_value(const site_setting *s, const config *cfg);

/* A copy of base with every setting of overrides (the JSON object a
 * settings version stores) set on it: 0 and *out (free with config_fini
 * and free), or PL_EINVAL naming the setting that is unknown or invalid. */
int site_settings_overlay(const config *base, const json_t *overrides, config **out, pl_error *err);

/* True when the extra setting name is on in cfg ("premoderation.all"). */
bool site_setting_on(const config *cfg, const char *name);

/* The publisher's words (words.block, words.allow: a SITE_WORDS value, one
 * entry a line) are matched as whole words: letters folded to lower case
 * (ASCII), every run of characters that are not letters, digits or
 * non-ASCII a single separator, so "Hot  Dog!" matches the entry "hot dog"
 * but "hotdog" does not. Disguised spellings are not undone (the engine's
 * own lists do that). */

/* A word list ready to match: each entry as written and folded. */
typedef struct site_words {
    const char **raw;
    const char **folded;
    size_t n;
} site_words;

/* The text folded for matching (" w1 w2 ... ", from a). */
const char *site_words_fold(arena *a, const char *text);
/* Prepares list (one entry a line; NULL or "" is empty) from a. */
void site_words_compile(arena *a, const char *list, site_words *out);
/* The first entry found in folded text (from site_words_fold), as written;
 * NULL when none. */
const char *site_words_find(const site_words *w, const char *folded);
/* True when an entry is found in folded text and holds every word of
 * excerpt in a row: the engine's reason for those words is lifted. */
bool site_words_allow(arena *a, const site_words *w, const char *folded, const char *excerpt);

/* ---- what the settings add to the engine's decision ------------------------
 * Every comment write (api/comments.c) and the preview of a settings change
 * (api/settings.c) pass the engine's decision through these two, in this
 * order, so both judge alike. */

/* The site's own words of cfg (words.allow, words.block) over the engine's
 * decision out on body: a reason whose words an allowed entry holds is
 * lifted (the decision falls to what the other reasons' policies ask, never
 * rises); a comment that would be published with a blocked word or phrase
 * is held with the reason "site_words". Strings from a. */
void site_words_apply(const config *cfg, arena *a, const char *body, moderation_result *out);

/* premoderation.first_comments of cfg: 0 when off. */
int64_t site_first_comments(const config *cfg);

/* The pre-moderation modes of cfg (premoderation.all, .sensitive,
 * .first_comments) over out: a comment the engine would publish that one of
 * them catches is held with the reason "premoderated". staff: its author is
 * a moderator or admin (never held by them); sensitive: the article is
 * marked so; earlier: how many comments the author wrote before this one,
 * or -1 when not counted (premoderation.first_comments then does not
 * apply). */
void site_premoderate(const config *cfg, arena *a, bool staff, bool sensitive, int64_t earlier,
                      moderation_result *out);

#endif
