/* Inputs shared by the backend-op tests (see op_test.h). */
#include "op_test.h"

#include <string.h>

#include "host/core/rng.h"

sc_status sc_test_cpu_backend(int threads, sc_backend **be, sc_error *err) {
    sc_backend_config config = sc_backend_config_default();
    config.threads = threads;
    sc_error_clear(err);
    return sc_backend_create("cpu", &config, be, err);
}

sc_tensor sc_test_map4(void *data, int64_t n, int64_t h, int64_t w) {
    return sc_tensor_4d(data, SC_F32, n, 1, h, w);
}

sc_perturb_params sc_test_perturb_params(void) {
    sc_perturb_params p;
    memset(&p, 0, sizeof p);
    p.eps = 0.03f;
    p.step_size = 0.5f;
    p.channels = 3;
    for (int c = 0; c < 3; c++) {
        p.std[c] = 0.5f;
        p.lo[c] = -2.0f;
        p.hi[c] = 2.0f;
    }
    p.key = sc_rng_key_make(3, 1, SC_RNG_DELTA);
    return p;
}
