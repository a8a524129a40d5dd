/* Backends for the standalone GPU tests, or the reason to skip (see gpu_skip.h). */
#include "gpu_skip.h"

#include <stdio.h>

int sc_test_gpu_backends(const sc_backend_config *config, sc_backend **cpu, sc_backend **gpu) {
    *cpu = NULL;
    *gpu = NULL;
    char info[1024];
    if (!sc_backend_cuda_compiled()) {
        sc_backend_gpu_info(info, sizeof info);
        printf("no CUDA GPU: skipped (%s)\n", info);
        return SC_TEST_SKIP;
    }
    sc_error err = {0};
    sc_status status = sc_backend_create("cuda", config, gpu, &err);
    if (status == SC_ERR_UNSUPPORTED) {
        sc_backend_gpu_info(info, sizeof info);
        printf("no CUDA GPU: skipped (%s)\n", info);
        return SC_TEST_SKIP;
    }
    if (status != SC_OK) {
        fprintf(stderr, "error: creating the cuda backend: %s\n", err.msg);
        return 1;
    }
    status = sc_backend_create("cpu", config, cpu, &err);
    if (status != SC_OK) {
        fprintf(stderr, "error: creating the cpu backend: %s\n", err.msg);
        sc_backend_destroy(*gpu);
        *gpu = NULL;
        return 1;
    }
    return 0;
}
