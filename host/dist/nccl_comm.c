/* NCCL communicator and gradient mean on a communication stream beside the CUDA backend's
 * compute stream (see nccl_comm.h). Built only with MPI + CUDA + NCCL; compiled on the
 * development machine, not yet run on a GPU. */
#include "nccl_comm.h"

#include <nccl.h>
#include <stdlib.h>

#include "cuda/cuda_context.h"
#include "host/core/log.h"

struct sc_nccl_comm {
    ncclComm_t comm;
    cudaStream_t compute;     /* the backend's stream: the backward pass and the optimizer */
    cudaStream_t stream;      /* the all-reduces */
    cudaEvent_t grads_ready;  /* recorded on compute before each bucket starts */
    cudaEvent_t reduced;      /* recorded on stream once every bucket is queued */
    double timeout_seconds;
};

static sc_status cuda_fail(sc_error *err, cudaError_t e, const char *what) {
    return sc_fail(err, SC_ERR_BACKEND, "gradient all-reduce: %s: %s", what,
                   cudaGetErrorString(e));
}

static sc_status nccl_fail(sc_error *err, ncclResult_t r, const char *what) {
    return sc_fail(err, SC_ERR_BACKEND, "NCCL %s failed: %s", what, ncclGetErrorString(r));
}

sc_status sc_nccl_comm_create(sc_dist *d, sc_backend *be, sc_nccl_comm **out, sc_error *err) {
    *out = NULL;
    sc_nccl_comm *c = calloc(1, sizeof *c);
    if (!c)
        return sc_fail(err, SC_ERR_OOM, "no host memory for the NCCL communicator");
    c->compute = sc_cuda_ctx_of(be)->stream;
    cudaError_t e = cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking);
    if (e == cudaSuccess)
        e = cudaEventCreateWithFlags(&c->grads_ready, cudaEventDisableTiming);
    if (e == cudaSuccess)
        e = cudaEventCreateWithFlags(&c->reduced, cudaEventDisableTiming);
    if (e != cudaSuccess) {
        sc_nccl_comm_destroy(c);
        return cuda_fail(err, e, "communication stream");
    }
    const char *timeout = getenv("SCAAT_NCCL_TIMEOUT");
    c->timeout_seconds = timeout && atof(timeout) > 0 ? atof(timeout) : 600.0;
    ncclUniqueId id;
    ncclResult_t r = ncclSuccess;
    if (d->rank == 0)
        r = ncclGetUniqueId(&id);
    int failed = r != ncclSuccess;
    sc_status st = sc_dist_any(d, &failed, err);
    if (st == SC_OK && failed)
        st = r != ncclSuccess ? nccl_fail(err, r, "unique id (ncclGetUniqueId)")
                              : sc_fail(err, SC_ERR_BACKEND, "NCCL: rank 0 could not create the "
                                        "communicator's unique id");
    if (st == SC_OK)
        st = sc_dist_broadcast(d, &id, sizeof id, err);
    if (st == SC_OK && (r = ncclCommInitRank(&c->comm, d->world_size, id, d->rank)) != ncclSuccess)
        st = nccl_fail(err, r, "communicator set-up (ncclCommInitRank)");
    if (st != SC_OK) {
        c->comm = NULL;
        sc_nccl_comm_destroy(c);
        return st;
    }
    *out = c;
    return SC_OK;
}

/* Wait for the stream, checking NCCL's asynchronous error; abort the communicator when it
 * reports one or the timeout passes. */
static sc_status wait_checked(sc_nccl_comm *c, sc_error *err) {
    double started = sc_now_seconds();
    for (;;) {
        cudaError_t q = cudaStreamQuery(c->stream);
        if (q == cudaSuccess)
            return SC_OK;
        if (q != cudaErrorNotReady)
            return sc_fail(err, SC_ERR_BACKEND, "gradient all-reduce: %s", cudaGetErrorString(q));
        ncclResult_t async = ncclSuccess;
        ncclCommGetAsyncError(c->comm, &async);
        if (async != ncclSuccess) {
            ncclCommAbort(c->comm);
            c->comm = NULL;
            return nccl_fail(err, async, "all-reduce (asynchronous error)");
        }
        if (sc_now_seconds() - started > c->timeout_seconds) {
            ncclCommAbort(c->comm);
            c->comm = NULL;
            return sc_fail(err, SC_ERR_BACKEND, "NCCL all-reduce did not finish within %.0f s "
                           "(SCAAT_NCCL_TIMEOUT): a rank is gone or stuck", c->timeout_seconds);
        }
    }
}

sc_status sc_nccl_comm_start(sc_nccl_comm *c, float *data, int64_t count, sc_error *err) {
    if (!c->comm)
        return sc_fail(err, SC_ERR_BACKEND, "the NCCL communicator was aborted after an error");
    cudaError_t e = cudaEventRecord(c->grads_ready, c->compute);
    if (e == cudaSuccess)
        e = cudaStreamWaitEvent(c->stream, c->grads_ready, 0);
    if (e != cudaSuccess)
        return cuda_fail(err, e, "ordering after the backward pass");
    ncclResult_t r = ncclAllReduce(data, data, (size_t)count, ncclFloat, ncclAvg, c->comm,
                                   c->stream);
    return r == ncclSuccess ? SC_OK : nccl_fail(err, r, "all-reduce (ncclAllReduce)");
}

sc_status sc_nccl_comm_finish(sc_nccl_comm *c, sc_dist *d, sc_error *err) {
    if (!c->comm)
        return sc_fail(err, SC_ERR_BACKEND, "the NCCL communicator was aborted after an error");
    double started = sc_now_seconds(); /* the wait the backward did not hide */
    cudaError_t e = cudaEventRecord(c->reduced, c->stream);
    if (e == cudaSuccess)
        e = cudaStreamWaitEvent(c->compute, c->reduced, 0);
    sc_status st = e == cudaSuccess ? wait_checked(c, err)
                                    : cuda_fail(err, e, "ordering before the optimizer");
    d->comm_seconds += sc_now_seconds() - started;
    return st;
}

void sc_nccl_comm_destroy(sc_nccl_comm *c) {
    if (!c)
        return;
    if (c->comm)
        ncclCommDestroy(c->comm);
    /* teardown: a failure here has nothing left to spoil, but must not stay CUDA's last error */
    if (c->reduced && cudaEventDestroy(c->reduced) != cudaSuccess)
        (void)cudaGetLastError();
    if (c->grads_ready && cudaEventDestroy(c->grads_ready) != cudaSuccess)
        (void)cudaGetLastError();
    if (c->stream && cudaStreamDestroy(c->stream) != cudaSuccess)
        (void)cudaGetLastError();
    free(c);
}
