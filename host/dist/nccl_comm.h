/* NCCL for the gradients of a CUDA-backend data-parallel run: a communicator bootstrapped by
 * broadcasting rank 0's unique id over MPI, and the bucketed mean all-reduce on a
 * communication stream of its own. A bucket started during the backward pass waits (an event)
 * for the compute stream's work queued so far, so it runs while the later-queued backward of
 * the earlier layers computes; finishing makes the compute stream wait for every bucket (the
 * optimizer runs after) and watches the communication for NCCL's asynchronous errors with a
 * timeout (SCAAT_NCCL_TIMEOUT seconds, default 600), so a rank that died never leaves the
 * others waiting. Only in builds with MPI, the CUDA backend and NCCL; elsewhere these refuse
 * (nothing calls them there). */
#ifndef SC_NCCL_COMM_H
#define SC_NCCL_COMM_H

#include "dist.h"
#include "host/backend/backend.h"

typedef struct sc_nccl_comm sc_nccl_comm;

#ifdef SCAAT_HAVE_NCCL
sc_status sc_nccl_comm_create(sc_dist *d, sc_backend *be, sc_nccl_comm **out, sc_error *err);
/* data (count floats on the device) = its mean over ranks, queued after the compute stream's
 * work so far; returns without waiting. */
sc_status sc_nccl_comm_start(sc_nccl_comm *c, float *data, int64_t count, sc_error *err);
/* Every started mean done: the compute stream waits for them, and so does the host. */
sc_status sc_nccl_comm_finish(sc_nccl_comm *c, sc_dist *d, sc_error *err);
void sc_nccl_comm_destroy(sc_nccl_comm *c);
#else
static inline sc_status sc_nccl_comm_create(sc_dist *d, sc_backend *be, sc_nccl_comm **out,
                                            sc_error *err) {
    *out = NULL;
    return sc_fail(err, SC_ERR_UNSUPPORTED, "this build has no NCCL");
}
static inline sc_status sc_nccl_comm_start(sc_nccl_comm *c, float *data, int64_t count,
                                           sc_error *err) {
    return sc_fail(err, SC_ERR_UNSUPPORTED, "this build has no NCCL");
}
static inline sc_status sc_nccl_comm_finish(sc_nccl_comm *c, sc_dist *d, sc_error *err) {
    return sc_fail(err, SC_ERR_UNSUPPORTED, "this build has no NCCL");
}
static inline void sc_nccl_comm_destroy(sc_nccl_comm *c) { (void)c; }
#endif

#endif
