/* util/error.h: status codes and the error record every module fills in.
 *
 * Functions return 0 on success or a negative PL_E* code. Where a caller
 * needs the reason as text, they pass a pl_error that the callee fills with
 * one sentence. api/ maps each code to an HTTP status in one table.
 */
#ifndef PARLEY_UTIL_ERROR_H
#define PARLEY_UTIL_ERROR_H

#define PL_ERRORS(X)                                                                               \
    X(PL_OK, 0, "ok")                                                                              \
    X(PL_EINVAL, -1, "invalid input")                                                              \
    X(PL_ENOTFOUND, -2, "not found")                                                               \
    X(PL_ECONFLICT, -3, "already exists")                                                          \
    X(PL_ESTORE, -4, "storage failure")                                                            \
    X(PL_EFORBIDDEN, -5, "forbidden")                                                              \
    X(PL_ECLOSED, -6, "closed")                                                                    \
    X(PL_ETOOLARGE, -7, "too large")                                                               \
    X(PL_EBUSY, -8, "busy")                                                                        \
    X(PL_EIO, -9, "input/output error")                                                            \
    X(PL_ERATE, -10, "rate limited")

enum {
/* NOLINTNEXTLINE(bugprone-macro-parentheses): name is an enumerator being declared */
#define PL_ERR_ENUM(name, value, text) name = value,
    PL_ERRORS(PL_ERR_ENUM)
#undef PL_ERR_ENUM
};

typedef struct pl_error {
    int code;
    char msg[256];
} pl_error;

/* Returns the fixed description of code ("not found"). Never NULL. */
const char *pl_strerror(int code);

/* Fills err (which may be NULL) with code and a formatted message; returns code,
 * so callers can write `return pl_errorf(err, PL_EINVAL, "...")`. */
int pl_errorf(pl_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
