/* The host side of the device label check (kernels.h, label_check.cuh): the fault record's
 * lifetime, the launch numbers handed to checking kernels, and the stream wait that reads the
 * record back. The CPU refuses a class label outside [0, K) before computing; on the GPU the
 * labels are device data, so the kernels record the first bad one and the next wait of the
 * stream (download, upload, sync, or every op with debug_sync) turns it into the same
 * SC_ERR_SHAPE and the same message as the CPU's. The record is read only when a checking
 * launch ran since the last wait, so other waits cost nothing extra. */
#include <string.h>

#include "cuda_check.h"
#include "cuda_context.h"

sc_status sc_cuda_label_record_create(sc_backend *be) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    void *device = NULL, *host = NULL;
    SC_TRY(sc_cuda_device_alloc(be, sizeof(sc_label_fault), &device, "the label fault record"));
    ctx->label_fault = device;
    SC_CUDA_CHECK(be, cudaMallocHost(&host, sizeof(sc_label_fault)));
    ctx->label_fault_host = host;
    SC_CUDA_CHECK(be, cudaMemsetAsync(ctx->label_fault, 0, sizeof(sc_label_fault), ctx->stream));
    return SC_OK;
}

void sc_cuda_label_record_destroy(sc_cuda_ctx *ctx) {
    if (ctx->label_fault)
        sc_cuda_ignore(cudaFree(ctx->label_fault));
    if (ctx->label_fault_host)
        sc_cuda_ignore(cudaFreeHost(ctx->label_fault_host));
    ctx->label_fault = NULL;
    ctx->label_fault_host = NULL;
}

sc_label_check sc_cuda_label_check_next(sc_backend *be) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    if (++ctx->label_launches == 0) /* 0 marks an empty record */
        ctx->label_launches = 1;
    ctx->label_check_pending = 1;
    return (sc_label_check){ctx->label_fault, ctx->label_launches};
}

/* The CPU's message for a bad label of op (cpu_loss.c, cpu_saliency.c, cpu_scores.c). */
static sc_status label_refusal(sc_backend *be, const sc_label_fault *found) {
    const unsigned long long key = ~found->inverted_key;
    const long long sample = (long long)(key >> 32);
    const int label = (int)(int32_t)(uint32_t)(key & 0xFFFFFFFFull);
    const char *what = found->op == SC_OP_SOFTMAX_XENT ? "label" : "target";
    return sc_fail(&be->err, SC_ERR_SHAPE, "%s: %s %d of sample %lld outside [0, %lld)",
                   sc_op_name((sc_op)found->op), what, label, sample, found->classes);
}

sc_status sc_cuda_stream_wait(sc_backend *be) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    const int fetch = ctx->label_check_pending;
    if (fetch)
        SC_CUDA_CHECK(be, cudaMemcpyAsync(ctx->label_fault_host, ctx->label_fault,
                                          sizeof(sc_label_fault), cudaMemcpyDeviceToHost,
                                          ctx->stream));
    SC_CUDA_CHECK(be, cudaStreamSynchronize(ctx->stream));
    if (!fetch)
        return SC_OK;
    ctx->label_check_pending = 0;
    sc_label_fault found;
    memcpy(&found, ctx->label_fault_host, sizeof found);
    if (found.launch == 0)
        return SC_OK;
    SC_CUDA_CHECK(be, cudaMemsetAsync(ctx->label_fault, 0, sizeof(sc_label_fault), ctx->stream));
    return label_refusal(be, &found);
}
