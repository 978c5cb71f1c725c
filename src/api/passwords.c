/* api/passwords.c: see passwords.h. The list is a few kilobytes of sorted
 * lines, scanned in place: no copy, no start-up work. */
#include "api/passwords.h"
#include "util/assets.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static bool
on_list(const char *pw)
{
    const asset *list = asset_find(data_files, "/passwords/common.txt");
    if (list == NULL)
        return false;
    size_t n = strlen(pw);
    const char *p = (const char *)list->data, *end = p + list->size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        if (len == n && strncasecmp(p, pw, n) == 0)
            return true;
        p += len + 1;
    }
    return false;
}

const char *
password_refusal(const char *pw, const char *email, const char *name)
{
    size_t n = strlen(pw);
    if (n < 8)
        return "The password must be at least 8 characters.";
    if (n > 1024)
        return "The password must be at most 1024 bytes.";
    if (on_list(pw))
        return "This password is one of the most common ones, the first an attacker tries; "
               "choose another.";
    if (email != NULL && email[0] != '\0') {
        const char *at = strchr(email, '@');
        size_t local = at != NULL ? (size_t)(at - email) : strlen(email);
        if (strcasecmp(pw, email) == 0 ||
            (strlen(pw) == local && strncasecmp(pw, email, local) == 0))
            return "The password must not be your e-mail address.";
    }
    if (name != NULL && name[0] != '\0' && strcasecmp(pw, name) == 0)
        return "The password must not be your name.";
    return NULL;
}

int
password_hash(char out[crypto_pwhash_STRBYTES], const char *pw)
{
    if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

void
password_wipe(char *s)
{
    if (s)
        sodium_memzero(s, strlen(s));
}
