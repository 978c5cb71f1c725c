/* mail/mail.c: composing and queueing mail; see mail.h. */
#include "mail/mail.h"
#include "util/log.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

bool
mail_enabled(const config *cfg)
{
    return cfg->smtp_url[0] != '\0' && cfg->mail_from[0] != '\0';
}

/* The bare address of a From value: inside <...> when present. Returns
 * false when there is none or it holds a character that has no place in an
 * envelope address. */
static bool
from_address(const char *from, char *out, size_t n)
{
    const char *lt = strchr(from, '<');
    const char *start = lt ? lt + 1 : from;
    const char *end = lt ? strchr(start, '>') : start + strlen(start);
    if (end == NULL || end <= start || (size_t)(end - start) >= n)
        return false;
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    const char *at = strchr(out, '@');
    if (at == NULL || at == out || at[1] == '\0' || strchr(at + 1, '@'))
        return false;
    for (const char *p = out; *p; p++)
        if ((unsigned char)*p <= ' ' || strchr("<>,;\"()[]\\", *p) || (unsigned char)*p >= 0x7f)
            return false;
    return true;
}

int
mail_check_config(const config *cfg, pl_error *err)
{
    const char *u = cfg->smtp_url;
    if (u[0] == '\0')
        return 0;
    if (strncmp(u, "smtp://", 7) != 0 && strncmp(u, "smtps://", 8) != 0)
        return pl_errorf(err, PL_EINVAL,
                         "smtp_url must start with smtp:// or smtps:// (the URL is not shown)");
    char addr[256];
    if (strncmp(cfg->public_url, "http://", 7) != 0 && strncmp(cfg->public_url, "https://", 8) != 0)
        return pl_errorf(err, PL_EINVAL,
                         "smtp_url is set, so public_url must be set too (http:// or https://): "
                         "the links in mails point there");
    if (cfg->mail_from[0] == '\0')
        return pl_errorf(err, PL_EINVAL, "smtp_url is set, so mail_from must be set too");
    if (!from_address(cfg->mail_from, addr, sizeof addr) || strpbrk(cfg->mail_from, "\r\n"))
        return pl_errorf(err, PL_EINVAL, "mail_from must be an address or Name <address>, not '%s'",
                         cfg->mail_from);
    return 0;
}

const char *
mail_site_name(arena *a, const config *cfg)
{
    const char *u = cfg->public_url;
    const char *p = strstr(u, "://");
    if (p == NULL || p[3] == '\0')
        return "Parley";
    p += 3;
    size_t n = strcspn(p, "/:?#");
    return n ? arena_strndup(a, p, n) : "Parley";
}

/* Base64 of data in lines of 76 characters, each ending in CRLF. */
static char *
base64_lines(arena *a, const char *data)
{
    size_t n = strlen(data);
    size_t enc = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *flat = arena_alloc(a, enc);
    sodium_bin2base64(flat, enc, (const unsigned char *)data, n, sodium_base64_VARIANT_ORIGINAL);
    size_t len = strlen(flat);
    char *out = arena_alloc(a, len + (len / 76 + 1) * 2 + 1), *o = out;
    for (size_t i = 0; i < len; i += 76) {
        size_t k = len - i < 76 ? len - i : 76;
        memcpy(o, flat + i, k);
        o += k;
        *o++ = '\r';
        *o++ = '\n';
    }
    *o = '\0';
    return out;
}

static bool
is_ascii_printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

/* A header value: as is when printable ASCII that fits a line, else one
 * RFC 2047 encoded word per chunk of whole UTF-8 characters, one per folded
 * line (so no line nears RFC 5322's limit of 998 bytes). */
