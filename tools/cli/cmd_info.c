/* scaat info: the build, the CPU backend and the GPU, or why there is none. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "host/backend/backend.h"
#include "host/core/log.h"
#include "host/explain/heatmap.h"

int sc_cmd_info(int argc, char **argv) {
    sc_args a;
    sc_args_init(&a, argc, argv);
    sc_status st;
    sc_error err = {0};
    while (sc_args_next(&a, &st, &err)) {
        if (sc_args_is(&a, "--help") || sc_args_is(&a, "-h")) {
            puts("usage: scaat info\n\nPrints the build configuration, the CPU backend (threads, "
                 "OpenBLAS) and the GPU: name, SMs, memory, driver, CUDA runtime, cuDNN and cuBLAS "
                 "versions, or that no GPU is present.");
            return 0;
        }
        st = sc_args_unknown(&a, "info", &err);
        break;
    }
    if (st != SC_OK) {
        sc_log_error("%s", err.msg);
        return 2;
    }
    printf("scaat 0.1.0\n");
    printf("build: CUDA backend %s\n", sc_backend_cuda_compiled() ? "compiled" : "not compiled");
    printf("build: heatmap text and plots: %s\n", sc_explain_render_info());
    sc_backend *cpu = NULL;
    if (sc_backend_create("cpu", NULL, &cpu, &err) == SC_OK) {
        char line[512];
        cpu->ops->describe(cpu, line, sizeof line);
        printf("%s\n", line);
        sc_backend_destroy(cpu);
    }
    char gpu[1024];
    sc_backend_gpu_info(gpu, sizeof gpu);
    printf("gpu: %s\n", gpu);
    return 0;
}
