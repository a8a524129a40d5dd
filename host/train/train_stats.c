/* Loss terms from the statistics a step accumulated (see train_stats.h). */
#include "train_stats.h"

#include <math.h>

void sc_loss_terms_from_stats(const sc_mode_config *m, const float *stats, double samples,
                              sc_loss_terms *out) {
    int adv_only = m->kind == SC_MODE_ADV;
    int has_kl = (sc_mode_options_used(m->kind) & SC_OPT_LAMBDA) != 0;
    int has_ce_adv = adv_only || m->kind == SC_MODE_ASGT;
    out->ce = adv_only ? NAN : (double)stats[SC_STAT_CE] / samples;
    out->ce_adv = has_ce_adv ? (double)stats[SC_STAT_CE_ADV] / samples : NAN;
    out->kl = has_kl ? (double)stats[SC_STAT_KL] / samples : NAN;
    out->loss = (adv_only ? 0.0 : out->ce) + (has_ce_adv ? out->ce_adv : 0.0) +
                (has_kl ? (double)m->lambda * out->kl : 0.0);
    out->accuracy = (double)stats[adv_only ? SC_STAT_CORRECT_ADV : SC_STAT_CORRECT] / samples;
}
