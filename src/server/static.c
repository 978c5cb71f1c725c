/* server/static.c: see static.h. */
#include "server/static.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <brotli/encode.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#define ZLIB_CONST /* next_in is const: the input is never written */
#include <zlib.h>

typedef struct static_file {
    const asset *as;
    char etag[3][24]; /* identity, gzip, brotli: "\"HASH\"", "\"HASH-gz\"", "\"HASH-br\"" */
    unsigned char *gz, *br;
    size_t gz_len, br_len;
    atomic_bool br_ready; /* br and br_len are set (release/acquire) */
} static_file;

struct static_table {
    static_file *files;
    size_t n;
    char version[17];
    pthread_t brotli;
    bool brotli_started;
    atomic_bool stop;
};

/* ---- header parsing -------------------------------------------------------- */

static bool
is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Skips the commas and white space before the next element of a
 * comma-separated header (RFC 9110's #rule); false at the end. */
static bool
list_next(const char **p)
{
    while (**p == ',' || is_ows(**p))
        (*p)++;
    return **p != '\0';
}

/* True when a q parameter's value is zero ("0", "0.", "0.000"). Anything
 * else, well-formed or not, counts as acceptable: a client that sends a
 * coding's name means to accept it. */
static bool
q_is_zero(const char *v, size_t n)
{
    if (n == 0 || v[0] != '0')
        return false;
    for (size_t i = 1; i < n; i++)
        if (v[i] != '.' && v[i] != '0')
            return false;
    return true;
}

int
static_accept_encoding(const char *header)
{
    if (header == NULL)
        return 0;
    int yes = 0, no = 0, star = -1; /* star: -1 absent, 0 refused, 1 accepted */
    const char *p = header;
    while (list_next(&p)) {
        const char *name = p;
        while (*p != '\0' && *p != ',' && *p != ';' && !is_ows(*p))
            p++;
        size_t name_len = (size_t)(p - name);
        bool zero = false;
        /* Parameters up to the next comma; only q matters. */
        while (*p != '\0' && *p != ',') {
            if (*p != ';') {
                p++;
                continue;
            }
            p++;
            while (is_ows(*p))
                p++;
            if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
                const char *v = p + 2;
                size_t vn = strcspn(v, ",; \t");
                zero = q_is_zero(v, vn);
                p = v + vn;
            }
        }
        int bit = 0;
        if ((name_len == 4 && strncasecmp(name, "gzip", 4) == 0) ||
            (name_len == 6 && strncasecmp(name, "x-gzip", 6) == 0))
            bit = CODING_GZIP;
        else if (name_len == 2 && strncasecmp(name, "br", 2) == 0)
            bit = CODING_BR;
        else if (name_len == 1 && name[0] == '*')
            star = zero ? 0 : 1;
        if (bit != 0) {
            if (zero)
                no |= bit;
            else
                yes |= bit;
        }
    }
    int accepted = yes & ~no;
    if (star == 1)
        accepted |= (CODING_GZIP | CODING_BR) & ~no & ~yes;
    return accepted;
}

bool
static_etag_match(const char *header, const char *etag)
{
    if (header == NULL)
        return false;
    size_t elen = strlen(etag);
    const char *p = header;
    while (list_next(&p)) {
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        const char *tag = p;
        if (*p == '"') {
            const char *close = strchr(p + 1, '"');
            p = close != NULL ? close + 1 : p + strlen(p);
        } else {
            while (*p != '\0' && *p != ',')
                p++;
        }
        size_t tlen = (size_t)(p - tag);
        if (tlen == elen && memcmp(tag, etag, elen) == 0)
            return true;
        while (*p != '\0' && *p != ',')
            p++;
    }
    return false;
}

/* ---- the table --------------------------------------------------------------- */

static bool
compressible(const char *content_type)
{
    return strncmp(content_type, "text/", 5) == 0 || strstr(content_type, "json") != NULL ||
           strstr(content_type, "svg") != NULL || strstr(content_type, "javascript") != NULL;
}

/* The compressors' working memory (a few hundred KB for zlib, several MB
 * for brotli at its best quality) is taken straight from the kernel and
 * given back the moment they finish: through malloc it would stay in the
 * process's heaps, and the idle server would keep it for good. */
