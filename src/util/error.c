/* util/error.c: the status table and pl_errorf. */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>

const char *
pl_strerror(int code)
{
    switch (code) {
#define PL_ERR_CASE(name, value, text)                                                             \
    case value:                                                                                    \
        return text;
        PL_ERRORS(PL_ERR_CASE)
#undef PL_ERR_CASE
    }
    return "unknown error";
}

int
pl_errorf(pl_error *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
