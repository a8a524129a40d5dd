/* Synchronised batch norm (--sync-bn): every rank normalises with the statistics of the whole
 * global batch, forward and backward, and keeps identical running statistics.
 *
 * Forward of a BN layer: bn_train_fwd (running statistics untouched) gives this rank's
 * per-channel mean and 1/sqrt(var + eps); the ranks gather (mean, sum of squared deviations)
 * and merge them in rank order in double (Chan et al.); the running statistics take the
 * global mean and unbiased variance; bn_infer_fwd normalises with the global statistics,
 * which the backward finds in the layer's saved mean / invstd. Backward: bn_bwd_sums, the
 * weight gradients from this rank's sums (the gradient all-reduce averages them later), the
 * sums added over ranks, then bn_bwd_apply with the global count.
 *
 * Costs: each BN layer downloads and uploads a few floats per channel and waits for one
 * all-gather (forward) and one sum (backward); on the GPU that is a stream synchronisation
 * per BN layer. Saliency and attack passes (frozen statistics) stay per rank. */
#ifndef SC_SYNC_BN_H
#define SC_SYNC_BN_H

#include "dist.h"
#include "host/nn/net.h"

typedef struct sc_sync_bn sc_sync_bn;

/* Sets net->bn_sync for the net's BN layers; sc_sync_bn_destroy clears it. */
sc_status sc_sync_bn_create(sc_dist *d, sc_net *net, sc_sync_bn **out, sc_error *err);
void sc_sync_bn_destroy(sc_sync_bn *s);

#endif