static void *
map_alloc(size_t n)
{
    size_t total = n + 16;
    unsigned char *p =
        mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    memcpy(p, &total, sizeof total);
    return p + 16;
}

static void
map_free(void *ptr)
{
    if (ptr == NULL)
        return;
    unsigned char *p = (unsigned char *)ptr - 16;
    size_t total;
    memcpy(&total, p, sizeof total);
    munmap(p, total);
}

static voidpf
z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return map_alloc((size_t)items * size);
}

static void
z_free(voidpf opaque, voidpf ptr)
{
    (void)opaque;
    map_free(ptr);
}

static void *
br_alloc(void *opaque, size_t n)
{
    (void)opaque;
    return map_alloc(n);
}

static void
br_free(void *opaque, void *ptr)
{
    (void)opaque;
    map_free(ptr);
}

static unsigned char *
gzip_bytes(const unsigned char *in, size_t n, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    /* 15 + 16: a gzip wrapper, not zlib's. */
    if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&zs, (uLong)n);
    unsigned char *out = xmalloc(cap);
    zs.next_in = in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

unsigned char *
static_gzip(const unsigned char *in, size_t n, size_t *out_len)
{
    return gzip_bytes(in, n, out_len);
}

static unsigned char *
brotli_bytes(const unsigned char *in, size_t n, size_t *out_len)
{
    size_t cap = BrotliEncoderMaxCompressedSize(n);
    BrotliEncoderState *st = cap ? BrotliEncoderCreateInstance(br_alloc, br_free, NULL) : NULL;
    if (st == NULL)
        return NULL;
    BrotliEncoderSetParameter(st, BROTLI_PARAM_QUALITY, BROTLI_MAX_QUALITY);
    BrotliEncoderSetParameter(st, BROTLI_PARAM_LGWIN, BROTLI_DEFAULT_WINDOW);
    BrotliEncoderSetParameter(st, BROTLI_PARAM_MODE, BROTLI_MODE_TEXT);
    BrotliEncoderSetParameter(st, BROTLI_PARAM_SIZE_HINT, (uint32_t)n);
    unsigned char *out = xmalloc(cap);
    const uint8_t *next_in = in;
    size_t avail_in = n, avail_out = cap;
    uint8_t *next_out = out;
    bool ok = true;
    while (ok && !BrotliEncoderIsFinished(st))
        ok = BrotliEncoderCompressStream(st, BROTLI_OPERATION_FINISH, &avail_in, &next_in,
                                         &avail_out, &next_out, NULL) &&
             avail_out > 0;
    BrotliEncoderDestroyInstance(st);
    if (!ok) {
        free(out);
        return NULL;
    }
    *out_len = cap - avail_out;
    return out;
}

