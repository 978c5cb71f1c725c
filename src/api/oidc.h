/* api/oidc.h: OpenID Connect login.
 *
 * The parsing half (api/oidc_parse.c) reads what comes from a provider: its
 * discovery document (.well-known/openid-configuration), its key set (JWKS),
 * the answer of its token endpoint and the ID token inside it. All of it is
 * hostile input: sizes are bounded, only the fields Parley uses are read, and
 * an ID token is believed only after its signature checked out (RS256 or
 * ES256, OpenSSL's libcrypto, since libsodium has neither) under a key of the
 * provider's set, and then only if its issuer, audience, nonce and times are
 * the ones expected. Nothing in the parsing half does I/O; the fuzz targets
 * call it directly.
 *
 * The HTTP half (api/oidc.c) holds the configured providers, fetches and
 * caches their documents and keys, and serves the endpoints
 * GET /api/v1/auth/oidc, .../{provider}/start and .../{provider}/callback.
 */
#ifndef PARLEY_API_OIDC_H
#define PARLEY_API_OIDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/config.h"
#include "util/error.h"

/* The largest document accepted from a provider, and the longest ID token. */
#define OIDC_MAX_DOC (256 * 1024)
#define OIDC_MAX_TOKEN (16 * 1024)
/* Most keys kept from one key set. */
#define OIDC_MAX_KEYS 32

typedef struct oidc_discovery {
    char *issuer;
    char *authorization_endpoint;
    char *token_endpoint;
    char *jwks_uri;
    bool secret_post; /* the token endpoint takes client_secret_post only */
} oidc_discovery;

/* Parses a discovery document. Its issuer must be exactly `issuer`; every
 * endpoint must be an https:// URL (http:// too when allow_http, for a
 * provider on the loopback). Strings are malloc'd: free with
 * oidc_discovery_free. */
int oidc_parse_discovery(const char *json, size_t n, const char *issuer, bool allow_http,
                         oidc_discovery *out, pl_error *err);
void oidc_discovery_free(oidc_discovery *d);

typedef enum { OIDC_ALG_RS256 = 1, OIDC_ALG_ES256 } oidc_alg;

typedef struct oidc_key {
    char kid[128]; /* "" when the key has none */
    oidc_alg alg;  /* what the key can verify: RSA keys RS256, P-256 keys ES256 */
    void *pkey;    /* EVP_PKEY */
} oidc_key;

typedef struct oidc_keyset {
    oidc_key keys[OIDC_MAX_KEYS];
    size_t n;
} oidc_keyset;

/* Parses a JWKS. Keys Parley cannot use (other types and curves, keys for
 * encryption, RSA keys under 2048 bits) are skipped; a set with no usable
 * key is an error. Free with oidc_keyset_free. */
int oidc_parse_jwks(const char *json, size_t n, oidc_keyset *out, pl_error *err);
void oidc_keyset_free(oidc_keyset *ks);

/* Parses the token endpoint's answer and points *id_token (arena-owned) at
 * its id_token. An OAuth error answer ({"error", "error_description"}) is
 * an error whose message carries the provider's words, cleaned. */
int oidc_parse_token_response(const char *json, size_t n, arena *a, const char **id_token,
                              pl_error *err);

typedef struct oidc_claims {
    const char *sub;     /* 1..255 bytes */
    const char *email;   /* "" when the provider sent none */
    const char *name;    /* name, else preferred_username, else nickname; "" when none */
    bool email_verified; /* the provider says it verified email */
    int64_t exp, iat;
} oidc_claims;

typedef enum {
    OIDC_OK = 0,
    OIDC_MALFORMED,     /* not a signed JWT of the accepted shape */
    OIDC_UNKNOWN_KEY,   /* no key of the set has the token's kid (fetch the set again) */
    OIDC_BAD_SIGNATURE, /* signed with another key, or altered */
    OIDC_BAD_CLAIMS,    /* wrong issuer, audience or nonce, or a claim missing */
    OIDC_EXPIRED        /* exp is past (or iat in the future) */
} oidc_status;

/* Verifies an ID token against the key set and the expected issuer,
 * audience (client_id) and nonce at the time now_s (60 seconds of clock skew
 * allowed). On OIDC_OK fills *out (arena-owned); otherwise err says why. */
oidc_status oidc_verify_id_token(const char *token, size_t len, const oidc_keyset *ks,
                                 const char *issuer, const char *client_id, const char *nonce,
                                 int64_t now_s, arena *a, oidc_claims *out, pl_error *err);

/* True when url is http:// on a loopback host (127.0.0.1, [::1],
 * localhost): the only place a provider may go without TLS. */
bool oidc_loopback_http(const char *url);

/* ---- the configured providers (api/oidc.c) -------------------------------- */

/* Checks the oidc.NAME.* settings (issuer, client_id, client_secret,
 * display_name, scope) and public_url, which the callback address is built
 * from. 0 when none are set. */
int oidc_check_config(const config *cfg, pl_error *err);
/* True for the settings of OpenID Connect that are taken at start only (the
 * providers, oidc.NAME.*, and oidc_jwks_refetch_s): a reload keeps their
 * running values and says a restart is needed. */
bool oidc_setting_at_start(const char *name);
/* Takes the providers from cfg at server start (after oidc_check_config
 * passed); cfg must outlive oidc_stop. */
int oidc_start(const config *cfg, pl_error *err);
/* Ends outgoing requests to providers and waits for the logins in progress
 * to hand their request back (before the writer stops); new ones get 503. */
void oidc_drain(void);
/* oidc_drain, then frees the providers (once the loops stopped). */
void oidc_stop(void);

#endif
