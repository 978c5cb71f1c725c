/* util/config.h: Parley's settings, from one table.
 *
 * CONFIG_SETTINGS below is the single list of settings: its name, type,
 * default, bounds and help. It drives the config file (`key = value` lines,
 * `#` comments), the environment (PARLEY_<NAME> with dots as underscores,
 * upper-cased), `parley serve --help` and `parley config --check`.
 * Precedence: command-line flag > environment > config file > default.
 * A config is built once at start, then read-only and shared by all threads.
 */
#ifndef PARLEY_UTIL_CONFIG_H
#define PARLEY_UTIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

/* X(field, "name", type, default, min, max, "help")
 * type: INT (int64 in [min,max]), BOOL, STR (default is a string literal). */
#define CONFIG_SETTINGS(X)                                                                         \
    X(listen, "listen", STR, "127.0.0.1:8080", 0, 0, "address and port to listen on")              \
    X(db, "db", STR, "sqlite:parley.db", 0, 0, "database URL: sqlite:PATH or postgres://...")      \
    X(threads, "threads", INT, 0, 0, 64, "event-loop threads; 0 means one per core")               \
    X(public_url, "public_url", STR, "", 0, 0,                                                     \
      "the server's own origin as browsers see it (https://comments.example.com)")                 \
    X(allowed_origins, "allowed_origins", STR, "", 0, 0,                                           \
      "space-separated extra origins allowed to make state-changing requests")                     \
    X(cookie_samesite, "cookie_samesite", STR, "lax", 0, 0,                                        \
      "lax, or none (with HTTPS) when the article pages are on another site")                      \
    X(max_body, "max_body", INT, 65536, 1024, 16777216, "largest request body in bytes")           \
    X(max_header, "max_header", INT, 8192, 1024, 65536, "largest request header block in bytes")   \
    X(max_comment_chars, "max_comment_chars", INT, 5000, 1, 100000,                                \
      "longest comment text in characters")                                                        \
    X(max_connections, "max_connections", INT, 10000, 1, 1000000, "open connections in total")     \
    X(max_connections_per_ip, "max_connections_per_ip", INT, 256, 1, 1000000,                      \
      "open connections from one client address")                                                  \
    X(max_streams, "max_streams", INT, 10000, 1, 1000000,                                          \
      "open live-update streams in total (apart from max_connections)")                            \
    X(max_streams_per_client, "max_streams_per_client", INT, 16, 1, 1000000,                       \
      "open live-update streams from one client address (the forwarded one behind trusted_proxy)") \
    X(stream_lifetime_s, "stream_lifetime_s", INT, 1800, 2, 86400,                                 \
      "seconds a live-update stream stays open; the browser then reconnects")                      \
    X(stream_heartbeat_s, "stream_heartbeat_s", INT, 25, 1, 300,                                   \
      "seconds between keep-alive lines on live-update streams; a peer that stops taking them "    \
      "is dropped")                                                                                \
    X(request_timeout_ms, "request_timeout_ms", INT, 10000, 100, 600000,                           \
      "whole-request deadline: a request not fully received by then is dropped")                   \
    X(edit_window_s, "edit_window_s", INT, 900, 0, 86400 * 365,                                    \
      "seconds during which authors may edit their comments")                                      \
    X(session_days, "session_days", INT, 30, 1, 3650, "days a login session lasts")                \
    X(session_cache_ms, "session_cache_ms", INT, 1000, 0, 60000,                                   \
      "longest a node reuses a reader's session and layer of a thread page without asking the "    \
      "database (writes drop them sooner); 0 = never")                                             \
    X(rate_limit, "rate_limit", BOOL, 1, 0, 1, "enforce rate limits (off only for tests)")         \
    X(trusted_proxy, "trusted_proxy", STR, "", 0, 0,                                               \
      "address of a reverse proxy whose X-Forwarded-For names the client")                         \
    X(settings_poll_ms, "settings_poll_ms", INT, 2000, 100, 3600000,                               \
      "milliseconds between two looks for a settings version saved on another node (PostgreSQL "   \
      "nodes also hear of it at once by LISTEN/NOTIFY)")                                           \
    X(commit_batch, "commit_batch", INT, 256, 1, 10000,                                            \
      "most writes committed together in one transaction")                                         \
    X(log_level, "log_level", STR, "info", 0, 0, "error, warn, info or debug")                     \
    X(guidelines_file, "guidelines_file", STR, "", 0, 0,                                           \
      "Markdown file replacing the default /guidelines page")                                      \
    X(terms_file, "terms_file", STR, "", 0, 0, "Markdown file replacing the default /terms page")  \
    X(faq_file, "faq_file", STR, "", 0, 0, "Markdown file replacing the default /faq page")        \
    X(demo, "demo", BOOL, 1, 0, 1, "serve the demo article page at /")                             \
    X(auto_suspend_after, "auto_suspend_after", INT, 3, 1, 1000,                                   \
      "refused comments (or attacks on one person) in the window that suspend an author")          \
    X(auto_suspend_window_h, "auto_suspend_window_h", INT, 24, 1, 24 * 365,                        \
      "hours over which refusals are counted for automatic suspension")                            \
    X(auto_suspend_hours, "auto_suspend_hours", INT, 24, 1, 24 * 365,                              \
      "hours an automatic suspension lasts")                                                       \
    X(flag_threshold, "flag_threshold", INT, 3, 1, 1000,                                           \
      "weighted flag score that hides a comment from readers until a moderator reviews it")        \
    X(flags_per_hour, "flags_per_hour", INT, 20, 1, 100000, "flags one reader may make per hour")  \
    X(flag_new_account_days, "flag_new_account_days", INT, 2, 0, 3650,                             \
      "accounts younger than this many days flag with the least weight")                           \
    X(auto_close_days, "auto_close_days", INT, 0, 0, 36500,                                        \
      "close comments on articles older than this many days; 0 = never")                           \
    X(delete_account_comments, "delete_account_comments", STR, "anonymize", 0, 0,                  \
      "what account deletion does to the comments: anonymize or remove")                           \
    X(sso_secret, "sso_secret", STR, "", 0, 0,                                                     \
      "shared HS256 secret for single sign-on tokens; empty turns SSO off")                        \
    X(sso_max_age_s, "sso_max_age_s", INT, 600, 10, 86400,                                         \
      "oldest single sign-on token accepted (seconds since its iat)")                              \
    X(oidc_jwks_refetch_s, "oidc_jwks_refetch_s", INT, 60, 0, 86400,                               \
      "OpenID Connect: least seconds between two fetches of a provider's keys when a token "       \
      "names an unknown one (providers are set as oidc.NAME.issuer and so on)")                    \
    X(metrics_listen, "metrics_listen", STR, "", 0, 0,                                             \
      "HOST:PORT for GET /metrics (Prometheus); empty turns it off; never the public address")     \
    X(slow_request_ms, "slow_request_ms", INT, 2000, 1, 3600000,                                   \
      "requests slower than this many milliseconds are logged")                                    \
    X(log_addresses, "log_addresses", STR, "network", 0, 0,                                        \
      "client addresses in log lines: full, network (IPv4 /24, IPv6 /48) or none")                 \
    X(smtp_url, "smtp_url", STR, "", 0, 0,                                                         \
      "mail server: smtp://[user:pass@]host:port (STARTTLS when offered) or smtps://...; "         \
      "empty turns mail off")                                                                      \
    X(mail_from, "mail_from", STR, "", 0, 0,                                                       \
      "the From of Parley's mail: an address, or Name <address>")                                  \
    X(smtp_require_tls, "smtp_require_tls", BOOL, 0, 0, 1,                                         \
      "refuse to send over smtp:// unless the server offers STARTTLS")                             \
    X(smtp_ca_file, "smtp_ca_file", STR, "", 0, 0,                                                 \
      "PEM file of certificate authorities for the mail server (empty: the system's)")             \
    X(mail_per_recipient_hour, "mail_per_recipient_hour", INT, 5, 1, 10000,                        \
      "most mails queued to one address in an hour; more are dropped")                             \
    X(mail_retry_s, "mail_retry_s", INT, 60, 1, 86400,                                             \
      "seconds before the first retry of a failed mail; doubles with each attempt")                \
    X(mail_max_attempts, "mail_max_attempts", INT, 10, 1, 100,                                     \
      "attempts before a mail that keeps failing is given up")                                     \
    X(require_verified_email, "require_verified_email", BOOL, 0, 0, 1,                             \
      "with mail configured: readers must confirm their address before they write")                \
    X(account_contact, "account_contact", STR, "", 0, 0,                                           \
      "whom readers should contact about their account when the site sends no mail")               \
    X(webhook_url, "webhook_url", STR, "", 0, 0,                                                   \
      "http(s) URL that receives the site's events as signed JSON; empty turns webhooks off")      \
    X(webhook_secret, "webhook_secret", STR, "", 0, 0,                                             \
      "key of the X-Parley-Signature (HMAC-SHA256 of the body); empty sends no signature")         \
    X(webhook_format, "webhook_format", STR, "json", 0, 0,                                         \
      "json (Parley's signed events) or slack (a Slack-compatible {\"text\"} message)")            \
    X(webhook_timeout_ms, "webhook_timeout_ms", INT, 10000, 100, 120000,                           \
      "longest wait for the receiver to answer one delivery")                                      \
    X(webhook_retry_ms, "webhook_retry_ms", INT, 10000, 10, 3600000,                               \
      "wait before the first retry of a failed delivery; doubles each time, at most an hour")      \
    X(webhook_max_attempts, "webhook_max_attempts", INT, 12, 1, 100,                               \
      "attempts before a delivery is given up and marked failed")                                  \
    X(webhook_keep_days, "webhook_keep_days", INT, 30, 1, 3650,                                    \
      "days delivered and failed events stay in the delivery log")                                 \
    X(perspective_keys, "perspective_keys", STR, "", 0, 0,                                         \
      "API keys of the Perspective-compatible endpoint, comma- or space-separated; empty: off")    \
    X(pow, "pow", BOOL, 0, 0, 1,                                                                   \
      "require a proof of work (ALTCHA) to register and for an account's first comment")           \
    X(pow_secret, "pow_secret", STR, "", 0, 0,                                                     \
      "key that signs proof-of-work challenges; empty: a random one per process (one node only)")  \
    X(pow_maxnumber, "pow_maxnumber", INT, 50000, 1000, 10000000,                                  \
      "proof-of-work difficulty: the largest number a client may have to try")                     \
    X(pow_expires_s, "pow_expires_s", INT, 600, 30, 86400,                                         \
      "seconds a proof-of-work challenge stays valid")

