/* Mode names, defaults, validation and the JSON record of the mode knobs (see mode_config.h). */
#include "mode_config.h"

#include <string.h>

static const char *const mode_names[SC_MODE_COUNT] = {"standard", "adv", "sgt", "scaat", "asgt"};

static const struct {
    unsigned bit;
    const char *name;
} option_names[] = {
    {SC_OPT_LAMBDA, "--lambda"},       {SC_OPT_K, "--k"},
    {SC_OPT_MASK, "--mask"},           {SC_OPT_TAU, "--tau"},
    {SC_OPT_K_MIN, "--k-min"},         {SC_OPT_K_MAX, "--k-max"},
    {SC_OPT_FILL, "--fill"},           {SC_OPT_EPS, "--eps"},
    {SC_OPT_EPS_WARMUP, "--eps-warmup"}, {SC_OPT_GAMMA, "--gamma"},
    {SC_OPT_STEPS, "--steps"},         {SC_OPT_STEP_SIZE, "--step-size"},
    {SC_OPT_SALIENCY, "--saliency"},   {SC_OPT_SALIENCY_BN, "--saliency-bn"},
    {SC_OPT_KL_DETACH, "--kl-detach-target"},
};

void sc_mode_config_default(sc_mode_config *m) {
    memset(m, 0, sizeof *m);
    m->kind = SC_MODE_STANDARD;
    m->lambda = 1.0f;
    m->k = 0.5f;
    m->mask = SC_MASK_LOWEST;
    m->tau = 0.9f;
    m->k_min = 0.1f;
    m->k_max = 0.9f;
    m->fill = SC_FILL_UNIFORM;
    m->eps = 8.0f / 255.0f;
    m->eps_warmup = 5.0f;
    m->gamma = 1.0f;
    m->steps = 1;
    m->step_size = 2.5f;
    m->saliency = SC_REDUCE_MEAN;
    m->saliency_bn_batch = 0;
    m->kl_detach_target = 0;
}

sc_status sc_mode_parse(const char *name, sc_mode_kind *out, sc_error *err) {
    for (int i = 0; i < SC_MODE_COUNT; i++)
        if (strcmp(name, mode_names[i]) == 0) {
            *out = (sc_mode_kind)i;
            return SC_OK;
        }
    return sc_fail(err, SC_ERR_USAGE, "--mode: unknown mode '%s' (expected standard, adv, sgt, "
                   "scaat or asgt)", name);
}

const char *sc_mode_name(sc_mode_kind kind) {
    return kind >= 0 && kind < SC_MODE_COUNT ? mode_names[kind] : "unknown";
}

unsigned sc_mode_options_used(sc_mode_kind kind) {
    const unsigned saliency = SC_OPT_SALIENCY | SC_OPT_SALIENCY_BN;
    const unsigned kl = SC_OPT_LAMBDA | SC_OPT_KL_DETACH;
    const unsigned mask = SC_OPT_K | SC_OPT_MASK | SC_OPT_TAU | SC_OPT_K_MIN | SC_OPT_K_MAX;
    const unsigned attack = SC_OPT_EPS | SC_OPT_STEPS | SC_OPT_STEP_SIZE;
    switch (kind) {
    case SC_MODE_STANDARD: return 0;
    case SC_MODE_ADV: return attack;
    case SC_MODE_SGT: return saliency | kl | mask | SC_OPT_FILL;
    case SC_MODE_SCAAT: return saliency | kl | mask | attack | SC_OPT_EPS_WARMUP | SC_OPT_GAMMA;
    case SC_MODE_ASGT: return saliency | kl | SC_OPT_K | SC_OPT_FILL | SC_OPT_EPS;
    case SC_MODE_COUNT: break;
    }
    return 0;
}

const char *sc_mode_option_name(unsigned bit) {
    for (size_t i = 0; i < sizeof option_names / sizeof option_names[0]; i++)
        if (option_names[i].bit == bit)
            return option_names[i].name;
    return "?";
}

static sc_status check_range(const char *name, double v, double lo, double hi, int open_lo,
                             int open_hi, sc_error *err) {
    int below = open_lo ? !(v > lo) : !(v >= lo);
    int above = open_hi ? !(v < hi) : !(v <= hi);
    if (below || above)
        return sc_fail(err, SC_ERR_USAGE, "%s %g is out of range: expected a value in %c%g, %g%c",
                       name, v, open_lo ? '(' : '[', lo, hi, open_hi ? ')' : ']');
    return SC_OK;
}

