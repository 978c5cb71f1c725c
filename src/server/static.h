/* server/static.h: the compiled-in web files (util/assets.h) as HTTP
 * representations.
 *
 * At start every text asset is compressed once with gzip (zlib, level 9),
 * before the server listens, and with brotli (libbrotlienc, quality 11) by a
 * thread that finishes a fraction of a second later and logs
 * "static files compressed"; until then brotli clients get gzip. A copy is
 * kept only when it is smaller. Each representation
 * has a strong ETag made of a hash of the asset's bytes and the coding
 * ("\"1f2e...\"", "\"1f2e...-gz\"", "\"1f2e...-br\""), so a CDN or browser
 * never mixes them up. A request picks its representation by Accept-Encoding
 * (answers carry Vary: Accept-Encoding), and If-None-Match with the ETag gets
 * a 304 without a body.
 *
 * Every asset together has one version, a hash of all their bytes
 * (static_version): a URL carrying ?v=VERSION is cached for a year
 * (immutable), since a new Parley with other files has another version; the
 * plain URL keeps working with a five-minute lifetime, and HTML documents are
 * always revalidated. The table is built before the loops start and is
 * read-only afterwards.
 */
#ifndef PARLEY_SERVER_STATIC_H
#define PARLEY_SERVER_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#include "server/server.h"
#include "util/assets.h"

typedef struct static_table static_table;

/* Codings a client accepts (bit mask). Identity is always acceptable. */
enum { CODING_GZIP = 1, CODING_BR = 2 };

/* in[0..n) in gzip (level 9), malloc'd, its length in *out_len; NULL on
 * failure. For documents made per request (the localized pages). */
unsigned char *static_gzip(const unsigned char *in, size_t n, size_t *out_len);

/* Parses an Accept-Encoding header value (RFC 9110, 12.5.3): the codings
 * gzip (or x-gzip) and br it accepts, honouring "q=0" and "*". NULL or an
 * empty header accepts none. Never reads past the NUL. */
int static_accept_encoding(const char *header);

/* True when an If-None-Match header value (a list of entity tags or "*")
 * matches etag (quoted, strong) by the weak comparison RFC 9110 asks for. */
bool static_etag_match(const char *header, const char *etag);

/* Writes the version of the assets in table: 16 hex digits and a NUL. */
void static_assets_version(const asset *table, char out[17]);

/* Gzips the assets of table (NULL-terminated) and hashes them. */
static_table *static_table_new(const asset *table);
/* Starts the brotli thread (once the server listens); static_table_free
 * stops and joins it. */
void static_table_compress_more(static_table *t);
void static_table_free(static_table *t);

/* The assets' version: 16 lowercase hex digits. */
const char *static_version(const static_table *t);

/* Answers a GET or HEAD of asset as (found in the table t was built from):
 * 200 with the representation the request accepts, or 304. */
void static_serve(req *r, const static_table *t, const asset *as);

#endif
