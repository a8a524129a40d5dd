/* The CUDA backend's context: the device, the one non-default stream every op runs on, the
 * copy stream and staging buffer of asynchronous uploads, the cuDNN and cuBLAS handles bound
 * to the compute stream, the shared convolution workspace, the convolution plan cache, the
 * kernel scratch, the batch-norm descriptors, the label fault record and the timer events.
 * Also the memory functions of the op table and the scope every op runs in (NVTX range, debug
 * synchronisation). Private to cuda/. */
#ifndef SC_CUDA_CONTEXT_H
#define SC_CUDA_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include "../host/backend/backend.h"
#include "kernels/kernels.h"

typedef struct sc_cuda_conv_cache sc_cuda_conv_cache; /* cuda_conv.c */

typedef struct sc_cuda_ctx {
    int device;
    cudaStream_t stream; /* every op, copy and fill of this backend is ordered on it */
    /* upload_async (cuda_transfer.c): the host-to-device copy runs on copy_stream into the
     * staging buffer, so it overlaps the kernels on stream; a device-to-device copy on stream
     * then moves the data into place in stream order. */
    cudaStream_t copy_stream;
    void *staging;
    size_t staging_bytes;
    size_t staging_used;             /* bytes handed out since the last upload_wait */
    cudaEvent_t upload_event;        /* recorded on copy_stream after each host copy */
    cudaEvent_t staging_free_event;  /* recorded on stream after each move out of staging */
    cudnnHandle_t cudnn;
    cublasHandle_t cublas;
    /* One workspace shared by every convolution, grown by conv2d_prepare to the largest
     * need of the chosen algorithms (only an unprepared shape grows it inside an op). */
    void *workspace;
    size_t workspace_bytes;
    size_t workspace_limit; /* algorithms needing more are never chosen */
    sc_cuda_conv_cache *conv_cache;
    /* Temporaries of the custom kernels (sort keys, CUB's temporary storage, per-sample
     * results): one grow-only buffer, grown by the first op that needs more than it holds. */
    void *scratch;
    size_t scratch_bytes;
    /* Batch norm: descriptors reset for each call, and a (2, C) scratch that receives the
     * parameter gradients cuDNN always writes when the caller passes dgamma/dbeta = NULL. */
    cudnnTensorDescriptor_t bn_x_desc;     /* (N, C, H, W) */
    cudnnTensorDescriptor_t bn_param_desc; /* (1, C, 1, 1) */
    float *bn_param_grad_scratch;          /* (2, bn_scratch_channels) */
    int64_t bn_scratch_channels;
    /* Bad class labels found on the device (kernels.h, cuda_label_check.c): the record, its
     * pinned host copy, the launch counter, and whether a checking launch ran since the last
     * stream wait read the record. */
    sc_label_fault *label_fault;
    sc_label_fault *label_fault_host;
    unsigned int label_launches;
    int label_check_pending;
    cudaEvent_t timer_events[SC_TIMER_SLOTS]; /* timer_mark / timer_elapsed */
    char range_name[160];                     /* NVTX name of the op being issued */
} sc_cuda_ctx;

static inline sc_cuda_ctx *sc_cuda_ctx_of(sc_backend *be) { return (sc_cuda_ctx *)be->ctx; }

/* Creates the context of be (device, stream, handles, buffers) from be->config; on failure
 * be->err says what failed and everything created so far is released by sc_cuda_ctx_destroy. */
sc_status sc_cuda_ctx_create(sc_backend *be);
void sc_cuda_ctx_destroy(sc_backend *be);

/* cudaMalloc with the failure as one line: the size, what it was for, CUDA's reason and, when
 * the device is out of memory (SC_ERR_OOM), its free and total memory. */
sc_status sc_cuda_device_alloc(sc_backend *be, size_t bytes, void **ptr, const char *what);
/* Grow the shared convolution workspace, the kernel scratch, the batch-norm parameter-gradient
 * scratch to at least the size asked: the new buffer is allocated first and the old one freed
 * (after waiting for the stream) only once that succeeded, so a failed growth keeps the old
 * buffer and its size. */
sc_status sc_cuda_reserve_workspace(sc_backend *be, size_t bytes);
sc_status sc_cuda_reserve_scratch(sc_backend *be, size_t bytes);
sc_status sc_cuda_reserve_bn_scratch(sc_backend *be, int64_t channels);

/* cuda_label_check.c: the label fault record's lifetime; the argument of the next checking
 * launch; and the wait for every op issued so far, which reports a bad label one of them
 * found as the CPU would have refused it (SC_ERR_SHAPE, the same message). */
sc_status sc_cuda_label_record_create(sc_backend *be);
void sc_cuda_label_record_destroy(sc_cuda_ctx *ctx);
sc_label_check sc_cuda_label_check_next(sc_backend *be);
sc_status sc_cuda_stream_wait(sc_backend *be);

/* A CUDA result deliberately ignored (cleanup, best-effort waits): also clears it as CUDA's
 * last error, so the next launch check does not blame an unrelated kernel. */
static inline void sc_cuda_ignore(cudaError_t status) {
    if (status != cudaSuccess)
        (void)cudaGetLastError();
}

/* Every op: begin opens an NVTX range named by printf-style arguments; end closes it and,
 * with config.debug_sync, waits for the stream so an asynchronous fault (or a bad label) is
 * reported by the op that caused it. end returns status unless that wait finds a fault. */
void sc_cuda_op_begin(sc_backend *be, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
sc_status sc_cuda_op_end(sc_backend *be, sc_op op, sc_status status);

/* Memory, transfers (cuda_transfer.c) and the rest of the non-op table entries. */
sc_status sc_cuda_alloc(sc_backend *be, size_t bytes, void **ptr);
void sc_cuda_free(sc_backend *be, void *ptr);
sc_status sc_cuda_host_alloc(sc_backend *be, size_t bytes, void **ptr);
void sc_cuda_host_free(sc_backend *be, void *ptr);
sc_status sc_cuda_upload(sc_backend *be, void *dst, const void *src_host, size_t bytes);
sc_status sc_cuda_upload_async(sc_backend *be, void *dst, const void *src_host, size_t bytes);
sc_status sc_cuda_upload_wait(sc_backend *be);
sc_status sc_cuda_download(sc_backend *be, void *dst_host, const void *src, size_t bytes);
sc_status sc_cuda_zero(sc_backend *be, void *ptr, size_t bytes);
sc_status sc_cuda_copy(sc_backend *be, void *dst, const void *src, size_t bytes);
sc_status sc_cuda_sync(sc_backend *be);
void sc_cuda_range_push(sc_backend *be, const char *name);
/* mark records the slot's CUDA event on the stream; elapsed waits for `to`'s event. */
sc_status sc_cuda_timer_mark(sc_backend *be, int slot);
sc_status sc_cuda_timer_elapsed(sc_backend *be, int from, int to, double *seconds);
void sc_cuda_range_pop(sc_backend *be);
void sc_cuda_describe(sc_backend *be, char *buf, size_t len);

#endif