typedef struct config {
#define CONFIG_FIELD_INT(f) int64_t f;
#define CONFIG_FIELD_BOOL(f) bool f;
#define CONFIG_FIELD_STR(f) char *f;
#define CONFIG_FIELD(f, name, type, def, min, max, help) CONFIG_FIELD_##type(f)
    CONFIG_SETTINGS(CONFIG_FIELD)
#undef CONFIG_FIELD
#undef CONFIG_FIELD_INT
#undef CONFIG_FIELD_BOOL
#undef CONFIG_FIELD_STR
    /* Settings not in the table whose names contain a dot ("policy.slur"),
     * kept for the modules that own them. */
    char **extra_keys;
    char **extra_values;
    size_t n_extra;
} config;

/* Fills c with the defaults. */
void config_init(config *c);
void config_fini(config *c);

/* Sets one setting from text. PL_EINVAL with a message naming the setting
 * when the name is unknown or the value out of range. */
int config_set(config *c, const char *name, const char *value, pl_error *err);

/* Reads a config file. Errors name the file and line. */
int config_load_file(config *c, const char *path, pl_error *err);

/* Applies PARLEY_* environment variables. */
int config_load_env(config *c, pl_error *err);

/* Returns the value of an extra ("policy.slur") setting or NULL. */
const char *config_extra(const config *c, const char *name);

/* Calls fn for every setting whose value differs between a and b (table
 * settings first, then extra "x.y" settings present in either). */
void config_diff(const config *a, const config *b, void (*fn)(const char *name, void *arg),
                 void *arg);
/* Gives dst the value src has for the table setting name. */
void config_copy_setting(config *dst, const config *src, const char *name);

/* Makes dst (not initialised) a deep copy of src. */
void config_copy(config *dst, const config *src);
/* The value of setting name as text: a table setting's written into buf
 * (whole numbers in decimal, booleans "on" or "off", strings cut to n),
 * an extra setting's own value; NULL when cfg has no such setting. */
const char *config_get_text(const config *c, const char *name, char *buf, size_t n);

/* Prints a config file with every setting commented out at its default,
 * each under its help text (`parley config --sample`). */
void config_print_sample(FILE *f);

/* Prints the settings table (name, default, help) for --help. */
void config_print_help(FILE *f);

#endif
