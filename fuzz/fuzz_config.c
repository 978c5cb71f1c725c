/* fuzz/fuzz_config.c: config_load_file on arbitrary file contents.
 *
 * The input is written to a fresh temporary file, loaded over the defaults
 * and freed again; a failed load must leave a message. Every input that
 * loads must leave the INT settings inside their bounds, which the settings
 * table promises.
 */
#include "fuzz.h"
#include "util/config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/parley-fuzz-config-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            abort();
        off += (size_t)w;
    }
    close(fd);

    config c;
    config_init(&c);
    pl_error err;
    memset(&err, 0, sizeof err);
    int rc = config_load_file(&c, path, &err);
    if (rc < 0 && (err.code != rc || err.msg[0] == '\0'))
        abort();
    if (rc == 0 && (c.threads < 0 || c.threads > 64 || c.max_body < 1024 || c.session_days < 1 ||
                    c.commit_batch < 1))
        abort();
    config_fini(&c);
    unlink(path);
    return 0;
}
