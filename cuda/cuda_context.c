/* The CUDA backend's context (device, streams, cuDNN/cuBLAS handles, workspace and scratch
 * buffers), the per-op scope (NVTX range, debug synchronisation), the timers and the device
 * queries that work without a GPU (see cuda_context.h and cuda_backend.h). */
#include "cuda_context.h"

#include <library_types.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cuda_backend.h"
#include "cuda_check.h"
#include "cuda_ops.h"
#include "nvtx.h"

#define SC_CUDA_DEFAULT_WORKSPACE_LIMIT ((size_t)1 << 30)
/* Channels the batch-norm scratch holds from the start (ResNet-50 tops out at 2048). */
#define SC_CUDA_BN_SCRATCH_CHANNELS 4096

int sc_cuda_device_count(void) {
    int count = 0;
    cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
        (void)cudaGetLastError();
        return 0;
    }
    return count;
}

/* printf into buf at *used, never past len. */
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...) {
    if (*used >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, len - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n < len - *used ? (size_t)n : len - *used;
}

/* "13.0" from 13000 (CUDA driver and runtime versions are major * 1000 + minor * 10). */
static void append_cuda_version(char *buf, size_t len, size_t *used, const char *what, int v) {
    append(buf, len, used, "%s: %d.%d\n", what, v / 1000, (v % 1000) / 10);
}

/* "9.14.0" from 91400 (cuDNN 9 and cuBLAS versions are major * 10000 + minor * 100 + patch). */
static void append_library_version(char *buf, size_t len, size_t *used, const char *what, long v) {
    append(buf, len, used, "%s: %ld.%ld.%ld\n", what, v / 10000, (v % 10000) / 100, v % 100);
}

static void append_device(char *buf, size_t len, size_t *used, int device) {
    struct cudaDeviceProp prop;
    if (cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
        (void)cudaGetLastError();
        append(buf, len, used, "device %d: properties unavailable\n", device);
        return;
    }
    append(buf, len, used, "device %d: %s\n", device, prop.name);
    append(buf, len, used, "SMs: %d\n", prop.multiProcessorCount);
    append(buf, len, used, "memory: %.1f GiB\n",
           (double)prop.totalGlobalMem / (1024.0 * 1024.0 * 1024.0));
    append(buf, len, used, "compute capability: %d.%d\n", prop.major, prop.minor);
}

static void append_runtime_versions(char *buf, size_t len, size_t *used) {
    int driver = 0, runtime = 0;
    if (cudaDriverGetVersion(&driver) == cudaSuccess)
        append_cuda_version(buf, len, used, "CUDA driver", driver);
    if (cudaRuntimeGetVersion(&runtime) == cudaSuccess)
        append_cuda_version(buf, len, used, "CUDA runtime", runtime);
    (void)cudaGetLastError();
    append_library_version(buf, len, used, "cuDNN", (long)cudnnGetVersion());
}

void sc_cuda_describe_system(char *buf, size_t len) {
    size_t used = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    int count = 0;
    cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess || count == 0) {
        (void)cudaGetLastError();
        int driver = 0;
        if (cudaDriverGetVersion(&driver) == cudaSuccess && driver == 0)
            append(buf, len, &used, "no CUDA GPU present (no NVIDIA driver is installed)");
        else
            append(buf, len, &used, "no CUDA GPU present (%s)",
                   status != cudaSuccess ? cudaGetErrorString(status)
                                         : "the driver reports 0 devices");
        return;
    }
    for (int d = 0; d < count; d++)
        append_device(buf, len, &used, d);
    append_runtime_versions(buf, len, &used);
    int major = 0, minor = 0, patch = 0;
    if (cublasGetProperty(MAJOR_VERSION, &major) == CUBLAS_STATUS_SUCCESS &&
        cublasGetProperty(MINOR_VERSION, &minor) == CUBLAS_STATUS_SUCCESS &&
        cublasGetProperty(PATCH_LEVEL, &patch) == CUBLAS_STATUS_SUCCESS)
        append(buf, len, &used, "cuBLAS: %d.%d.%d\n", major, minor, patch);
}

