/* libFuzzer entry point of one harness: built by tools/fuzz.sh as fuzz_<name> with
 * -DSC_FUZZ_TARGET=sc_fuzz_target_<name> and -fsanitize=fuzzer,address,undefined. */
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    SC_FUZZ_TARGET.run(data, size);
    return 0;
}
