/* Checks around every CUDA runtime, cuDNN and cuBLAS call of the CUDA backend.
 *
 * On failure each macro writes "<file>:<line>: <statement>: <error string>" into be->err and
 * returns SC_ERR_BACKEND from the enclosing function, which must return sc_status and have the
 * backend in scope. Kernel launchers (cuda/kernels/kernels.h) return cudaGetLastError() right
 * after their launch, so `SC_CUDA_CHECK(be, sc_launch_...(...))` is the last-error check that
 * follows every launch. */
#ifndef SC_CUDA_CHECK_H
#define SC_CUDA_CHECK_H

#include <string.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include "../host/backend/backend.h"

/* The file name without its directories, for short messages. */
static inline const char *sc_cuda_base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static inline sc_status sc_cuda_fail_call(sc_backend *be, const char *file, int line,
                                          const char *statement, const char *reason) {
    return sc_fail(&be->err, SC_ERR_BACKEND, "%s:%d: %s: %s", sc_cuda_base_name(file), line,
                   statement, reason);
}

/* A failed runtime call leaves its (non-sticky) error as the "last error"; clearing it keeps
 * the next launch check from reporting it a second time. */
#define SC_CUDA_CHECK(be, call)                                                                    \
    do {                                                                                           \
        cudaError_t sc_cuda_status_ = (call);                                                      \
        if (sc_cuda_status_ != cudaSuccess) {                                                      \
            (void)cudaGetLastError();                                                              \
            return sc_cuda_fail_call((be), __FILE__, __LINE__, #call,                              \
                                     cudaGetErrorString(sc_cuda_status_));                         \
        }                                                                                          \
    } while (0)

/* cuDNN's status string plus its last detailed message (cudnnGetLastErrorString, cuDNN 9). */
static inline sc_status sc_cudnn_fail_call(sc_backend *be, const char *file, int line,
                                           const char *statement, cudnnStatus_t status) {
    char detail[256];
    detail[0] = '\0';
    cudnnGetLastErrorString(detail, sizeof detail);
    return sc_fail(&be->err, SC_ERR_BACKEND, "%s:%d: %s: %s%s%s%s", sc_cuda_base_name(file), line,
                   statement, cudnnGetErrorString(status), detail[0] ? " (" : "", detail,
                   detail[0] ? ")" : "");
}

#define SC_CUDNN_CHECK(be, call)                                                                   \
    do {                                                                                           \
        cudnnStatus_t sc_cudnn_status_ = (call);                                                   \
        if (sc_cudnn_status_ != CUDNN_STATUS_SUCCESS)                                              \
            return sc_cudnn_fail_call((be), __FILE__, __LINE__, #call, sc_cudnn_status_);          \
    } while (0)

#define SC_CUBLAS_CHECK(be, call)                                                                  \
    do {                                                                                           \
        cublasStatus_t sc_cublas_status_ = (call);                                                 \
        if (sc_cublas_status_ != CUBLAS_STATUS_SUCCESS)                                            \
            return sc_cuda_fail_call((be), __FILE__, __LINE__, #call,                              \
                                     cublasGetStatusString(sc_cublas_status_));                    \
    } while (0)

#endif
