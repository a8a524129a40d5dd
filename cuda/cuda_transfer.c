/* Memory and transfers of the CUDA backend (the non-op entries of the op table): device and
 * pinned host buffers, uploads, downloads, fills, device copies and the stream wait.
 *
 * upload_async overlaps the host-to-device copy with the kernels: the copy runs on the
 * context's copy stream into a staging buffer (grown on first use, like the kernel scratch);
 * a device-to-device move on the compute stream then puts the data in place, after every op
 * issued before and before every op issued after, as backend.h promises. Between two
 * upload_wait calls every upload gets its own region of the staging buffer; the first upload
 * after a wait reuses the buffer from its start and therefore waits (on the copy stream) for
 * the moves out of it that are still queued behind the running step. */
#include <stdint.h>

#include "cuda_check.h"
#include "cuda_context.h"

/* Regions of the staging buffer start at multiples of this (a copy-friendly alignment). */
#define SC_STAGING_ALIGN ((size_t)256)

sc_status sc_cuda_alloc(sc_backend *be, size_t bytes, void **ptr) {
    return sc_cuda_device_alloc(be, bytes, ptr, "a tensor buffer");
}

void sc_cuda_free(sc_backend *be, void *ptr) {
    (void)be;
    if (ptr)
        sc_cuda_ignore(cudaFree(ptr));
}

sc_status sc_cuda_host_alloc(sc_backend *be, size_t bytes, void **ptr) {
    cudaError_t status = cudaMallocHost(ptr, bytes ? bytes : 1);
    if (status != cudaSuccess) {
        (void)cudaGetLastError();
        *ptr = NULL;
        return sc_fail(&be->err, SC_ERR_OOM,
                       "cuda: allocating %zu bytes of pinned host memory failed: %s", bytes,
                       cudaGetErrorString(status));
    }
    return SC_OK;
}

void sc_cuda_host_free(sc_backend *be, void *ptr) {
    if (!ptr)
        return;
    /* an error path may leave an upload_async from this buffer in flight */
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    if (ctx && ctx->upload_event)
        sc_cuda_ignore(cudaEventSynchronize(ctx->upload_event));
    sc_cuda_ignore(cudaFreeHost(ptr));
}

sc_status sc_cuda_upload(sc_backend *be, void *dst, const void *src_host, size_t bytes) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    SC_CUDA_CHECK(be, cudaMemcpyAsync(dst, src_host, bytes, cudaMemcpyHostToDevice, ctx->stream));
    /* The contract: src may be reused on return. */
    return sc_cuda_stream_wait(be);
}

/* A staging buffer of at least bytes, nothing in flight in it: both streams are drained, then
 * the larger buffer replaces the old one (allocated first, so a failure keeps the old one). */
static sc_status grow_staging(sc_backend *be, size_t bytes) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    SC_CUDA_CHECK(be, cudaStreamSynchronize(ctx->copy_stream));
    SC_CUDA_CHECK(be, cudaStreamSynchronize(ctx->stream));
    void *grown = NULL;
    SC_TRY(sc_cuda_device_alloc(be, bytes, &grown, "the upload staging buffer"));
    if (ctx->staging)
        sc_cuda_ignore(cudaFree(ctx->staging));
    ctx->staging = grown;
    ctx->staging_bytes = bytes;
    ctx->staging_used = 0;
    return SC_OK;
}

sc_status sc_cuda_upload_async(sc_backend *be, void *dst, const void *src_host, size_t bytes) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    if (bytes == 0)
        return SC_OK;
    size_t offset = (ctx->staging_used + SC_STAGING_ALIGN - 1) / SC_STAGING_ALIGN * SC_STAGING_ALIGN;
    if (offset > SIZE_MAX - bytes)
        return sc_fail(&be->err, SC_ERR_USAGE, "upload_async: %zu bytes overflow the staging size",
                       bytes);
    if (offset + bytes > ctx->staging_bytes) {
        /* Room for everything handed out since the last wait plus this upload, so the next
         * batch of the same sizes fits without growing again. */
        SC_TRY(grow_staging(be, offset + bytes));
        offset = 0;
    }
    if (offset == 0) /* reusing the buffer: wait for the moves still reading it */
        SC_CUDA_CHECK(be, cudaStreamWaitEvent(ctx->copy_stream, ctx->staging_free_event, 0));
    char *region = (char *)ctx->staging + offset;
    SC_CUDA_CHECK(be, cudaMemcpyAsync(region, src_host, bytes, cudaMemcpyHostToDevice,
                                      ctx->copy_stream));
    SC_CUDA_CHECK(be, cudaEventRecord(ctx->upload_event, ctx->copy_stream));
    SC_CUDA_CHECK(be, cudaStreamWaitEvent(ctx->stream, ctx->upload_event, 0));
    SC_CUDA_CHECK(be, cudaMemcpyAsync(dst, region, bytes, cudaMemcpyDeviceToDevice, ctx->stream));
    SC_CUDA_CHECK(be, cudaEventRecord(ctx->staging_free_event, ctx->stream));
    ctx->staging_used = offset + bytes;
    return SC_OK;
}

sc_status sc_cuda_upload_wait(sc_backend *be) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    /* The event follows the last host copy on the copy stream, so this waits for the host
     * copies only, not for the kernels on the compute stream. */
    SC_CUDA_CHECK(be, cudaEventSynchronize(ctx->upload_event));
    ctx->staging_used = 0;
    return SC_OK;
}

sc_status sc_cuda_download(sc_backend *be, void *dst_host, const void *src, size_t bytes) {
    sc_cuda_ctx *ctx = sc_cuda_ctx_of(be);
    SC_CUDA_CHECK(be, cudaMemcpyAsync(dst_host, src, bytes, cudaMemcpyDeviceToHost, ctx->stream));
    return sc_cuda_stream_wait(be);
}

sc_status sc_cuda_zero(sc_backend *be, void *ptr, size_t bytes) {
    SC_CUDA_CHECK(be, cudaMemsetAsync(ptr, 0, bytes, sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_copy(sc_backend *be, void *dst, const void *src, size_t bytes) {
    SC_CUDA_CHECK(
        be, cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, sc_cuda_ctx_of(be)->stream));
    return SC_OK;
}

sc_status sc_cuda_sync(sc_backend *be) { return sc_cuda_stream_wait(be); }
