/* fuzz/fuzz.h: the one entry point every fuzz target defines.
 *
 * Each fuzz/fuzz_<mod>.c defines LLVMFuzzerTestOneInput for one parser of
 * outside input. Linked with -fsanitize=fuzzer it is driven by libFuzzer
 * (`make fuzz`); linked with fuzz/replay.c it replays a corpus directory
 * without libFuzzer (`make fuzz-replay`, part of `make check`). A target
 * aborts when it sees a broken invariant, so both drivers report it.
 */
#ifndef PARLEY_FUZZ_FUZZ_H
#define PARLEY_FUZZ_FUZZ_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
