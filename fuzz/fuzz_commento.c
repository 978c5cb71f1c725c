/* fuzz/fuzz_commento.c: the Commento reader (import/sources.h) on arbitrary bytes
 * given as the file, through the harness of fuzz/stream_fuzz.h.
 */
#include "stream_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return stream_fuzz(commento_read, data, size);
}
