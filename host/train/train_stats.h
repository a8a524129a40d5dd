/* Slots of the training statistics a step accumulates on the device (one float each, batch
 * sums) and the trainer reads back once per log line. */
#ifndef SC_TRAIN_STATS_H
#define SC_TRAIN_STATS_H

#include "mode_config.h"

typedef enum sc_train_stat {
    SC_STAT_CE = 0,       /* sum of CE(f(x), y) over samples (softmax_xent stats[0]) */
    SC_STAT_CORRECT,      /* correct predictions on the clean input (stats[1]) */
    SC_STAT_CE_ADV,       /* sum of CE on the perturbed input (adv, asgt) */
    SC_STAT_CORRECT_ADV,
    SC_STAT_KL,           /* sum of the per-sample KL term (before lambda) */
    SC_STAT_GINI,         /* sum of the training saliency maps' Gini (valid maps) */
    SC_STAT_GINI_COUNT,   /* number of valid maps */
    SC_STAT_DELTA,        /* sum over samples of mean |delta| in pixel units */
    SC_STAT_MASK,         /* sum over samples of the mask fraction |M| / (H W) */
    SC_STAT_SCRATCH,      /* (2) discarded: loss statistics of attack passes */
    SC_STAT_COUNT = SC_STAT_SCRATCH + 2
} sc_train_stat;

/* Per-sample means of a mode's loss terms over `samples` samples of read-back statistics
 * (SC_STAT_COUNT floats): NaN for a term the mode does not have. loss = ce + ce_adv +
 * lambda kl over the terms it has; accuracy on the clean input (on x + delta for adv). */
typedef struct sc_loss_terms {
    double loss, accuracy, ce, ce_adv, kl;
} sc_loss_terms;

void sc_loss_terms_from_stats(const sc_mode_config *m, const float *stats, double samples,
                              sc_loss_terms *out);

#endif
