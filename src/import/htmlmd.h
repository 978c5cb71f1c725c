/* import/htmlmd.h: comment HTML from another system to Parley's Markdown.
 *
 * Imported comments (a Disqus export's <message>) are HTML; Parley stores
 * what the author wrote as Markdown and renders it with render/markdown.h,
 * like any posted comment. This converter keeps the little formatting such
 * comments carry and nothing else:
 *   p, div, headings, lists, tables  paragraph or line breaks
 *   br                               a hard line break (two in a row: a new paragraph)
 *   a href=http(s)://...             [text](url); any other link keeps only its text
 *   strong/b, em/i                   **text**, *text*
 *   blockquote                       "> " lines
 *   code, pre, tt, kbd               `text` (one line)
 *   script, style, template          dropped with their content
 *   anything else                    its text
 * Entities are decoded by libxml2's HTML parser (no network, no error
 * output). Characters that mean something in Markdown are backslash-escaped
 * in text, so the imported text renders as written and never as markup;
 * the renderer escapes raw HTML in any case, so the result is safe whatever
 * the input.
 *
 * Invariants: the walk over the parsed tree is iterative (no recursion, so
 * input nesting cannot exhaust the stack; libxml2 itself stops reading at
 * 256 levels); the output is valid UTF-8 whatever the input (invalid bytes
 * and NULs become U+FFFD) and bounded by a small multiple of the input.
 * Thread-safe.
 */
#ifndef PARLEY_IMPORT_HTMLMD_H
#define PARLEY_IMPORT_HTMLMD_H
#include <stddef.h>

#include "util/arena.h"

/* Converts n bytes of HTML (UTF-8) to Markdown, NUL-terminated, allocated
 * from a. Never NULL; "" for input without text. */
char *htmlmd_convert(arena *a, const char *html, size_t n);

#endif
