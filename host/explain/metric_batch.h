/* The device side of a metrics evaluation, shared by the metric files (internal to
 * host/explain): buffers for one batch of up to B images, forward-only activations that run
 * many perturbed copies of the batch at once, the explainer, and per-field outputs that the
 * driver downloads after each batch. Every per-pixel computation is a backend op on these. */
#ifndef SC_METRIC_BATCH_H
#define SC_METRIC_BATCH_H

#include "metrics.h"

typedef struct sc_metric_batch {
    sc_backend *be;
    sc_net *net;
    const sc_metric_config *cfg;
    sc_explainer *explainer;   /* explains up to B images */
    sc_acts *fwd;              /* forward only, F = max(B, internal_batch) images */
    sc_acts *attack;           /* input gradients, B images; NULL without robust */
    sc_perturb_params perturb; /* the dataset's std and valid range per channel */
    void *param_backup;        /* randomisation: a device copy of the parameter arena */
    int capacity;              /* B */
    int n;                     /* rows of the current batch, <= B */
    uint32_t batch_index;      /* keys the random draws of the current batch */
    sc_arena arena;
    sc_tensor x;                      /* (B, C, H, W) clean images */
    sc_tensor labels, pred, target;   /* (B) int32: label, clean prediction, explained class */
    sc_tensor map;                    /* (B, 1, H, W) map of x for target */
    sc_tensor ranks;                  /* (B, 1, H, W) int32 rank_pixels(map) */
    sc_tensor image;                  /* (B, C, H, W) scratch image */
    sc_tensor map2;                   /* (B, 1, H, W) scratch map */
    sc_tensor mask;                   /* (B, 1, H, W) scratch mask */
    sc_tensor zeros, ones;            /* (B, 1, H, W) constant maps */
    sc_tensor zero_stats;             /* (B, C, 3) zeros: mask_fill MEAN with it writes 0 */
    sc_tensor gini;                   /* (B) Gini of map, NaN for a degenerate map */
    sc_tensor scratch_a, scratch_b;   /* (B, W_s) scratch rows, W_s = max(H*W, subsets, copies) */
    sc_tensor stats;                  /* (2) softmax_xent's statistics (unused figures) */
    sc_tensor value[SC_FIELD_COUNT];  /* (B) per field (where the field is on) */
    sc_tensor curve[SC_FIELD_COUNT];  /* (B, points) per field with a device curve */
} sc_metric_batch;

sc_status sc_metric_batch_create(sc_net *net, const sc_dataset *ds, const sc_metric_config *cfg,
                                 sc_metric_batch *b, sc_error *err);
void sc_metric_batch_destroy(sc_metric_batch *b);

/* Rows [first, first + n) of t (any rank) as a tensor of its own. */
sc_tensor sc_metric_rows(const sc_tensor *t, int64_t first, int64_t n);
/* The first b->n rows of t: the current batch's part of a (B, ...) buffer. */
sc_tensor sc_metric_cur(const sc_metric_batch *b, const sc_tensor *t);
/* An op's status, with the backend's message prefixed by what it was for. */
sc_status sc_metric_op(sc_metric_batch *b, sc_status st, const char *what, sc_error *err);

/* Predicted classes of the n images x (n, C, H, W) into pred (n) int32 (forward-only
 * activations, BN in eval mode). */
sc_status sc_metric_predict(sc_metric_batch *b, const sc_tensor *x, const sc_tensor *pred,
                            sc_error *err);

/* Key of random draw j (< 4096) of metric m in the current batch (purpose SC_RNG_METRIC). */
sc_rng_key sc_metric_key(const sc_metric_batch *b, sc_metric m, int j);

/* A mask (n, 1, H, W) of the `count` most salient pixels of the map (the count least salient
 * with from_least): 1 inside, 0 outside. */
sc_status sc_metric_rank_mask(sc_metric_batch *b, int64_t count, int from_least,
                              const sc_tensor *mask, sc_error *err);

/* Perturbed copies of the batch through the forward-only activations, as many copies per
 * forward as fit in F images: make() writes copy j of the n images into dst (n, C, H, W), a
 * slice of the forward input; after the forward, score() reads its logits (n, K) while the
 * copy is still in that slice (input). */
typedef struct sc_copy_job {
    int copies;
    sc_status (*make)(sc_metric_batch *b, const void *ctx, int copy, const sc_tensor *dst,
                      sc_error *err);
    sc_status (*score)(sc_metric_batch *b, const void *ctx, int copy, const sc_tensor *input,
                       const sc_tensor *logits, sc_error *err);
    const void *ctx;
} sc_copy_job;

sc_status sc_metric_run_copies(sc_metric_batch *b, const sc_copy_job *job, sc_error *err);

/* The metrics of the current batch (x, labels, pred, target, map, gini and, for the ranking
 * metrics, ranks filled in). Each writes its fields' value / curve rows 0..n-1 on the device,
 * except where it says it writes host rows. */
sc_status sc_metric_sparsity(sc_metric_batch *b, sc_error *err);
sc_status sc_metric_deletion(sc_metric_batch *b, sc_error *err);
sc_status sc_metric_insertion(sc_metric_batch *b, sc_error *err);
sc_status sc_metric_masked_accuracy(sc_metric_batch *b, sc_error *err);
sc_status sc_metric_road(sc_metric_batch *b, sc_error *err);
sc_status sc_metric_faithfulness(sc_metric_batch *b, sc_error *err);
sc_status sc_metric_robust(sc_metric_batch *b, sc_error *err);
/* Writes host rows: out (n) maxima (NaN where every copy changed the prediction). */
sc_status sc_metric_max_sensitivity(sc_metric_batch *b, float *out, sc_error *err);
/* Writes host rows: curve (n, L) Spearman correlations after each of the L cumulative
 * re-initialisations and mean (n) their mean; restores the parameters from param_backup
 * before returning, whatever happened. */
sc_status sc_metric_randomisation(sc_metric_batch *b, float *curve, float *mean, sc_error *err);

#endif
