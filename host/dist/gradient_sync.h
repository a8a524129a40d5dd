/* The gradient all-reduce of data-parallel training: after the backward pass every rank
 * replaces the network's flat gradient buffer with the mean over ranks. The buffer is cut into
 * buckets, issued from its end (the last layers, whose gradients the backward pass finishes
 * first) to its start; each bucket is one non-blocking all-reduce, so the buckets' transfers
 * overlap one another, and with NCCL they run on the backend's stream. */
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

/* For net->flat_grads on net's backend; bucket_floats 0 = SC_DIST_BUCKET_FLOATS. */
sc_status sc_gradient_sync_create(sc_dist *d, sc_net *net, int64_t bucket_floats,
                                  sc_gradient_sync **out, sc_error *err);
/* net->flat_grads = its mean over the ranks (every rank calls it at the same point). */
sc_status sc_gradient_sync_run(sc_gradient_sync *g, sc_error *err);
void sc_gradient_sync_destroy(sc_gradient_sync *g);

#endif
