/* The data-parallel side of a training run (see host/dist/): the global batch split over the
 * ranks, the gradient all-reduce and sync-BN set up for the network, and the figures every
 * rank logs made global (loss statistics, evaluation counts, saliency Gini). With no
 * data-parallel context, or one process, every call is the identity. */
#ifndef SC_TRAIN_DIST_H
#define SC_TRAIN_DIST_H

#include "evaluate.h"
#include "host/dist/gradient_sync.h"
#include "host/dist/sync_bn.h"
#include "host/explain/saliency_eval.h"
#include "train_config.h"

typedef struct sc_train_dist {
    sc_dist *dist;             /* NULL: a single-process run */
    sc_gradient_sync *grads;   /* NULL unless launched by mpirun / srun */
    sc_sync_bn *sync_bn;       /* NULL unless launched and --sync-bn */
} sc_train_dist;

/* --batch (the global batch) and --eval-batch must divide by the world size. */
sc_status sc_train_dist_check(const sc_dist *d, const sc_train_config *cfg, sc_error *err);
/* This rank's share of a global batch. */
int sc_train_dist_local_batch(const sc_dist *d, int global_batch);
int sc_train_dist_rank(const sc_dist *d);
int sc_train_dist_world(const sc_dist *d);
sc_status sc_train_dist_open(sc_train_dist *t, sc_dist *d, sc_net *net,
                             const sc_train_config *cfg, sc_error *err);
void sc_train_dist_close(sc_train_dist *t);
/* The SC_STAT_COUNT training statistics summed over ranks. */
sc_status sc_train_dist_stats(sc_train_dist *t, float *stats, int count, sc_error *err);
/* Evaluation and saliency-Gini results of this rank's shard made those of the whole set. */
sc_status sc_train_dist_eval(sc_train_dist *t, sc_eval_result *ev, sc_error *err);
sc_status sc_train_dist_gini(sc_train_dist *t, sc_saliency_gini_result *g, sc_error *err);
/* *stop = 1 on every rank when any rank asks to stop. */
sc_status sc_train_dist_any_stop(sc_train_dist *t, int *stop, sc_error *err);
/* Seconds this rank spent in collectives so far. */
double sc_train_dist_comm_seconds(const sc_train_dist *t);

#endif
