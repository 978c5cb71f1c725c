/* render/markdown.h: comment Markdown to safe HTML.
 *
 * Renders with cmark and keeps only an allow-list of elements: paragraphs,
 * emphasis, strong, inline code and code blocks, block quotes, lists, links
 * and line breaks. Raw HTML is escaped as text, never passed through; images
 * become their alt text; headings become paragraphs. Links keep only http,
 * https and mailto URLs and carry rel="nofollow ugc noopener"; any other link
 * (javascript:, data:, relative) keeps its text without the link. Invalid
 * UTF-8 becomes U+FFFD. The output is under 40 times the input plus 8 KiB,
 * whatever the input (repeated reference links included).
 * Thread-safe; no global state.
 */
#ifndef PARLEY_RENDER_MARKDOWN_H
#define PARLEY_RENDER_MARKDOWN_H
#include <stddef.h>

#include "util/arena.h"

/* Renders n bytes of UTF-8 Markdown; the result lives in a. Never NULL. */
char *md_render_html(arena *a, const char *md, size_t n);

/* As md_render_html, for the publisher's own pages (/guidelines, /terms,
 * /faq): also keeps headings (h1 becomes h2; levels 2-4 kept, deeper ones
 * become h4) and thematic breaks (<hr>). Raw HTML is still escaped. */
char *md_render_page_html(arena *a, const char *md, size_t n);

#endif
