/* tests/unit/api/test_jwt.c: jwt_verify_hs256, the SSO token check.
 *
 * Tokens are built here from JSON text with libsodium's HMAC-SHA-256, so
 * each case controls the header, the claims and the signature exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/jwt.h"
#include "util/text.h"

#define NOW 1800000000LL
static const char KEY[] = "test secret";

/* header and payload are JSON texts; key NULL leaves the signature empty. */
static char *
make(arena *a, const char *header, const char *payload, const char *key)
{
    size_t hn = strlen(header), pn = strlen(payload);
    char *out = arena_alloc(a, (hn + pn) * 2 + 100);
    size_t o = b64url_encode((const unsigned char *)header, hn, out);
    out[o++] = '.';
    o += b64url_encode((const unsigned char *)payload, pn, out + o);
    size_t signed_len = o;
    out[o++] = '.';
    out[o] = '\0';
    if (key != NULL) {
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)out, signed_len);
        crypto_auth_hmacsha256_final(&st, mac);
        b64url_encode(mac, sizeof mac, out + o);
    }
    return out;
}

static const char HS256[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

static char *
claims(arena *a, long long iat, long long exp, const char *extra)
{
    return arena_printf(a,
                        "{\"sub\":\"u-1\",\"email\":\"u@example.com\",\"jti\":\"j-1\","
                        "\"iat\":%lld,\"exp\":%lld%s}",
                        iat, exp, extra);
}

static jwt_status
verify(arena *a, const char *token, jwt_claims *c, pl_error *err)
{
    return jwt_verify_hs256(token, strlen(token), (const unsigned char *)KEY, strlen(KEY), NOW, 600,
                            a, c, err);
}

static void
accepts_a_good_token(void **state)
{
    (void)state;
    arena *a = arena_new();
    jwt_claims c;
    pl_error err = {0};
    char *t = make(a, HS256, claims(a, NOW - 5, NOW + 60, ",\"name\":\"Ann\""), KEY);
    assert_int_equal(verify(a, t, &c, &err), JWT_OK);
    assert_string_equal(c.sub, "u-1");
    assert_string_equal(c.email, "u@example.com");
    assert_string_equal(c.name, "Ann");
    assert_string_equal(c.jti, "j-1");
    assert_int_equal(c.exp, NOW + 60);
    /* name is optional; typ too */
    t = make(a, "{\"alg\":\"HS256\"}", claims(a, NOW, NOW + 60, ""), KEY);
    assert_int_equal(verify(a, t, &c, &err), JWT_OK);
    assert_string_equal(c.name, "");
    arena_free(a);
}

static void
refuses_bad_signatures(void **state)
{
    (void)state;
    arena *a = arena_new();
    jwt_claims c;
    pl_error err = {0};
    char *good = make(a, HS256, claims(a, NOW, NOW + 60, ""), KEY);
    assert_int_equal(verify(a, make(a, HS256, claims(a, NOW, NOW + 60, ""), "other"), &c, &err),
                     JWT_BAD_SIGNATURE);
    assert_non_null(strstr(err.msg, "signature"));
    /* Change one character of the payload, keep the signature. */
    char *t = arena_strdup(a, good);
    char *dot = strchr(t, '.');
    dot[3] = dot[3] == 'A' ? 'B' : 'A';
    assert_int_not_equal(verify(a, t, &c, &err), JWT_OK);
    /* No signature at all. */
    assert_int_equal(verify(a, make(a, HS256, claims(a, NOW, NOW + 60, ""), NULL), &c, &err),
                     JWT_BAD_SIGNATURE);
    /* A truncated signature. */
    t = arena_strdup(a, good);
    t[strlen(t) - 2] = '\0';
    assert_int_not_equal(verify(a, t, &c, &err), JWT_OK);
    arena_free(a);
}

static void
refuses_other_algorithms(void **state)
{
    (void)state;
    arena *a = arena_new();
    jwt_claims c;
    pl_error err = {0};
    const char *p = claims(a, NOW, NOW + 60, "");
    assert_int_equal(verify(a, make(a, "{\"alg\":\"none\"}", p, NULL), &c, &err), JWT_BAD_ALG);
    assert_int_equal(verify(a, make(a, "{\"alg\":\"HS512\"}", p, KEY), &c, &err), JWT_BAD_ALG);
    assert_int_equal(verify(a, make(a, "{\"alg\":\"hs256\"}", p, KEY), &c, &err), JWT_BAD_ALG);
    assert_int_equal(verify(a, make(a, "{\"typ\":\"JWT\"}", p, KEY), &c, &err), JWT_BAD_ALG);
    assert_int_equal(verify(a, make(a, "{\"alg\":\"HS256\",\"typ\":\"JWE\"}", p, KEY), &c, &err),
                     JWT_MALFORMED);
    arena_free(a);
}

static void
checks_the_clock(void **state)
{
    (void)state;
    arena *a = arena_new();
    jwt_claims c;
    pl_error err = {0};
    assert_int_equal(verify(a, make(a, HS256, claims(a, NOW - 100, NOW, ""), KEY), &c, &err),
                     JWT_EXPIRED);
    assert_non_null(strstr(err.msg, "expired"));
    assert_int_equal(verify(a, make(a, HS256, claims(a, NOW + 120, NOW + 600, ""), KEY), &c, &err),
                     JWT_NOT_YET);
    assert_int_equal(verify(a, make(a, HS256, claims(a, NOW - 601, NOW + 60, ""), KEY), &c, &err),
                     JWT_TOO_OLD);
    assert_int_equal(verify(a, make(a, HS256, claims(a, NOW - 600, NOW + 1, ""), KEY), &c, &err),
                     JWT_OK);
    arena_free(a);
}

static void
refuses_malformed_tokens(void **state)
{
    (void)state;
    arena *a = arena_new();
    jwt_claims c;
    pl_error err = {0};
    const char *bad[] = {"", "abc", "a.b", "a.b.c.d", "..", "!!.??.**", "eyJ9.eyJ9."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(verify(a, bad[i], &c, &err), JWT_MALFORMED);
        assert_true(err.msg[0] != '\0');
    }
    /* Signed, but the claims are missing or of the wrong type. */
    const char *payloads[] = {
        "[]",
        "{\"sub\":\"u\",\"email\":\"e\",\"iat\":1800000000,\"exp\":1800000060}",
        "{\"sub\":\"\",\"email\":\"e\",\"jti\":\"j\",\"iat\":1800000000,\"exp\":1800000060}",
        "{\"sub\":5,\"email\":\"e\",\"jti\":\"j\",\"iat\":1800000000,\"exp\":1800000060}",
        "{\"sub\":\"u\",\"email\":\"e\",\"jti\":\"j\",\"iat\":\"now\",\"exp\":1800000060}",
        "{\"sub\":\"u\\u0000x\",\"email\":\"e\",\"jti\":\"j\",\"iat\":1800000000,\"exp\":"
        "1800000060}",
        "{\"sub\":\"u\",\"sub\":\"v\",\"email\":\"e\",\"jti\":\"j\",\"iat\":1800000000,"
        "\"exp\":1800000060}",
        "not json",
    };
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++)
        assert_int_equal(verify(a, make(a, HS256, payloads[i], KEY), &c, &err), JWT_MALFORMED);
    /* Too long. */
    char *big = arena_alloc(a, JWT_MAX_LEN + 2);
    memset(big, 'a', JWT_MAX_LEN + 1);
    big[JWT_MAX_LEN + 1] = '\0';
    assert_int_equal(verify(a, big, &c, &err), JWT_MALFORMED);
    arena_free(a);
}

int
main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_a_good_token),     cmocka_unit_test(refuses_bad_signatures),
        cmocka_unit_test(refuses_other_algorithms), cmocka_unit_test(checks_the_clock),
        cmocka_unit_test(refuses_malformed_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