sc_status sc_mode_config_resolve(sc_mode_config *m, sc_error *err) {
    unsigned used = sc_mode_options_used(m->kind);
    unsigned stray = m->given & ~used;
    if (stray) {
        unsigned bit = stray & -stray;
        return sc_fail(err, SC_ERR_USAGE, "%s does not apply to --mode %s", sc_mode_option_name(bit),
                       sc_mode_name(m->kind));
    }
    if (m->kind == SC_MODE_ASGT && !(m->given & SC_OPT_K))
        m->k = 0.3f;
    if (!(m->given & SC_OPT_STEP_SIZE))
        m->step_size = m->kind == SC_MODE_ASGT ? 1.0f : 2.5f / (float)m->steps;
    if (m->kind == SC_MODE_ASGT)
        m->steps = 1;
    SC_TRY(check_range("--lambda", m->lambda, 0.0, 1000.0, 0, 0, err));
    SC_TRY(check_range("--k", m->k, 0.0, 1.0, 1, 1, err));
    SC_TRY(check_range("--tau", m->tau, 0.0, 1.0, 1, 0, err));
    SC_TRY(check_range("--k-min", m->k_min, 0.0, 1.0, 0, 0, err));
    SC_TRY(check_range("--k-max", m->k_max, 0.0, 1.0, 0, 0, err));
    if (m->k_min > m->k_max)
        return sc_fail(err, SC_ERR_USAGE, "--k-min %g is larger than --k-max %g", (double)m->k_min,
                       (double)m->k_max);
    SC_TRY(check_range("--eps", m->eps, 0.0, 1.0, 0, 0, err));
    SC_TRY(check_range("--eps-warmup", m->eps_warmup, 0.0, 100000.0, 0, 0, err));
    SC_TRY(check_range("--gamma", m->gamma, 0.0, 100.0, 0, 0, err));
    SC_TRY(check_range("--steps", m->steps, 1.0, 1000.0, 0, 0, err));
    SC_TRY(check_range("--step-size", m->step_size, 0.0, 100.0, 1, 0, err));
    return SC_OK;
}

float sc_mode_eps_at(const sc_mode_config *m, int epoch) {
    if (m->kind != SC_MODE_SCAAT || m->eps_warmup <= 0.0f)
        return m->eps;
    float ramp = (float)(epoch + 1) / m->eps_warmup;
    return m->eps * (ramp < 1.0f ? ramp : 1.0f);
}

const char *sc_reduce_kind_name(sc_reduce_kind r) {
    switch (r) {
    case SC_REDUCE_MEAN: return "mean";
    case SC_REDUCE_MAX: return "max";
    case SC_REDUCE_SUM: return "sum";
    case SC_REDUCE_SIGNED: return "signed";
    }
    return "unknown";
}

const char *sc_mask_kind_name(sc_mask_kind k) { return k == SC_MASK_MASS ? "mass" : "lowest"; }

const char *sc_fill_kind_name(sc_fill_kind f) { return f == SC_FILL_MEAN ? "mean" : "uniform"; }

float sc_channel_lo(const sc_channel_norm *norm, int c) { return (0.0f - norm->mean[c]) / norm->std[c]; }

float sc_channel_hi(const sc_channel_norm *norm, int c) { return (1.0f - norm->mean[c]) / norm->std[c]; }

static void write_channels_json(const sc_mode_config *m, const sc_channel_norm *norm,
                                sc_json_writer *w) {
    enum { MEAN, STD, LO, HI, EPS, ROWS };
    static const char *const keys[ROWS] = {"norm_mean", "norm_std", "valid_lo", "valid_hi",
                                           "eps_per_channel"};
    int perturbs = (sc_mode_options_used(m->kind) & SC_OPT_EPS) != 0;
    for (int r = 0; r < ROWS; r++) {
        if (r == EPS && !perturbs)
            continue;
        sc_json_key(w, keys[r]);
        sc_json_begin_array(w);
        for (int c = 0; c < norm->channels; c++) {
            float v = r == MEAN ? norm->mean[c] : r == STD ? norm->std[c]
                    : r == LO ? sc_channel_lo(norm, c) : r == HI ? sc_channel_hi(norm, c)
                    : m->eps / norm->std[c];
            sc_json_value_float(w, v);
        }
        sc_json_end_array(w);
    }
}

void sc_mode_config_write_json(const sc_mode_config *m, const sc_channel_norm *norm,
                               sc_json_writer *w) {
    unsigned used = sc_mode_options_used(m->kind);
    if (used & SC_OPT_LAMBDA)
        sc_json_field_float(w, "lambda", m->lambda);
    if (used & SC_OPT_K)
        sc_json_field_float(w, "k", m->k);
    if (used & SC_OPT_MASK) {
        sc_json_field_string(w, "mask", sc_mask_kind_name(m->mask));
        sc_json_field_float(w, "tau", m->tau);
        sc_json_field_float(w, "k_min", m->k_min);
        sc_json_field_float(w, "k_max", m->k_max);
    } else if (used & SC_OPT_K) {
        sc_json_field_string(w, "mask", "lowest");
    }
    if (used & SC_OPT_FILL)
        sc_json_field_string(w, "fill", sc_fill_kind_name(m->fill));
    if (used & SC_OPT_EPS)
        sc_json_field_float(w, "eps", m->eps);
    if (used & SC_OPT_EPS_WARMUP)
        sc_json_field_float(w, "eps_warmup_epochs", m->eps_warmup);
    if (used & SC_OPT_GAMMA)
        sc_json_field_float(w, "gamma", m->gamma);
    if (used & SC_OPT_EPS) {
        sc_json_field_int(w, "attack_steps", m->steps);
        sc_json_field_float(w, "step_size", m->step_size);
    }
    if (used & SC_OPT_SALIENCY) {
        sc_json_field_string(w, "saliency", sc_reduce_kind_name(m->saliency));
        sc_json_field_string(w, "saliency_bn", m->saliency_bn_batch ? "batch" : "eval");
        sc_json_field_string(w, "saliency_target", "label");
    }
    if (used & SC_OPT_KL_DETACH)
        sc_json_field_bool(w, "kl_detach_target", m->kl_detach_target);
    if (norm->channels > 0)
        write_channels_json(m, norm, w);
}
