/* render/markdown.h: comment Markdown to safe HTML.
 *
 * Renders with cmark and keeps only an allow-list of elements: paragraphs,
 * emphasis, strong, inline code and code blocks, block quotes, lists, links
 * and line breaks. Raw HTML is escaped as text, never passed through; images
 * become their alt text; headings become paragraphs. Links keep only http,
 * https and mailto URLs and carry rel="nofollow ugc noopener".
 * Thread-safe; no global state.
 */
#ifndef PARLEY_RENDER_MARKDOWN_H
#define PARLEY_RENDER_MARKDOWN_H
#include <stddef.h>

#include "util/arena.h"

/* Renders n bytes of UTF-8 Markdown; the result lives in a. Never NULL. */
char *md_render_html(arena *a, const char *md, size_t n);

/* As md_render_html, but also allows headings (h2-h4) and thematic breaks:
 * for the publisher's guidelines, terms and FAQ pages. */
char *md_render_page_html(arena *a, const char *md, size_t n);

#endif
