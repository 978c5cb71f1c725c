/* app/pages.c: see pages.h.
 *
 * /guidelines, /terms and /faq are web/page.html with {{title}} and
 * {{content}} filled in: the content is the publisher's Markdown file when
 * the config names one (read once at start, so no request waits for the
 * disk), else web/pages/NAME.md, rendered by md_render_page_html, which lets
 * no raw HTML through.
 */
#include "app/pages.h"
#include "app/i18n.h"
#include "app/site.h"
#include "render/markdown.h"
#include "server/static.h"
#include "util/assets.h"
#include "util/file.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *path;
    const char *title; /* its key in web/i18n/site/ */
    const char *asset;
} page_table[] = {
    {"/guidelines", "title_guidelines", "/pages/guidelines.md"},
    {"/terms", "title_terms", "/pages/terms.md"},
    {"/faq", "title_faq", "/pages/faq.md"},
};
#define N_PAGES (sizeof page_table / sizeof page_table[0])

/* A page file of at most max bytes. */
static char *
read_page(const char *path, size_t max, size_t *n, pl_error *err)
{
    bool more;
    char *buf = file_read(path, max, n, &more);
    if (buf == NULL) {
        pl_errorf(err, PL_EINVAL, "cannot open page file %s", path);
        return NULL;
    }
    if (more) {
        free(buf);
        pl_errorf(err, PL_EINVAL, "page file %s is larger than %zu bytes", path, max);
        return NULL;
    }
    return buf;
}

void
pages_free(page_set *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < N_PAGES; i++)
        free(p->md[i]);
    free(p);
}

int
pages_load(const config *cfg, page_set **out, pl_error *err)
{
    const char *files[N_PAGES] = {cfg->guidelines_file, cfg->terms_file, cfg->faq_file};
    static const char *const settings[N_PAGES] = {"guidelines_file", "terms_file", "faq_file"};
    /* Text edited in the desk (app/settings.h) comes before the files. */
    static const char *const edited[N_PAGES] = {"pages.guidelines", "pages.terms", "pages.faq"};
    page_set *p = xcalloc(1, sizeof *p);
    *out = NULL;
    for (size_t i = 0; i < N_PAGES; i++) {
        const char *text = config_extra(cfg, edited[i]);
        if (text != NULL && text[0] != '\0') {
            p->len[i] = strlen(text);
            p->md[i] = xstrdup(text);
            continue;
        }
        if (files[i] == NULL || files[i][0] == '\0')
            continue;
        pl_error e;
        p->md[i] = read_page(files[i], 1 << 20, &p->len[i], &e);
        if (p->md[i] == NULL) {
            pages_free(p);
            return pl_errorf(err, PL_EINVAL, "%s: %s", settings[i], e.msg);
        }
    }
    *out = p;
    return 0;
}

page_set *
pages_own(const config *site, const config *server)
{
    static const char *const edited[N_PAGES] = {"pages.guidelines", "pages.terms", "pages.faq"};
    page_set *p = NULL;
    for (size_t i = 0; i < N_PAGES; i++) {
        const char *text = config_extra(site, edited[i]), *theirs = config_extra(server, edited[i]);
        if (text == NULL || text[0] == '\0' || (theirs != NULL && strcmp(text, theirs) == 0))
            continue;
        if (p == NULL)
            p = xcalloc(1, sizeof *p);
        p->len[i] = strlen(text);
        p->md[i] = xstrdup(text);
    }
    return p;
}

static void not_found(req *r);

static void
send_page(req *r, size_t idx)
{
    const asset *tpl = asset_find(assets, "/page.html");
    const char *md;
    size_t md_len;
    site_ctx *sc = req_product(r);
    /* The page of the request's site: its own text, else the server's. */
    int64_t site = sc->page_site != NULL ? sc->page_site(r) : 1;
    if (site == 0) {
        not_found(r);
        return;
    }
    const site_layer *l = atomic_load_explicit(&sc->layer, memory_order_acquire);
    const site_own *own = site_own_of(sc, site);
    const page_set *ps = own != NULL && own->pages != NULL && own->pages->md[idx] != NULL
                             ? own->pages
                             : (l != NULL ? l->pages : NULL);
    if (ps != NULL && ps->md[idx] != NULL) {
        md = ps->md[idx];
        md_len = ps->len[idx];
    } else {
        const asset *src = asset_find(assets, page_table[idx].asset);
        md = src ? (const char *)src->data : "";
        md_len = src ? (size_t)src->size : 0;
    }
    /* The content is already safe; the title is escaped. The publisher's
     * text stays as written: only the page around it is localized. */
    const char *vars[] = {"title",
                          html_escape(r->a, i18n_text(i18n_choose(r), page_table[idx].title)),
                          "content", md_render_page_html(r->a, md, md_len)};
    if (tpl == NULL) {
        req_send_bytes(r, 200, "text/html; charset=utf-8", vars[3], strlen(vars[3]),
                       "public, max-age=300");
        return;
    }
    i18n_send_html(r, (const char *)tpl->data, (size_t)tpl->size, vars, 2, "public, max-age=300");
}

/* Copies the text between open and close in html (NUL-terminated, as
 * compiled-in assets are) without its markup; entities are kept as written. */
