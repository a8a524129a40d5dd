/* scaat info: the build, the CPU backend and the GPU, or why there is none. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "datasets/image.h"
#include "datasets/pcam.h"
#include "host/backend/backend.h"
#include "host/core/log.h"
#include "host/dist/dist.h"
#include "host/explain/heatmap.h"

int sc_cmd_info(int argc, char **argv) {
    sc_args a;
    sc_args_init(&a, argc, argv);
    sc_status st;
    sc_error err = {0};
    while (sc_args_next(&a, &st, &err)) {
        if (sc_args_is(&a, "--help") || sc_args_is(&a, "-h")) {
            puts("usage: scaat info\n\nPrints the build configuration, the CPU backend (threads, "
                 "convolution library and the ISA it picked, OpenBLAS and its core) and the GPU: "
                 "name, SMs, memory, driver, CUDA runtime, cuDNN and cuBLAS versions, or that no "
                 "GPU is present.");
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
    char dist[160];
    sc_dist_describe_build(dist, sizeof dist);
    printf("build: data-parallel runs: %s\n", dist);
    printf("build: image formats: %s\n", sc_image_formats_built());
    printf("build: PatchCamelyon (--dataset pcam): %s\n", sc_pcam_build_info());
#ifdef SCAAT_STATIC_LIBS
    printf("build: linked statically: %s (-DSCAAT_STATIC_DEPS=ON)\n", SCAAT_STATIC_LIBS);
#else
    printf("build: linked statically: none (libjpeg, libtiff, HDF5, libpng, zlib, OpenBLAS are shared)\n");
#endif
    sc_backend *cpu = NULL;
    if (sc_backend_create("cpu", NULL, &cpu, &err) == SC_OK) {
        char line[512];
        cpu->ops->describe(cpu, line, sizeof line);
        printf("%s\n", line);
        sc_backend_destroy(cpu);
    } else {
        printf("cpu: %s\n", err.msg);
    }
    char gpu[1024];
    sc_backend_gpu_info(gpu, sizeof gpu);
    printf("gpu: %s\n", gpu);
    return 0;
}