/* Keeps a compressed copy only when it saves something worth a header. */
static void
keep_if_smaller(unsigned char **p, size_t *len, size_t original)
{
    if (*p != NULL && *len + 64 < original)
        return;
    free(*p);
    *p = NULL;
    *len = 0;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Brotli at its best quality takes 0.1-0.2 s for all the files, too long to
 * make every start wait (tests start hundreds of servers). A thread does it
 * after start; until a file's brotli copy is ready it goes out gzipped. */
static void *
brotli_main(void *arg)
{
    static_table *t = arg;
    size_t total = 0;
    /* Background work: let requests have the cores first (on Linux the
     * nice value is per thread). */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
    for (size_t i = 0; i < t->n && !atomic_load(&t->stop); i++) {
        static_file *f = &t->files[i];
        if (!compressible(f->as->content_type) || f->as->size == 0)
            continue;
        size_t len = 0;
        unsigned char *br = brotli_bytes(f->as->data, (size_t)f->as->size, &len);
        keep_if_smaller(&br, &len, (size_t)f->as->size);
        f->br = br;
        f->br_len = len;
        total += len;
        atomic_store_explicit(&f->br_ready, true, memory_order_release);
    }
    if (!atomic_load(&t->stop))
        log_info("msg=\"static files compressed\" brotli_bytes=%zu", total);
    return NULL;
}

/* The version hashes each file's path and the hash of its bytes. */
static void
file_hash(const asset *a, unsigned char h[8])
{
    crypto_generichash(h, 8, a->data, (unsigned long long)a->size, NULL, 0);
}

void
static_assets_version(const asset *table, char out[17])
{
    crypto_generichash_state all;
    crypto_generichash_init(&all, NULL, 0, 8);
    for (const asset *a = table; a->path != NULL; a++) {
        unsigned char h[8];
        file_hash(a, h);
        crypto_generichash_update(&all, (const unsigned char *)a->path, strlen(a->path) + 1);
        crypto_generichash_update(&all, h, sizeof h);
    }
    unsigned char v[8];
    crypto_generichash_final(&all, v, sizeof v);
    hex(v, sizeof v, out);
}

static_table *
static_table_new(const asset *table)
{
    static_table *t = xcalloc(1, sizeof *t);
    for (const asset *a = table; a->path != NULL; a++)
        t->n++;
    t->files = xcalloc(t->n ? t->n : 1, sizeof *t->files);
    for (size_t i = 0; i < t->n; i++) {
        static_file *f = &t->files[i];
        const asset *a = &table[i];
        f->as = a;
        unsigned char h[8];
        char hx[17];
        file_hash(a, h);
        hex(h, sizeof h, hx);
        snprintf(f->etag[0], sizeof f->etag[0], "\"%s\"", hx);
        snprintf(f->etag[1], sizeof f->etag[1], "\"%s-gz\"", hx);
        snprintf(f->etag[2], sizeof f->etag[2], "\"%s-br\"", hx);
        if (compressible(a->content_type) && a->size > 0) {
            f->gz = gzip_bytes(a->data, (size_t)a->size, &f->gz_len);
            keep_if_smaller(&f->gz, &f->gz_len, (size_t)a->size);
        }
    }
    static_assets_version(table, t->version);
    return t;
}

void
static_table_compress_more(static_table *t)
{
    if (!t->brotli_started)
        t->brotli_started = pthread_create(&t->brotli, NULL, brotli_main, t) == 0;
}

void
static_table_free(static_table *t)
{
    if (t == NULL)
        return;
    atomic_store(&t->stop, true);
    if (t->brotli_started)
        pthread_join(t->brotli, NULL);
    for (size_t i = 0; i < t->n; i++) {
        free(t->files[i].gz);
        free(t->files[i].br);
    }
    free(t->files);
    free(t);
}

const char *
static_version(const static_table *t)
{
    return t->version;
}

static const static_file *
file_of(const static_table *t, const asset *as)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->files[i].as == as)
            return &t->files[i];
    return NULL;
}

/* ---- serving ------------------------------------------------------------------ */

void
static_serve(req *r, const static_table *t, const asset *as)
{
    const static_file *f = file_of(t, as);
    const unsigned char *data = as->data;
    size_t n = (size_t)as->size;
    int rep = 0;
    if (f != NULL) {
        int accept = static_accept_encoding(req_header(r, "Accept-Encoding"));
        if ((accept & CODING_BR) && atomic_load_explicit(&f->br_ready, memory_order_acquire) &&
            f->br != NULL) {
            rep = 2;
            data = f->br;
            n = f->br_len;
        } else if ((accept & CODING_GZIP) && f->gz != NULL) {
            rep = 1;
            data = f->gz;
            n = f->gz_len;
        }
    }
    bool html = strncmp(as->content_type, "text/html", 9) == 0;
    const char *v = req_query(r, "v", NULL);
    const char *cache_control = html ? "no-cache"
                                : v != NULL && strcmp(v, t->version) == 0
                                    ? "public, max-age=31536000, immutable"
                                    : "public, max-age=300";
    req_add_header(r, "Cache-Control", cache_control);
    if (f == NULL) {
        req_send_static(r, 200, as->content_type, data, n);
        return;
    }
    req_add_header(r, "ETag", f->etag[rep]);
    if (f->gz != NULL)
        req_add_header(r, "Vary", "Accept-Encoding");
    if (static_etag_match(req_header(r, "If-None-Match"), f->etag[rep])) {
        req_send_static(r, 304, NULL, NULL, 0);
        return;
    }
    if (rep != 0)
        req_add_header(r, "Content-Encoding", rep == 2 ? "br" : "gzip");
    req_send_static(r, 200, as->content_type, data, n);
}
