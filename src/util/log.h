/* util/log.h: one key=value line per entry on standard error.
 *
 * The level is the one mutable global Parley keeps. The macros test it before
 * evaluating their arguments, so a debug line costs nothing when disabled.
 * Never log comment text, e-mail addresses or tokens: log ids.
 */
#ifndef PARLEY_UTIL_LOG_H
#define PARLEY_UTIL_LOG_H

enum { LOG_LEVEL_ERROR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

#include <stdatomic.h>

/* Changed by a reload (SIGHUP) while other threads log. */
extern _Atomic int log_level;

/* Parses "error", "warn", "info" or "debug"; returns the level or -1. */
int log_level_parse(const char *name);

void log_write(int level, int with_errno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LOG_AT(lvl, e, ...)                                                                        \
    do {                                                                                           \
        if (log_level >= (lvl))                                                                    \
            log_write((lvl), (e), __VA_ARGS__);                                                    \
    } while (0)
#define log_error(...) LOG_AT(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warn(...) LOG_AT(LOG_LEVEL_WARN, 0, __VA_ARGS__)
#define log_info(...) LOG_AT(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...) LOG_AT(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(...) LOG_AT(LOG_LEVEL_ERROR, 1, __VA_ARGS__)
#define log_warn_errno(...) LOG_AT(LOG_LEVEL_WARN, 1, __VA_ARGS__)

#endif
