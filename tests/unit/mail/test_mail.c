/* tests/unit/mail/test_mail.c: composing mail (mail/mail.c): the headers,
 * RFC 2047 for non-ASCII, no header injection through any value, base64
 * bodies that decode to the input, the List-Unsubscribe pair, HTML escaping
 * and the start-up checks of the mail settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "mail/mail.h"

static config cfg;

static int
setup(void **state)
{
    (void)state;
    config_init(&cfg);
    pl_error err;
    assert_int_equal(config_set(&cfg, "smtp_url", "smtp://127.0.0.1:2525", &err), 0);
    assert_int_equal(config_set(&cfg, "mail_from", "Desk Ü <desk@paper.example>", &err), 0);
    assert_int_equal(config_set(&cfg, "public_url", "https://comments.paper.example", &err), 0);
    return sodium_init() < 0;
}

static int
teardown(void **state)
{
    (void)state;
    config_fini(&cfg);
    return 0;
}

/* The headers end at the first empty line; no header line may come from
 * a value's own CR or LF. */
static char *
headers_of(arena *a, const char *msg)
{
    const char *end = strstr(msg, "\r\n\r\n");
    assert_non_null(end);
    return arena_strndup(a, msg, (size_t)(end - msg) + 2);
}

static void
compose_headers(void **state)
{
    (void)state;
    arena *a = arena_new();
    mail_msg m = {.to = "reader@example.com",
                  .subject = "Hello",
                  .text = "plain",
                  .html = "<p>html</p>",
                  .unsubscribe = "https://comments.paper.example/api/v1/unsubscribe?token=abc"};
    char *msg = mail_compose(a, &cfg, &m, 1764763200000LL); /* 2025-12-03 12:00:00 UTC */
    char *h = headers_of(a, msg);
    assert_non_null(strstr(h, "From: =?UTF-8?B?RGVzayDDnA==?= <desk@paper.example>\r\n"));
    assert_non_null(strstr(h, "To: reader@example.com\r\n"));
    assert_non_null(strstr(h, "Subject: Hello\r\n"));
    assert_non_null(strstr(h, "Date: Wed, 03 Dec 2025 12:00:00 +0000\r\n"));
    assert_non_null(strstr(h, "@paper.example>\r\n"));
    assert_non_null(strstr(h, "MIME-Version: 1.0\r\n"));
    assert_non_null(strstr(
        h, "List-Unsubscribe: <https://comments.paper.example/api/v1/unsubscribe?token=abc>\r\n"));
    assert_non_null(strstr(h, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    assert_non_null(strstr(h, "Content-Type: multipart/alternative; boundary=\""));
    /* Every line ends in CRLF: no bare LF anywhere. */
    for (const char *p = msg; (p = strchr(p, '\n')) != NULL; p++)
        assert_true(p > msg && p[-1] == '\r');
    m.unsubscribe = NULL;
    h = headers_of(a, mail_compose(a, &cfg, &m, 0));
    assert_null(strstr(h, "List-Unsubscribe"));
    arena_free(a);
}

static void
no_header_injection(void **state)
{
    (void)state;
    arena *a = arena_new();
    mail_msg m = {.to = "reader@example.com\r\nBcc: victim@example.com",
                  .subject = "Hi\r\nBcc: victim@example.com",
                  .text = "x",
                  .html = "y",
                  .unsubscribe = "https://x.example/u\r\nBcc: victim@example.com"};
    char *h = headers_of(a, mail_compose(a, &cfg, &m, 0));
    assert_null(strstr(h, "\r\nBcc:"));
    arena_free(a);
}

/* A From of a long plain name (kept as is up to 900 bytes) and a long
 * address would make a line over RFC 5322's 998 bytes: the address goes on
 * a folded line of its own (found by fuzz_mail). A short one stays on one. */
static void
long_from_is_folded_before_the_address(void **state)
{
    (void)state;
    arena *a = arena_new();
    char from[1200], name[851], local[201];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    memset(local, 'l', sizeof local - 1);
    local[sizeof local - 1] = '\0';
    snprintf(from, sizeof from, "%s <%s@paper.example>", name, local);
    config c;
    config_init(&c);
    pl_error err;
    assert_int_equal(config_set(&c, "mail_from", from, &err), 0);
    mail_msg m = {.to = "reader@example.com", .subject = "Hi", .text = "x", .html = "y"};
    char *h = headers_of(a, mail_compose(a, &c, &m, 0));
    for (const char *line = h; *line;) {
        const char *eol = strstr(line, "\r\n");
        assert_non_null(eol);
        assert_true(eol - line <= 998);
        line = eol + 2;
    }
    assert_non_null(strstr(h, arena_printf(a, "From: %s\r\n <%s@paper.example>\r\n", name, local)));
    h = headers_of(a, mail_compose(a, &cfg, &m, 0));
    assert_non_null(strstr(h, "From: =?UTF-8?B?RGVzayDDnA==?= <desk@paper.example>\r\n"));
    config_fini(&c);
    arena_free(a);
}

static void
non_ascii_subject_is_encoded_in_whole_characters(void **state)
{
    (void)state;
    arena *a = arena_new();
    /* 40 two-byte characters: more than one encoded word. */
    char subject[81];
    for (int i = 0; i < 40; i++)
        memcpy(subject + 2 * i, "\xc3\xa9", 2);
    subject[80] = '\0';
    mail_msg m = {.to = "r@example.com", .subject = subject, .text = "t", .html = "h"};
    char *h = headers_of(a, mail_compose(a, &cfg, &m, 0));
    char *s = strstr(h, "Subject: =?UTF-8?B?");
    assert_non_null(s);
    /* Decode every encoded word back and compare. */
    char out[128] = "";
    size_t on = 0;
    const char *p = s;
    while ((p = strstr(p, "=?UTF-8?B?")) != NULL && p < strstr(s, "\r\nDate:")) {
        p += 10;
        const char *e = strstr(p, "?=");
        unsigned char bin[64];
        size_t bn;
        assert_int_equal(sodium_base642bin(bin, sizeof bin, p, (size_t)(e - p), NULL, &bn, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_true(bn % 2 == 0); /* never half a character */
        memcpy(out + on, bin, bn);
        on += bn;
        p = e + 2;
    }
    out[on] = '\0';
    assert_string_equal(out, subject);
    arena_free(a);
}

static void
bodies_decode_to_the_input(void **state)
{
    (void)state;
    arena *a = arena_new();
    char text[1000];
    for (int i = 0; i < 999; i++)
        text[i] = (char)('a' + i % 26);
    text[999] = '\0';
    mail_msg m = {.to = "r@example.com", .subject = "s", .text = text, .html = "<b>ü</b>"};
    char *msg = mail_compose(a, &cfg, &m, 0);
    const char *start = strstr(msg, "text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
                                    "base64\r\n\r\n");
    assert_non_null(start);
    start = strstr(start, "\r\n\r\n") + 4;
    const char *end = strstr(start, "--");
    /* Lines of at most 76 characters. */
    for (const char *l = start; l < end;) {
        const char *nl = strstr(l, "\r\n");
        assert_true(nl - l <= 76);
        l = nl + 2;
    }
    unsigned char bin[1100];
    size_t bn;
    assert_int_equal(sodium_base642bin(bin, sizeof bin, start, (size_t)(end - start), "\r\n", &bn,
                                       NULL, sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(bn, 999);
    assert_memory_equal(bin, text, 999);
    arena_free(a);
}

static void
site_name(void **state)
{
    (void)state;
    arena *a = arena_new();
    assert_string_equal(mail_site_name(a, &cfg), "comments.paper.example");
    arena_free(a);
}

static void
settings_checks(void **state)
{
    (void)state;
    config c;
    pl_error err;
    config_init(&c);
    assert_int_equal(mail_check_config(&c, &err), 0); /* mail off */
    assert_false(mail_enabled(&c));
    config_set(&c, "smtp_url", "smtp://u:pw@host:25", &err);
    assert_int_equal(mail_check_config(&c, &err), PL_EINVAL); /* no public_url */
    config_set(&c, "public_url", "https://c.example", &err);
    assert_int_equal(mail_check_config(&c, &err), PL_EINVAL); /* no mail_from */
    config_set(&c, "mail_from", "Name <bad address@x.example>", &err);
    assert_int_equal(mail_check_config(&c, &err), PL_EINVAL);
    assert_null(strstr(err.msg, "pw"));
    config_set(&c, "mail_from", "Name <good@x.example>", &err);
    assert_int_equal(mail_check_config(&c, &err), 0);
    assert_true(mail_enabled(&c));
    config_set(&c, "smtp_url", "ftp://host", &err);
    assert_int_equal(mail_check_config(&c, &err), PL_EINVAL);
    config_fini(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compose_headers),
        cmocka_unit_test(no_header_injection),
        cmocka_unit_test(long_from_is_folded_before_the_address),
        cmocka_unit_test(non_ascii_subject_is_encoded_in_whole_characters),
        cmocka_unit_test(bodies_decode_to_the_input),
        cmocka_unit_test(site_name),
        cmocka_unit_test(settings_checks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
