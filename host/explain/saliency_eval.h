/* Saliency over a whole dataset split: the mean Gini of the gradient maps of the predicted
 * class with BN in eval mode (the figure `scaat train` reports in metrics.json). */
#ifndef SC_SALIENCY_EVAL_H
#define SC_SALIENCY_EVAL_H

#include "datasets/loader.h"
#include "host/nn/net.h"

typedef struct sc_saliency_gini_result {
    double mean_gini;   /* over the valid maps; NaN when there is none */
    int64_t valid;      /* maps with a finite, non-zero value */
    int64_t degenerate; /* all-zero or NaN maps, left out of the mean */
} sc_saliency_gini_result;

/* Runs every batch of the loader (batches of at most `batch` images). Allocates its own
 * activations and buffers for the duration of the call. */
sc_status sc_saliency_mean_gini(sc_net *net, sc_loader *loader, int batch,
                                const sc_saliency_params *p, sc_saliency_gini_result *out,
                                sc_error *err);

#endif
