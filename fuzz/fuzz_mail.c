/* fuzz/fuzz_mail.c: composing mail (mail/mail.c) from arbitrary values.
 *
 * Readers choose the names and texts that end up in notification mails, so
 * mail_compose sees outside input. The input is split at NUL bytes into the
 * recipient, subject, text, HTML, unsubscribe URL and From (missing parts
 * are empty; the unsubscribe URL, which the server makes from public_url
 * and a token, is kept under 400 bytes, and the recipient, a checked
 * address, under 255). Checks: every line ends in CRLF (no bare CR or LF), the
 * header block holds exactly the headers mail_compose writes, each once, and
 * their continuation lines (a folded Subject or From) start with a space,
 * so no value can add a header; no line is longer than 998 bytes (RFC 5322);
 * the HTML escaper leaves no markup character.
 */
#include "fuzz.h"
#include "mail/mail.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char *const known[] = {"From",
                                    "To",
                                    "Subject",
                                    "Date",
                                    "Message-ID",
                                    "MIME-Version",
                                    "Auto-Submitted",
                                    "List-Unsubscribe",
                                    "List-Unsubscribe-Post",
                                    "Content-Type",
                                    NULL};

static void
check(const char *msg)
{
    const char *end = strstr(msg, "\r\n\r\n");
    if (end == NULL)
        abort();
    int seen[16] = {0};
    for (const char *line = msg; line <= end;) {
        const char *eol = strstr(line, "\r\n");
        if (eol == NULL || eol - line > 998)
            abort();
        if (line[0] != ' ') {
            const char *colon = memchr(line, ':', (size_t)(eol - line));
            if (colon == NULL)
                abort();
            int k = 0;
            while (known[k] != NULL && (strlen(known[k]) != (size_t)(colon - line) ||
                                        strncmp(known[k], line, (size_t)(colon - line)) != 0))
                k++;
            if (known[k] == NULL || seen[k]++)
                abort();
        }
        line = eol + 2;
    }
    for (const char *p = msg; *p; p++) {
        if (*p == '\n' && (p == msg || p[-1] != '\r'))
            abort();
        if (*p == '\r' && p[1] != '\n')
            abort();
    }
    for (const char *line = msg; *line;) {
        const char *eol = strstr(line, "\r\n");
        if (eol == NULL || eol - line > 998)
            abort();
        line = eol + 2;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (sodium_init() < 0)
            abort();
        ready = 1;
    }
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *part[6] = {"", "", "", "", "", ""};
    size_t k = 0;
    part[k++] = buf;
    for (size_t i = 0; i < size && k < 6; i++)
        if (buf[i] == '\0')
            part[k++] = buf + i + 1;

    config cfg;
    config_init(&cfg);
    pl_error err;
    config_set(&cfg, "mail_from", part[5][0] ? part[5] : "Desk <desk@paper.example>", &err);
    config_set(&cfg, "public_url", "https://c.paper.example", &err);
    arena *a = arena_new();
    mail_msg m = {.to = strlen(part[0]) <= 254 ? part[0] : "r@example.com",
                  .subject = part[1],
                  .text = part[2],
                  .html = part[3],
                  .unsubscribe = part[4][0] && strlen(part[4]) < 400 ? part[4] : NULL};
    check(mail_compose(a, &cfg, &m, (int64_t)size * 1000003));
    const char *esc = mail_html_escape(a, part[2]);
    if (strpbrk(esc, "<>\"'") != NULL)
        abort();
    arena_free(a);
    config_fini(&cfg);
    free(buf);
    return 0;
}
