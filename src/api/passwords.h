/* api/passwords.h: which passwords Parley refuses, and how it stores them.
 * Registration, password reset, password change and `parley admin
 * create-user` all go through these, so the rules are the same everywhere.
 *
 * A password must be 8 to 1024 bytes long, and it is refused when it is one of the most common
 * passwords (data/passwords/common.txt, built into the binary; compared without regard to ASCII
 * case) or when it is the account's own e-mail address, the part of it before the '@', or its name.
 * These are the guesses an attacker tries first against every account, so
 * the rate limits alone would let them through. Thread-safe.
 */
#ifndef PARLEY_API_PASSWORDS_H
#define PARLEY_API_PASSWORDS_H

#include <sodium.h>
#include <stdbool.h>

/* NULL when pw may be used; otherwise one sentence saying why not. email
 * and name may be NULL (a reset, where the account is not known yet, checks
 * the length and the list only). */
const char *password_refusal(const char *pw, const char *email, const char *name);

/* The stored form of a password: an argon2id string (libsodium's
 * crypto_pwhash_str with its interactive limits, the one place those
 * parameters are chosen). Returns 0, or -1 when memory ran out. */
int password_hash(char out[crypto_pwhash_STRBYTES], const char *pw);

/* Overwrites a NUL-terminated secret in place; s may be NULL. */
void password_wipe(char *s);

#endif
