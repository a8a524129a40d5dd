/* The gradient all-reduce of data-parallel training: every rank replaces the network's flat
 * gradient buffer with the mean over ranks before the optimizer. The buffer is cut into
 * buckets, listed from its end (the last layers, whose gradients the backward pass finishes
 * first) to its start; each bucket is one non-blocking all-reduce (MPI_Iallreduce on the CPU
 * backend, ncclAllReduce on a communication stream with NCCL). With overlap on, the step's last
 * full backward pass carries sc_gradient_sync_hook: a bucket starts as soon as the backward has
 * done every layer owning a gradient float in it, so its communication runs while the earlier
 * layers' backward is computed; sc_gradient_sync_run starts the rest and waits. */
#ifndef SC_GRADIENT_SYNC_H
#define SC_GRADIENT_SYNC_H

#include "dist.h"
#include "host/nn/net.h"

/* Default bucket size: 25 MiB of floats, as PyTorch DDP's bucket_cap_mb. */
#define SC_DIST_BUCKET_FLOATS ((int64_t)25 * 1024 * 1024 / 4)

typedef struct sc_dist_bucket {
    int64_t offset; /* first float of the bucket */
    int64_t count;  /* floats in it */
} sc_dist_bucket;

/* Buckets of bucket_floats (> 0) covering [0, total), listed from the end of the buffer to
 * its start: all hold bucket_floats but the last listed (at offset 0), which holds the rest.
 * Returns ceil(total / bucket_floats) (0 when total is 0) and writes the first max of them. */
int sc_dist_plan_buckets(int64_t total, int64_t bucket_floats, sc_dist_bucket *out, int max);

typedef struct sc_gradient_sync sc_gradient_sync;

/* For net->flat_grads on net's backend; bucket_floats 0 = SC_DIST_BUCKET_FLOATS; overlap 0
 * starts every bucket after the backward pass (the same sums, later). */
sc_status sc_gradient_sync_create(sc_dist *d, sc_net *net, int64_t bucket_floats, int overlap,
                                  sc_gradient_sync **out, sc_error *err);
/* The hook for the step's last full backward (sc_net_backward_hooked), or NULL when nothing
 * overlaps: overlap off, a single process without NCCL, or a device backend without NCCL
 * (its gradients are staged through host memory in one piece). */
const sc_backward_hook *sc_gradient_sync_hook(sc_gradient_sync *g);
/* How many buckets, in listed order, may start once the backward has done `layer` (its
 * gradients and those of every later layer are final). */
int sc_gradient_sync_ready_count(const sc_gradient_sync *g, int layer);
int sc_gradient_sync_bucket_count(const sc_gradient_sync *g);
/* net->flat_grads = its mean over the ranks (every rank calls it at the same point, after the
 * backward, hooked or not). */
sc_status sc_gradient_sync_run(sc_gradient_sync *g, sc_error *err);
void sc_gradient_sync_destroy(sc_gradient_sync *g);

#endif
