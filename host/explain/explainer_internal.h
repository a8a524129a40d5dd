/* The explainer's state, shared by the files that implement the saliency methods
 * (methods.c: creation and dispatch; method_copies.c: SmoothGrad and Integrated Gradients;
 * method_gradcam.c: Grad-CAM). Not part of the public API (methods.h). */
#ifndef SC_EXPLAINER_INTERNAL_H
#define SC_EXPLAINER_INTERNAL_H

#include "methods.h"

/* One run of consecutive rows of the device batch: rows [row, row + count) hold copy `copy`
 * of images [image, image + count) of the explained batch. */
typedef struct sc_copy_segment {
    int copy, image, row, count;
} sc_copy_segment;

struct sc_explainer {
    sc_net *net;
    sc_method_config cfg;
    int batch;              /* images per sc_explainer_run at most */
    int copies;             /* gradients per image: samples, steps or 1 */
    sc_acts *acts;          /* device batch of acts->batch rows, with input gradients */
    sc_arena arena;
    sc_tensor accum;        /* (batch, C, H, W) weighted sum of the copies' input gradients */
    sc_tensor noisy;        /* (batch, C, H, W) SmoothGrad: one noisy copy of every image */
    sc_tensor row_targets;  /* (acts->batch) int32 target of each device row */
    sc_tensor row_map;      /* (acts->batch, 1, H, W) map scratch of sc_saliency_gradient */
    sc_tensor scores;       /* (3, batch) IG: sum of attribution, f_t(x), f_t(0) */
    sc_tensor signed_map;   /* (batch, 1, H, W) IG: mean over c of the attribution */
    sc_tensor cam;          /* (batch, 1, h, w) Grad-CAM at the last stage's resolution */
    int cam_value;          /* Grad-CAM: the value feeding the global-average pool */
    double *ig_nodes, *ig_weights; /* (steps) Gauss-Legendre rule on [0, 1] */
    sc_copy_segment *segments;     /* (acts->batch) the rows of the device batch being filled */
};

/* The image-sized view of rows [first, first + n) of a (N, C, H, W) tensor's buffer. */
sc_tensor sc_explainer_rows(const sc_tensor *t, int64_t first, int64_t n);
/* Copies n rows of the explained input x (from row first) into the device batch's input. */
sc_status sc_explainer_load_rows(sc_explainer *e, const sc_tensor *x, int first, int n, sc_error *err);

sc_status sc_explain_smoothgrad(sc_explainer *e, const sc_tensor *x, const sc_tensor *targets,
                                const sc_tensor *maps, sc_error *err);
sc_status sc_explain_integrated_gradients(sc_explainer *e, const sc_tensor *x,
                                          const sc_tensor *targets, const sc_tensor *maps,
                                          const sc_tensor *ig_gap, sc_error *err);
sc_status sc_explain_gradcam(sc_explainer *e, const sc_tensor *x, const sc_tensor *targets,
                             const sc_tensor *maps, sc_error *err);

#endif