static char *
text_between(arena *ar, const char *html, const char *open, const char *close)
{
    const char *start = strstr(html, open);
    if (start == NULL)
        return NULL;
    const char *end = strstr(start, close);
    if (end == NULL)
        return NULL;
    char *out = arena_alloc(ar, (size_t)(end - start) + 1);
    size_t o = 0;
    bool in_tag = false;
    for (const char *p = start; p < end; p++) {
        if (*p == '<')
            in_tag = true;
        else if (*p == '>')
            in_tag = false;
        else if (!in_tag)
            out[o++] = *p;
    }
    out[o] = '\0';
    return out;
}

int
pages_seed_demo(const config *cfg, store *s, pl_error *err)
{
    if (!cfg->demo)
        return 0;
    const asset *page = asset_find(assets, "/index.html");
    if (page == NULL)
        return 0;
    arena *ar = arena_new();
    store_article art;
    int rc = store_article_get(s, "demo-welcome", ar, &art, err);
    if (rc == PL_ENOTFOUND || (rc == 0 && art.text[0] == '\0')) {
        const char *html = (const char *)page->data;
        store_article_changes ch = {0};
        ch.title = text_between(ar, html, "<h1>", "</h1>");
        ch.text = text_between(ar, html, "<article lang=\"en\" dir=\"ltr\">", "</article>");
        rc = ch.text != NULL ? store_article_update(s, "demo-welcome", &ch, err) : 0;
    }
    arena_free(ar);
    return rc;
}

/* 404: web/page.html around one sentence, in the request's language. */
static void
not_found(req *r)
{
    const asset *tpl = asset_find(assets, "/page.html");
    const char *lang = i18n_choose(r);
    const char *vars[] = {"title", html_escape(r->a, i18n_text(lang, "nf_title")), "content",
                          arena_printf(r->a, "<p>%s</p>\n<p><a href=\"/guidelines\">%s</a></p>",
                                       html_escape(r->a, i18n_text(lang, "nf_text")),
                                       html_escape(r->a, i18n_text(lang, "title_guidelines")))};
    if (tpl == NULL) {
        req_send_bytes(r, 404, "text/html; charset=utf-8", vars[3], strlen(vars[3]), "no-store");
        return;
    }
    i18n_send_page(r, 404, (const char *)tpl->data, (size_t)tpl->size, vars, 2, "no-store");
}

/* Sends the template at path filled in for the request's language; false
 * when it is not compiled in. */
static bool
send_template(req *r, const char *path)
{
    const asset *tpl = asset_find(assets, path);
    if (tpl == NULL)
        return false;
    i18n_send_html(r, (const char *)tpl->data, (size_t)tpl->size, NULL, 0, "no-cache");
    return true;
}

void
pages_dispatch(req *r)
{
    if (r->method != HTTP_GET && r->method != HTTP_HEAD) {
        req_add_header(r, "Allow", "GET, HEAD");
        req_send_error(r, 405, "method_not_allowed", "This address only answers GET.", NULL, NULL);
        return;
    }
    const char *path = r->path;
    r->route = ROUTE_PAGE;
    if (strcmp(path, "/healthz") == 0) {
        r->route = ROUTE_HEALTHZ;
        pl_error err;
        if (store_ping(req_store(r), &err) == 0) {
            req_send_json(r, 200, json_pack("{s:s}", "status", "ok"));
        } else {
            log_error("msg=\"health check failed\" error=\"%s\"", err.msg);
            req_send_error(r, 503, "unavailable", "The database cannot be reached.", NULL, NULL);
        }
        return;
    }
    for (size_t i = 0; i < N_PAGES; i++) {
        if (strcmp(path, page_table[i].path) == 0) {
            send_page(r, i);
            return;
        }
    }
    if (strcmp(path, "/") == 0) {
        if (!req_config(r)->demo) {
            not_found(r);
            return;
        }
        /* The demo article: its page around it in the request's language,
         * the article itself in English (web/index.html). */
        path = "/index.html";
        if (send_template(r, path))
            return;
    } else if (strcmp(path, "/admin") == 0 || strcmp(path, "/admin/") == 0) {
        path = "/admin/index.html";
        if (send_template(r, path))
            return;
    } else if (strcmp(path, "/reset") == 0 || strcmp(path, "/verify") == 0 ||
               strcmp(path, "/unsubscribe") == 0) {
        /* The pages the account mails link to; they read the token from
         * the address and send it nowhere but the API (their meta referrer
         * policy keeps it out of any Referer). */
        path = path[1] == 'r'   ? "/account/reset.html"
               : path[1] == 'v' ? "/account/verify.html"
                                : "/account/unsubscribe.html";
        if (send_template(r, path))
            return;
    }
    const asset *as = asset_find(assets, path);
    /* Templates are served filled in, never as they are. */
    if (as == NULL || strncmp(path, "/pages/", 7) == 0 || strcmp(path, "/page.html") == 0 ||
        strcmp(path, "/index.html") == 0 ||
        ((strncmp(path, "/account/", 9) == 0 || strncmp(path, "/admin/", 7) == 0) &&
         strstr(as->content_type, "text/html"))) {
        not_found(r);
        return;
    }
    if (strstr(as->content_type, "text/html"))
        req_add_header(r, "Content-Security-Policy", PAGE_CSP);
    /* The widget's message catalogues are public and hold no reader's data:
     * any page embedding the widget may read them (fetch, without cookies). */
    if (strncmp(path, "/i18n/", 6) == 0)
        req_add_header(r, "Access-Control-Allow-Origin", "*");
    r->route = ROUTE_STATIC;
    static_serve(r, ((site_ctx *)req_product(r))->statics, as);
}
