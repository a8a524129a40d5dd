/* Inputs shared by the backend-op tests: a CPU backend with a thread count, the single-channel
 * map view of a buffer, and the perturbation parameters of the contract and thread-count tests.
 * Check-free; tests/common/check_ops.h wraps them in assertions for the Check tests. */
#ifndef SC_TEST_OP_TEST_H
#define SC_TEST_OP_TEST_H

#include "host/backend/backend.h"

/* The CPU backend with this many threads (0: all cores). */
sc_status sc_test_cpu_backend(int threads, sc_backend **be, sc_error *err);

/* A (n, 1, h, w) F32 saliency map over data. */
sc_tensor sc_test_map4(void *data, int64_t n, int64_t h, int64_t w);

/* Three channels with std 0.5 and the valid range [-2, 2]; eps 0.03, step size 0.5, the
 * SC_RNG_DELTA key (3, 1). */
sc_perturb_params sc_test_perturb_params(void);

#endif
