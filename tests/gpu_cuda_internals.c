/* Internals of the CUDA backend that its op table cannot reach, on the GPU machine (exit 77
 * without a GPU or without the CUDA backend):
 *   - a workspace or scratch growth that fails (a size no card has) keeps the old buffer and
 *     its size, and a convolution prepared before still runs with it;
 *   - a deliberately ignored CUDA failure (freeing a pointer CUDA never gave out) does not stay
 *     behind as the last error, so the next op's launch check does not report it;
 *   - the label fault record is empty after a clean wait.
 * A standalone program (no Check), like every tests/gpu_*.c. */
#include <stdio.h>

#include "common/expect.h"
#include "common/gpu_skip.h"

#ifdef SCAAT_HAVE_CUDA
#include "cuda/cuda_context.h"

/* A 3x3 convolution of (2, 8, 16, 16) with 8 filters, prepared and run on be. */
static sc_status run_conv(sc_backend *be, void *x, void *w, void *y) {
    const sc_conv_params p = {1, 1};
    sc_tensor xt = sc_tensor_4d(x, SC_F32, 2, 8, 16, 16);
    sc_tensor wt = sc_tensor_4d(w, SC_F32, 8, 8, 3, 3);
    sc_tensor yt = sc_tensor_4d(y, SC_F32, 2, 8, 16, 16);
    sc_status st = be->ops->conv2d_prepare(be, &p, &xt, &wt, &yt);
    if (st == SC_OK)
        st = be->ops->conv2d_fwd(be, &p, &xt, &wt, &yt);
    return st == SC_OK ? be->ops->sync(be) : st;
}

static void failed_growth_keeps_buffers(sc_expect *expect, sc_backend *be) {
    printf("a failed workspace / scratch growth\n");
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    void *x = NULL, *w = NULL, *y = NULL;
    sc_status st = be->ops->alloc(be, 2 * 8 * 16 * 16 * sizeof(float), &x);
    if (st == SC_OK)
        st = be->ops->alloc(be, 8 * 8 * 3 * 3 * sizeof(float), &w);
    if (st == SC_OK)
        st = be->ops->alloc(be, 2 * 8 * 16 * 16 * sizeof(float), &y);
    if (st == SC_OK)
        st = sc_cuda_reserve_workspace(be, (size_t)1 << 20);
    if (st == SC_OK)
        st = sc_cuda_reserve_scratch(be, (size_t)1 << 20);
    if (st == SC_OK)
        st = run_conv(be, x, w, y);
    SC_EXPECT(expect, st == SC_OK, "setup: %s", be->err.msg);
    if (st == SC_OK) {
        void *workspace = ctx->workspace, *scratch = ctx->scratch;
        size_t workspace_bytes = ctx->workspace_bytes, scratch_bytes = ctx->scratch_bytes;
        const size_t impossible = (size_t)1 << 50; /* 1 PiB */
        st = sc_cuda_reserve_workspace(be, impossible);
        printf("  %s\n", be->err.msg);
        SC_EXPECT(expect, st == SC_ERR_OOM, "workspace growth to 1 PiB: status %d", (int)st);
        SC_EXPECT(expect, ctx->workspace == workspace && ctx->workspace_bytes == workspace_bytes,
                  "the workspace changed after a failed growth");
        st = sc_cuda_reserve_scratch(be, impossible);
        SC_EXPECT(expect, st == SC_ERR_OOM, "scratch growth to 1 PiB: status %d", (int)st);
        SC_EXPECT(expect, ctx->scratch == scratch && ctx->scratch_bytes == scratch_bytes,
                  "the scratch changed after a failed growth");
        st = run_conv(be, x, w, y);
        SC_EXPECT(expect, st == SC_OK, "the prepared convolution after the failures: %s",
                  be->err.msg);
    }
    be->ops->free(be, x);
    be->ops->free(be, w);
    be->ops->free(be, y);
}

static void ignored_error_cleared(sc_expect *expect, sc_backend *be) {
    printf("an ignored CUDA failure\n");
    int not_device_memory = 0;
    be->ops->free(be, &not_device_memory); /* cudaFree fails; the result is ignored */
    SC_EXPECT(expect, cudaPeekAtLastError() == cudaSuccess,
              "the failure stayed as CUDA's last error");
    void *cell = NULL;
    sc_status st = be->ops->alloc(be, 64 * sizeof(float), &cell);
    if (st == SC_OK) {
        sc_tensor t = sc_tensor_1d(cell, SC_F32, 64);
        st = be->ops->relu_fwd(be, &t, &t);
    }
    if (st == SC_OK)
        st = be->ops->sync(be);
    SC_EXPECT(expect, st == SC_OK, "the next kernel was blamed: %s", be->err.msg);
    be->ops->free(be, cell);
}

static void label_record_clean(sc_expect *expect, sc_backend *be) {
    printf("the label fault record after a clean wait\n");
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    (void)sc_cuda_label_check_next(be); /* as if a checking kernel had run without a fault */
    sc_status st = sc_cuda_stream_wait(be);
    SC_EXPECT(expect,
              st == SC_OK && ctx->label_fault_host->launch == 0 && !ctx->label_check_pending,
              "record: status %d, launch %u, pending %d", (int)st, ctx->label_fault_host->launch,
              ctx->label_check_pending);
}

int main(void) {
    sc_backend_config config = sc_backend_config_default();
    sc_backend *cpu = NULL, *gpu = NULL;
    int rc = sc_test_gpu_backends(&config, &cpu, &gpu);
    if (rc != 0)
        return rc;
    sc_expect expect = {0};
    failed_growth_keeps_buffers(&expect, gpu);
    ignored_error_cleared(&expect, gpu);
    label_record_clean(&expect, gpu);
    sc_backend_destroy(gpu);
    sc_backend_destroy(cpu);
    return sc_expect_finish(&expect);
}
#else
int main(void) {
    printf("no CUDA GPU: skipped (this build has no CUDA backend)\n");
    return SC_TEST_SKIP;
}
#endif
