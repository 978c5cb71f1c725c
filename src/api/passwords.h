/* api/passwords.h: which passwords Parley refuses.
 *
 * Beside the length rule (8 to 1024 bytes), a password is refused when it
 * is one of the most common passwords (data/passwords/common.txt, built into
 * the binary; compared without regard to ASCII case) or when it is the
 * account's own e-mail address, the part of it before the '@', or its name.
 * These are the guesses an attacker tries first against every account, so
 * the rate limits alone would let them through. Thread-safe.
 */
#ifndef PARLEY_API_PASSWORDS_H
#define PARLEY_API_PASSWORDS_H

#include <stdbool.h>

/* NULL when pw may be used; otherwise one sentence saying why not. email
 * and name may be NULL. */
const char *password_refusal(const char *pw, const char *email, const char *name);

#endif
