/* The CPU backend's one-line description (`scaat info`, the training start line): threads,
 * the convolution library and the instruction set it picked, OpenBLAS and its core, and a
 * warning with the fix when OpenBLAS does not recognise an AVX2 / AVX-512 CPU and runs its
 * generic kernels (e.g. Debian's 0.3.21 on Sapphire Rapids reports "Prescott", SSE3). */
#include <cblas.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cpu_internal.h"

/* Whether an OpenBLAS core name is one with AVX2 or AVX-512 kernels. */
static int openblas_core_is_vector(const char *core) {
    static const char *const vector_cores[] = {"Haswell", "Zen", "SkylakeX", "Cooperlake",
                                               "SapphireRapids"};
    for (size_t i = 0; i < sizeof vector_cores / sizeof vector_cores[0]; i++)
        if (strcasecmp(core, vector_cores[i]) == 0)
            return 1;
    return 0;
}

void sc_cpu_openblas_core_check(char *buf, size_t len) {
    buf[0] = '\0';
    const char *core = openblas_get_corename();
    __builtin_cpu_init();
    const int avx512 = __builtin_cpu_supports("avx512f");
    if (openblas_core_is_vector(core) || !(avx512 || __builtin_cpu_supports("avx2")))
        return;
    snprintf(buf, len,
             "OpenBLAS runs its generic '%s' kernels on this %s CPU: set "
             "OPENBLAS_CORETYPE=%s in the environment",
             core, avx512 ? "AVX-512" : "AVX2", avx512 ? "SkylakeX" : "Haswell");
}

void sc_cpu_describe(const sc_cpu_ctx *ctx, char *buf, size_t len) {
    char convolutions[128] = "im2col + OpenBLAS";
#ifdef SCAAT_HAVE_DNNL
    if (ctx->dnnl)
        sc_cpu_dnnl_describe(convolutions, sizeof convolutions);
#endif
    const char *config = openblas_get_config(); /* "OpenBLAS 0.3.21 DYNAMIC_ARCH ..." */
    char warning[192];
    sc_cpu_openblas_core_check(warning, sizeof warning);
    snprintf(buf, len, "cpu: %d threads, convolutions %s, GEMM %s%s (core %s)%s%s",
             ctx->threads, convolutions, strncmp(config, "OpenBLAS", 8) == 0 ? "" : "OpenBLAS ",
             config, openblas_get_corename(), warning[0] ? "; warning: " : "", warning);
}
