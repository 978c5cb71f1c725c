/* import/parley.h: Parley's own site export, as JSON lines.
 *
 * `parley export` writes a whole site with parley_export; `parley import
 * parley` reads one back with parley_import, a line at a time, so neither
 * holds the site in memory. The format (docs/IMPORT.md, "Parley's own
 * export") is one JSON object per line: a header, then site records (the
 * sites table, from format 2), user records, the settings record (the
 * settings version in force, from format 2, when one was saved), article,
 * comment, flag, like and log records, then an end record with the counts.
 * Every reference points to a record earlier in the file (a comment's
 * author, article and parent; an article's site), which parley_export keeps
 * true even while the site is in use. Files of format 1 (no sites, no
 * settings) and 2 (no moderators' site limits) are still read.
 *
 * Import invariants:
 * - A record is stored once however often the file is imported: each one
 *   is recorded in the store's import map (store_import_map_put) in the
 *   transaction that stores it, and skipped when found there. An
 *   interrupted import run again carries on where it stopped.
 * - Records are committed in batches of PARLEY_BATCH lines; a bad line or a
 *   storage failure rolls back its batch and stops, naming the line.
 * - Users are matched by e-mail first: an existing account is reused, not
 *   duplicated. Passwords and sessions are never exported, so imported
 *   accounts have none.
 * - A file without its end record, or whose counts disagree with the
 *   records read, is an error (a truncated copy); what was read before is
 *   kept, and importing the whole file later completes it.
 * - Sites are matched by slug: an existing one takes the file's name and
 *   origins, a missing one is created. An article of another site than the
 *   default is stored as "SITE/ID" (docs/SITES.md); its SITE is rewritten
 *   to the id the site has here.
 * - A moderator_sites record (format 3; after its user) limits that
 *   account to the sites it lists (docs/SITES.md, "Moderators of some
 *   sites"), replacing the limit it had here; user and sites are mapped as
 *   every reference is, and one not earlier in the file stops the import
 *   naming the line.
 * - A settings record (the server's, or with "site" a site's own: its
 *   pages) becomes a new version on top of the one in force, unless it
 *   holds the same settings; every value is checked as the desk checks it
 *   (app/settings.h). A running server puts it in force within 2 s.
 */
#ifndef PARLEY_IMPORT_PARLEY_H
#define PARLEY_IMPORT_PARLEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/error.h"

/* The format written; every format from PARLEY_FORMAT_MIN up is read. */
#define PARLEY_FORMAT_VERSION 3
#define PARLEY_FORMAT_MIN 1
/* Lines committed together by the import. */
#define PARLEY_BATCH 500
/* The longest line read: a comment of 100,000 characters, escaped, with room. */
#define PARLEY_MAX_LINE (8u << 20)

typedef enum {
    PARLEY_HEADER,
    PARLEY_USER,
    PARLEY_ARTICLE,
    PARLEY_COMMENT,
    PARLEY_FLAG,
    PARLEY_LIKE,
    PARLEY_LOG,
    PARLEY_END,
    PARLEY_SITE,
    PARLEY_SETTINGS,
    PARLEY_MODERATOR_SITES
} parley_kind;

/* How many records of each kind (sites and settings: 0 in format 1;
 * moderator_sites: 0 before format 3). */
typedef struct parley_counts {
    int64_t users, articles, comments, flags, likes, log, sites, settings, moderator_sites;
} parley_counts;

/* One parsed line. Ids from the file (ext ids) are decimal strings; zero
 * and NULL mean "none". Strings live in the arena given to the parser. */
typedef struct parley_record {
    parley_kind kind;
    int64_t version;    /* header */
    const char *ext_id; /* user, comment, log: its id in the file */
    store_user user;    /* id unset */
    store_article article;
    store_comment comment;   /* id, author_id, parent_id unset; see below */
    const char *author_ext;  /* comment */
    const char *parent_ext;  /* comment; NULL when top-level */
    store_export_flag flag;  /* flag: ids unset */
    store_export_like like;  /* like: ids unset */
    const char *comment_ext; /* flag, like */
    const char *user_ext;    /* flag, like */
    store_log_entry log;     /* id, actor_id unset; target_id as in the file */
    const char *actor_ext;   /* log (NULL: an automatic decision); settings (NULL: none) */
    parley_counts counts;    /* end */
    store_site site;         /* site: id unset; origins space-separated */
    const char *settings;    /* settings: the JSON object of the overrides, keys sorted */
    const char *site_ext;    /* settings: the site's own (NULL: the server's) */
    int64_t settings_at;     /* settings: when that version was saved */
    const char **sites_ext;  /* moderator_sites: the sites (user_ext: the moderator) */
    size_t n_sites;
} parley_record;

/* Parses one line (without its newline). PL_EINVAL with a message naming
 * the field on anything malformed. */
int parley_parse_line(const char *line, size_t len, arena *a, parley_record *out, pl_error *err);

/* Writes the whole site to out. *counts receives what was written. PL_EIO
 * when writing fails, the store's error when reading does. */
int parley_export(store *s, FILE *out, parley_counts *counts, pl_error *err);

typedef struct parley_import_stats {
    parley_counts read;    /* records read from the file */
    parley_counts stored;  /* stored now (a dry run: would be) */
    int64_t users_matched; /* users that already had an account (same e-mail) */
    int64_t skipped;       /* records stored by an earlier run */
    int64_t orphans;       /* replies whose parent is not in the file: stored top-level */
    int64_t published, pending, rejected, deleted, hidden;
} parley_import_stats;

/* Reads the file from in and stores it in s; with dry_run (s may be NULL)
 * only checks and counts. *line receives the line number reached. */
int parley_import(store *s, FILE *in, bool dry_run, parley_import_stats *st, size_t *line,
                  pl_error *err);

#endif