static char *
header_text(arena *a, const char *s)
{
    if (is_ascii_printable(s) && strlen(s) <= 900)
        return arena_strdup(a, s);
    size_t n = strlen(s);
    char *out = arena_alloc(a, n * 2 + 64 + (n / 30 + 1) * 16), *o = out;
    size_t i = 0;
    while (i < n) {
        size_t k = n - i < 45 ? n - i : 45, whole = k;
        while (whole > 0 && i + whole < n && ((unsigned char)s[i + whole] & 0xC0) == 0x80)
            whole--; /* do not split a character */
        if (whole > 0)
            k = whole; /* else the bytes are not UTF-8: cut anywhere, but go on */
        char chunk[64];
        sodium_bin2base64(chunk, sizeof chunk, (const unsigned char *)s + i, k,
                          sodium_base64_VARIANT_ORIGINAL);
        o += sprintf(o, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", chunk);
        i += k;
    }
    *o = '\0';
    return out;
}

/* Drops CR and LF, so no value can start a header of its own. */
static char *
one_line(arena *a, const char *s)
{
    char *out = arena_strdup(a, s), *o = out;
    for (const char *p = s; *p; p++)
        if (*p != '\r' && *p != '\n')
            *o++ = *p;
    *o = '\0';
    return out;
}

/* From: the display name encoded when needed, the address as it is. */
static char *
from_header(arena *a, const config *cfg, const char *addr)
{
    const char *from = one_line(a, cfg->mail_from);
    const char *lt = strchr(from, '<');
    if (lt == NULL)
        return arena_strdup(a, addr);
    size_t n = (size_t)(lt - from);
    while (n > 0 && from[n - 1] == ' ')
        n--;
    if (n == 0)
        return arena_printf(a, "<%s>", addr);
    const char *name = header_text(a, arena_strndup(a, from, n));
    /* A long name (up to 900 bytes as is) and an address (up to 254) would
     * not fit one line: the address goes on a folded line of its own. */
    const char *nl = strrchr(name, '\n');
    size_t last = strlen(nl != NULL ? nl + 1 : name);
    return arena_printf(a, "%s%s<%s>", name, last + strlen(addr) + 16 > 998 ? "\r\n " : " ", addr);
}

char *
mail_compose(arena *a, const config *cfg, const mail_msg *m, int64_t now)
{
    char addr[256];
    /* mail_check_config refuses a From without an address at start; the
     * fallback only keeps this function total. */
    if (!from_address(cfg->mail_from, addr, sizeof addr))
        snprintf(addr, sizeof addr, "invalid@invalid");
    const char *domain = strchr(addr, '@') + 1;

    time_t t = (time_t)(now / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char date[64];
    snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
             tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);

    unsigned char rnd[16];
    char id[33], boundary[33];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(id, sizeof id, rnd, sizeof rnd);
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(boundary, sizeof boundary, rnd, sizeof rnd);

    char *unsub = "";
    if (m->unsubscribe != NULL)
        unsub = arena_printf(a,
                             "List-Unsubscribe: <%s>\r\n"
                             "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                             one_line(a, m->unsubscribe));
    return arena_printf(a,
                        "From: %s\r\n"
                        "To: %s\r\n"
                        "Subject: %s\r\n"
                        "Date: %s\r\n"
                        "Message-ID: <%s@%s>\r\n"
                        "MIME-Version: 1.0\r\n"
                        "Auto-Submitted: auto-generated\r\n"
                        "%s"
                        "Content-Type: multipart/alternative; boundary=\"%s\"\r\n"
                        "\r\n"
                        "--%s\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n"
                        "Content-Transfer-Encoding: base64\r\n"
                        "\r\n"
                        "%s"
                        "--%s\r\n"
                        "Content-Type: text/html; charset=utf-8\r\n"
                        "Content-Transfer-Encoding: base64\r\n"
                        "\r\n"
                        "%s"
                        "--%s--\r\n",
                        from_header(a, cfg, addr), one_line(a, m->to),
                        header_text(a, one_line(a, m->subject)), date, id, domain, unsub, boundary,
                        boundary, base64_lines(a, m->text), boundary, base64_lines(a, m->html),
                        boundary);
}

void
mail_queue(store *s, const config *cfg, const mail_msg *m, int64_t now, bool *queued)
{
    if (queued != NULL)
        *queued = false;
    if (!mail_enabled(cfg))
        return;
    arena *a = arena_new();
    pl_error err;
    int rc = store_mail_enqueue(s, m->to, mail_compose(a, cfg, m, now), now,
                                cfg->mail_per_recipient_hour, &err);
    arena_free(a);
    if (rc == PL_ERATE)
        log_warn("msg=\"mail dropped: the recipient's hourly limit is reached\"");
    else if (rc < 0)
        log_warn("msg=\"cannot queue a mail\" error=\"%s\"", err.msg);
    else if (queued != NULL)
        *queued = true;
}
