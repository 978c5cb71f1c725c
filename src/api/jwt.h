/* api/jwt.h: verification of the publisher's single sign-on tokens.
 *
 * A token is a compact JWT (RFC 7519) signed with HMAC-SHA-256 under the
 * shared secret of the config (sso_secret). The parser treats the token as
 * hostile: it is bounded in size, accepts only the header alg "HS256" (never
 * "none" or anything else), checks the signature in constant time before it
 * reads a single claim, and requires the claims sub, email, exp, iat and jti
 * (name and email_verified are optional). Nothing here touches the store: replay detection (jti
 * seen before) is the caller's, in the same transaction that logs in.
 */
#ifndef PARLEY_API_JWT_H
#define PARLEY_API_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/error.h"

#define JWT_MAX_LEN 4096

typedef struct jwt_claims {
    const char *sub;     /* the publisher's user id, 1..128 bytes */
    const char *name;    /* display name, "" when absent */
    const char *email;   /* required */
    const char *jti;     /* token id, 1..128 bytes */
    int64_t exp;         /* Unix seconds */
    int64_t iat;         /* Unix seconds */
    bool email_verified; /* the publisher says it verified email (OpenID's claim) */
} jwt_claims;

typedef enum {
    JWT_OK = 0,
    JWT_MALFORMED,     /* not three base64url parts, bad JSON, missing claim */
    JWT_BAD_ALG,       /* alg is not HS256 */
    JWT_BAD_SIGNATURE, /* signed with another key, or altered */
    JWT_EXPIRED,       /* exp is past */
    JWT_NOT_YET,       /* iat is in the future */
    JWT_TOO_OLD        /* issued longer ago than max_age_s */
} jwt_status;

/* Verifies token (len bytes, need not be NUL-terminated) under key at the
 * time now_s. On JWT_OK fills *out (strings in a). Otherwise err holds a
 * sentence a person can act on. */
jwt_status jwt_verify_hs256(const char *token, size_t len, const unsigned char *key, size_t key_len,
                            int64_t now_s, int64_t max_age_s, arena *a, jwt_claims *out,
                            pl_error *err);

/* Decodes one base64url part [p, p+n) of a compact JWT into a
 * NUL-terminated arena buffer; its length, or -1 when it is not base64url.
 * OpenID Connect's ID tokens (api/oidc_parse.c) are read with it too. */
long jwt_decode_part(const char *p, size_t n, arena *a, unsigned char **out);

/* HS256 with a short shared secret can be brute-forced offline from one
 * token the publisher's site hands out: 32 bytes (256 bits, the size of the
 * MAC) is the least accepted. */
#define JWT_SECRET_MIN 32

/* The check `parley serve` and `parley config --check` make of sso_secret
 * (secret): 0 when it is unset ("") or at least JWT_SECRET_MIN bytes, else
 * PL_EINVAL with one line naming the setting. */
int jwt_secret_check(const char *secret, pl_error *err);

#endif
