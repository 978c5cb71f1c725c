/* fuzz/fuzz_remark42.c: the Remark42 reader (import/sources.h) on arbitrary bytes
 * given as the file, through the harness of fuzz/stream_fuzz.h.
 */
#include "stream_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return stream_fuzz(remark42_read, data, size);
}