void sc_cuda_describe(sc_backend *be, char *buf, size_t len) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    size_t used = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    append_device(buf, len, &used, ctx->device);
    append_runtime_versions(buf, len, &used);
    int cublas_version = 0;
    if (cublasGetVersion(ctx->cublas, &cublas_version) == CUBLAS_STATUS_SUCCESS)
        append_library_version(buf, len, &used, "cuBLAS", (long)cublas_version);
    append(buf, len, &used, "TF32: %s\n", be->config.tf32 ? "on" : "off");
    append(buf, len, &used, "debug sync: %s\n", be->config.debug_sync ? "on" : "off");
    append(buf, len, &used, "deterministic: %s\n", be->config.deterministic ? "on" : "off");
    append(buf, len, &used, "convolution workspace: %.1f MiB (limit %.1f MiB)\n",
           (double)ctx->workspace_bytes / (1024.0 * 1024.0),
           (double)ctx->workspace_limit / (1024.0 * 1024.0));
    append(buf, len, &used, "kernel scratch: %.1f MiB\n",
           (double)ctx->scratch_bytes / (1024.0 * 1024.0));
}

sc_status sc_cuda_device_alloc(sc_backend *be, size_t bytes, void **ptr, const char *what) {
    cudaError_t status = cudaMalloc(ptr, bytes ? bytes : 1);
    if (status == cudaSuccess)
        return SC_OK;
    (void)cudaGetLastError();
    *ptr = NULL;
    const double gib = 1024.0 * 1024.0 * 1024.0;
    size_t free_bytes = 0, total_bytes = 0;
    if (status != cudaErrorMemoryAllocation ||
        cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) {
        (void)cudaGetLastError();
        return sc_fail(&be->err, status == cudaErrorMemoryAllocation ? SC_ERR_OOM : SC_ERR_BACKEND,
                       "cuda: allocating %.2f GiB (%zu bytes) of device memory for %s failed: %s",
                       (double)bytes / gib, bytes, what, cudaGetErrorString(status));
    }
    return sc_fail(&be->err, SC_ERR_OOM,
                   "cuda: allocating %.2f GiB (%zu bytes) of device memory for %s failed: out of "
                   "memory (device %d has %.2f GiB free of %.2f GiB)",
                   (double)bytes / gib, bytes, what, sc_cuda_ctx_of(be)->device,
                   (double)free_bytes / gib, (double)total_bytes / gib);
}

sc_status sc_cuda_ctx_create(sc_backend *be) {
    sc_cuda_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return sc_fail(&be->err, SC_ERR_OOM, "cuda: out of host memory for the backend context");
    be->ctx = ctx;
    int count = sc_cuda_device_count();
    if (be->config.device_index < 0 || be->config.device_index >= count)
        return sc_fail(&be->err, SC_ERR_USAGE,
                       "cuda: device index %d is out of range (%d CUDA device(s) present)",
                       be->config.device_index, count);
    ctx->device = be->config.device_index;
    ctx->workspace_limit =
        be->config.workspace_limit ? be->config.workspace_limit : SC_CUDA_DEFAULT_WORKSPACE_LIMIT;
    SC_CUDA_CHECK(be, cudaSetDevice(ctx->device));
    SC_CUDA_CHECK(be, cudaStreamCreateWithFlags(&ctx->stream, cudaStreamNonBlocking));
    SC_CUDA_CHECK(be, cudaStreamCreateWithFlags(&ctx->copy_stream, cudaStreamNonBlocking));
    SC_CUDNN_CHECK(be, cudnnCreate(&ctx->cudnn));
    SC_CUDNN_CHECK(be, cudnnSetStream(ctx->cudnn, ctx->stream));
    SC_CUBLAS_CHECK(be, cublasCreate(&ctx->cublas));
    SC_CUBLAS_CHECK(be, cublasSetStream(ctx->cublas, ctx->stream));
    /* CUBLAS_DEFAULT_MATH keeps single-precision GEMMs in true fp32 (no tensor-op
     * down-conversion); TF32 tensor cores only when the config allows them. */
    SC_CUBLAS_CHECK(be, cublasSetMathMode(ctx->cublas, be->config.tf32 ? CUBLAS_TF32_TENSOR_OP_MATH
                                                                       : CUBLAS_DEFAULT_MATH));
    for (int slot = 0; slot < SC_TIMER_SLOTS; slot++)
        SC_CUDA_CHECK(be, cudaEventCreate(&ctx->timer_events[slot]));
    SC_CUDA_CHECK(be, cudaEventCreateWithFlags(&ctx->upload_event, cudaEventDisableTiming));
    SC_CUDA_CHECK(be, cudaEventCreateWithFlags(&ctx->staging_free_event, cudaEventDisableTiming));
    SC_TRY(sc_cuda_label_record_create(be));
    SC_CUDNN_CHECK(be, cudnnCreateTensorDescriptor(&ctx->bn_x_desc));
    SC_CUDNN_CHECK(be, cudnnCreateTensorDescriptor(&ctx->bn_param_desc));
    SC_TRY(sc_cuda_reserve_bn_scratch(be, SC_CUDA_BN_SCRATCH_CHANNELS));
    SC_TRY(sc_cuda_conv_cache_create(be, &ctx->conv_cache));
    return SC_OK;
}

