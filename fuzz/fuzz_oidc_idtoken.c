/* fuzz/fuzz_oidc_idtoken.c: oidc_verify_id_token on arbitrary tokens.
 *
 * The key set holds one P-256 key (kid "k1"), made at the first call. The
 * first byte picks the mode. Even: the rest is the token as sent; with a
 * key the fuzzer never saw, no such token may be accepted. Odd: the rest is
 * "header.payload", which the target signs with the key (ES256) before
 * verifying, so the fuzzer also reaches the claim checks behind the
 * signature. Invariants: an accepted token names the expected issuer, has a
 * sub, and is neither expired nor issued in the future; a refusal always
 * says why.
 */
#include "api/oidc.h"
#include "fuzz.h"
#include "util/text.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define NOW_S 1800000000LL

static oidc_keyset ks;

static void
make_key(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    if (k == NULL)
        abort();
    ks.keys[0].pkey = k;
    ks.keys[0].alg = OIDC_ALG_ES256;
    strcpy(ks.keys[0].kid, "k1");
    ks.n = 1;
}

/* Appends ".SIG" (base64url of r||s) to the n bytes at buf. */
static size_t
sign(char *buf, size_t n)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char der[128];
    size_t dn = sizeof der;
    if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, ks.keys[0].pkey) != 1 ||
        EVP_DigestSign(md, der, &dn, (const unsigned char *)buf, n) != 1)
        abort();
    EVP_MD_CTX_free(md);
    const unsigned char *p = der;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)dn);
    unsigned char raw[64];
    if (s == NULL || BN_bn2binpad(ECDSA_SIG_get0_r(s), raw, 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(s), raw + 32, 32) != 32)
        abort();
    ECDSA_SIG_free(s);
    buf[n++] = '.';
    return n + b64url_encode(raw, sizeof raw, buf + n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > OIDC_MAX_TOKEN + 1)
        return 0;
    if (ks.n == 0)
        make_key();
    bool signing = (data[0] & 1) != 0;
    size_t n = size - 1;
    char *token = malloc(n + 128);
    if (token == NULL)
        abort();
    memcpy(token, data + 1, n);
    if (signing)
        n = sign(token, n);
    arena *a = arena_new();
    oidc_claims c;
    pl_error err = {0};
    oidc_status st = oidc_verify_id_token(token, n, &ks, "https://id.example.org", "parley",
                                          "nonce-1", NOW_S, a, &c, &err);
    if (st == OIDC_OK) {
        if (!signing || c.sub == NULL || c.sub[0] == '\0' || c.email == NULL || c.name == NULL ||
            c.exp + 60 <= NOW_S || c.iat > NOW_S + 60)
            abort();
    } else if (err.msg[0] == '\0') {
        abort();
    }
    arena_free(a);
    free(token);
    return 0;
}
