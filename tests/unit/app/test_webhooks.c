/* tests/unit/server/test_webhooks.c: what the webhook sender puts on the
 * wire: the signature (RFC 4231's HMAC-SHA256 vectors), the JSON envelope
 * and the Slack message with its escaping. Delivery itself is tested
 * against a real receiver in tests/api/webhooks.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "app/webhooks.h"

static void
signature_is_hmac_sha256_in_hex(void **state)
{
    (void)state;
    char sig[WEBHOOKS_SIGNATURE_SIZE];
    const char *data = "what do ya want for nothing?";
    webhooks_sign("Jefe", data, strlen(data), sig);
    assert_string_equal(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b96"
                             "4ec3843");
    /* Only len bytes count. */
    webhooks_sign("Jefe", "what do ya want for nothing?!!", strlen(data), sig);
    assert_string_equal(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b96"
                             "4ec3843");
}

static store_outbox_item
item(const char *event, const char *payload)
{
    store_outbox_item it = {0};
    it.id = 42;
    it.event = event;
    it.payload = payload;
    it.created_at = 1764547200000; /* 2025-12-01T00:00:00Z */
    return it;
}

static void
json_body_is_the_envelope(void **state)
{
    (void)state;
    config cfg;
    config_init(&cfg);
    arena *a = arena_new();
    store_outbox_item it = item("comment.held", "{\"comment\":{\"id\":\"7\"}}");
    const char *body = webhooks_body(&cfg, &it, a);
    assert_non_null(body);
    assert_string_equal(body, "{\"id\":\"42\",\"event\":\"comment.held\",\"created_at\":"
                              "\"2025-12-01T00:00:00Z\",\"data\":{\"comment\":{\"id\":\"7\"}}}");
    it.payload = "not json";
    assert_null(webhooks_body(&cfg, &it, a));
    arena_free(a);
    config_fini(&cfg);
}

static const char *
slack(config *cfg, arena *a, const char *event, const char *payload)
{
    store_outbox_item it = item(event, payload);
    const char *body = webhooks_body(cfg, &it, a);
    assert_non_null(body);
    json_t *o = json_loads(body, 0, NULL);
    assert_non_null(o);
    assert_int_equal(json_object_size(o), 1);
    const char *text = arena_strdup(a, json_string_value(json_object_get(o, "text")));
    json_decref(o);
    return text;
}

static void
slack_messages_escape_and_summarise(void **state)
{
    (void)state;
    config cfg;
    pl_error err;
    config_init(&cfg);
    assert_int_equal(config_set(&cfg, "webhook_format", "slack", &err), 0);
    arena *a = arena_new();
    const char *t =
        slack(&cfg, a, "comment.held",
              "{\"comment\":{\"id\":\"7\",\"author_name\":\"A<b>\",\"body\":\"x & y\"},"
              "\"article\":{\"id\":\"art\",\"title\":\"T\",\"url\":\"https://e.x/a\"},"
              "\"moderation\":{\"reasons\":[{\"rule\":\"spam\"},{\"rule\":\"links\"}]}}");
    assert_string_equal(t, "Comment 7 by A&lt;b&gt; on <https://e.x/a|T> is held for review "
                           "(spam, links):\n>x &amp; y");
    /* A URL that would break out of the link is not made a link. */
    t = slack(&cfg, a, "comment.published",
              "{\"comment\":{\"author_name\":\"A\",\"body\":\"hi\"},"
              "\"article\":{\"id\":\"art\",\"title\":\"\",\"url\":\"https://e.x/a|evil\"}}");
    assert_string_equal(t, "New comment by A on “art”:\n>hi");
    t = slack(&cfg, a, "user.banned",
              "{\"user\":{\"id\":\"3\",\"name\":\"Bob\"},\"until\":null,\"reason\":\"spam\","
              "\"moderator\":null}");
    assert_string_equal(t, "Bob (user 3) is banned by the moderation engine: spam");
    /* A long body is cut on a character boundary. */
    char body[700];
    memset(body, 'a', 299);
    strcpy(body + 299, "é and more text that is cut off");
    char *payload = arena_printf(a, "{\"comment\":{\"author_name\":\"A\",\"body\":\"%s\"}}", body);
    t = slack(&cfg, a, "comment.published", payload);
    assert_non_null(strstr(t, "aaa…"));
    assert_null(strstr(t, "more text"));
    arena_free(a);
    config_fini(&cfg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signature_is_hmac_sha256_in_hex),
        cmocka_unit_test(json_body_is_the_envelope),
        cmocka_unit_test(slack_messages_escape_and_summarise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