void sc_cuda_ctx_destroy(sc_backend *be) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    if (!ctx)
        return;
    if (ctx->stream)
        (void)cudaStreamSynchronize(ctx->stream);
    if (ctx->copy_stream)
        (void)cudaStreamSynchronize(ctx->copy_stream);
    sc_cuda_conv_cache_destroy(ctx->conv_cache);
    if (ctx->workspace)
        (void)cudaFree(ctx->workspace);
    if (ctx->scratch)
        (void)cudaFree(ctx->scratch);
    if (ctx->staging)
        (void)cudaFree(ctx->staging);
    if (ctx->bn_param_grad_scratch)
        (void)cudaFree(ctx->bn_param_grad_scratch);
    sc_cuda_label_record_destroy(ctx);
    if (ctx->bn_x_desc)
        (void)cudnnDestroyTensorDescriptor(ctx->bn_x_desc);
    if (ctx->bn_param_desc)
        (void)cudnnDestroyTensorDescriptor(ctx->bn_param_desc);
    for (int slot = 0; slot < SC_TIMER_SLOTS; slot++)
        if (ctx->timer_events[slot])
            (void)cudaEventDestroy(ctx->timer_events[slot]);
    if (ctx->upload_event)
        (void)cudaEventDestroy(ctx->upload_event);
    if (ctx->staging_free_event)
        (void)cudaEventDestroy(ctx->staging_free_event);
    if (ctx->cublas)
        (void)cublasDestroy(ctx->cublas);
    if (ctx->cudnn)
        (void)cudnnDestroy(ctx->cudnn);
    if (ctx->copy_stream)
        (void)cudaStreamDestroy(ctx->copy_stream);
    if (ctx->stream)
        (void)cudaStreamDestroy(ctx->stream);
    (void)cudaGetLastError(); /* every result above is deliberately ignored */
    free(ctx);
    be->ctx = NULL;
}

/* Replaces *buffer (of *buffer_bytes) by a new one of bytes: allocated first, the old one
 * freed only once that succeeded and the ops issued before (which may use it) are done. */
static sc_status grow_buffer(sc_backend *be, void **buffer, size_t *buffer_bytes, size_t bytes,
                             const char *what) {
    void *grown = NULL;
    SC_TRY(sc_cuda_device_alloc(be, bytes, &grown, what));
    cudaError_t status = cudaStreamSynchronize(sc_cuda_ctx_of(be)->stream);
    if (status == cudaSuccess && *buffer)
        status = cudaFree(*buffer);
    if (status != cudaSuccess) {
        (void)cudaGetLastError();
        sc_cuda_ignore(cudaFree(grown));
        return sc_fail(&be->err, SC_ERR_BACKEND, "cuda: replacing %s by a larger one: %s", what,
                       cudaGetErrorString(status));
    }
    *buffer = grown;
    *buffer_bytes = bytes;
    return SC_OK;
}

sc_status sc_cuda_reserve_workspace(sc_backend *be, size_t bytes) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    if (bytes <= ctx->workspace_bytes)
        return SC_OK;
    return grow_buffer(be, &ctx->workspace, &ctx->workspace_bytes, bytes,
                       "the convolution workspace");
}

sc_status sc_cuda_reserve_scratch(sc_backend *be, size_t bytes) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    if (bytes <= ctx->scratch_bytes)
        return SC_OK;
    return grow_buffer(be, &ctx->scratch, &ctx->scratch_bytes, bytes, "the kernel scratch");
}

sc_status sc_cuda_reserve_bn_scratch(sc_backend *be, int64_t channels) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    if (channels <= ctx->bn_scratch_channels)
        return SC_OK;
    const size_t bytes = 2 * (size_t)channels * sizeof(float);
    void *scratch = ctx->bn_param_grad_scratch;
    size_t scratch_bytes = 2 * (size_t)ctx->bn_scratch_channels * sizeof(float);
    SC_TRY(grow_buffer(be, &scratch, &scratch_bytes, bytes,
                       "the batch-norm parameter-gradient scratch"));
    ctx->bn_param_grad_scratch = (float *)scratch;
    ctx->bn_scratch_channels = channels;
    /* cuDNN adds into it (betaParamDiff = 1): start from zeros rather than stale memory. */
    SC_CUDA_CHECK(be, cudaMemsetAsync(scratch, 0, bytes, ctx->stream));
    return SC_OK;
}

void sc_cuda_op_begin(sc_backend *be, const char *fmt, ...) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->range_name, sizeof ctx->range_name, fmt, ap);
    va_end(ap);
    sc_nvtx_push(ctx->range_name);
}

sc_status sc_cuda_op_end(sc_backend *be, sc_op op, sc_status status) {
    sc_nvtx_pop();
    if (status != SC_OK || !be->config.debug_sync)
        return status;
    sc_status waited = sc_cuda_stream_wait(be);
    if (waited != SC_ERR_BACKEND)
        return waited; /* SC_OK, or a bad label in the CPU's words */
    char fault[sizeof be->err.msg];
    snprintf(fault, sizeof fault, "%s", be->err.msg);
    return sc_fail(&be->err, SC_ERR_BACKEND, "%s: asynchronous CUDA fault found by debug_sync: %s",
                   sc_op_name(op), fault);
}

void sc_cuda_range_push(sc_backend *be, const char *name) {
    (void)be;
    sc_nvtx_push(name);
}

void sc_cuda_range_pop(sc_backend *be) {
    (void)be;
    sc_nvtx_pop();
}

sc_status sc_cuda_timer_mark(sc_backend *be, int slot) {
    if (slot < 0 || slot >= SC_TIMER_SLOTS)
        return sc_fail(&be->err, SC_ERR_USAGE, "timer slot %d out of range", slot);
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    SC_CUDA_CHECK(be, cudaEventRecord(ctx->timer_events[slot], ctx->stream));
    return SC_OK;
}

sc_status sc_cuda_timer_elapsed(sc_backend *be, int from, int to, double *seconds) {
    if (from < 0 || from >= SC_TIMER_SLOTS || to < 0 || to >= SC_TIMER_SLOTS)
        return sc_fail(&be->err, SC_ERR_USAGE, "timer slots %d, %d out of range", from, to);
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    float ms = 0.0f;
    SC_CUDA_CHECK(be, cudaEventSynchronize(ctx->timer_events[to]));
    SC_CUDA_CHECK(be, cudaEventElapsedTime(&ms, ctx->timer_events[from], ctx->timer_events[to]));
    *seconds = (double)ms * 1e-3;
    return SC_OK;
}
