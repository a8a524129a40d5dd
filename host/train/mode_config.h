/* The training modes (standard, adv, sgt, scaat, asgt) and every knob of the saliency-guided
 * ones, with their defaults, validation and JSON record. What each mode computes is explained
 * in tools/docs/training-modes.md; the CLI fills this from options. */
#ifndef SC_MODE_CONFIG_H
#define SC_MODE_CONFIG_H

#include "host/backend/backend.h"
#include "host/core/json_write.h"

typedef enum sc_mode_kind {
    SC_MODE_STANDARD = 0,
    SC_MODE_ADV,
    SC_MODE_SGT,
    SC_MODE_SCAAT,
    SC_MODE_ASGT,
    SC_MODE_COUNT
} sc_mode_kind;

/* One bit per option, to tell which were given (an option the mode does not use is a usage
 * error) and which keep the mode's default. */
typedef enum sc_mode_option {
    SC_OPT_LAMBDA = 1 << 0,
    SC_OPT_K = 1 << 1,
    SC_OPT_MASK = 1 << 2,
    SC_OPT_TAU = 1 << 3,
    SC_OPT_K_MIN = 1 << 4,
    SC_OPT_K_MAX = 1 << 5,
    SC_OPT_FILL = 1 << 6,
    SC_OPT_EPS = 1 << 7,
    SC_OPT_EPS_WARMUP = 1 << 8,
    SC_OPT_GAMMA = 1 << 9,
    SC_OPT_STEPS = 1 << 10,
    SC_OPT_STEP_SIZE = 1 << 11,
    SC_OPT_SALIENCY = 1 << 12,
    SC_OPT_SALIENCY_BN = 1 << 13,
    SC_OPT_KL_DETACH = 1 << 14
} sc_mode_option;

typedef struct sc_mode_config {
    sc_mode_kind kind;
    float lambda;          /* weight of the KL term */
    float k;               /* fraction of pixels in the mask (lowest rule) */
    sc_mask_kind mask;
    float tau, k_min, k_max; /* mass rule */
    sc_fill_kind fill;     /* sgt / asgt fill of the masked pixels */
    float eps;             /* perturbation budget, pixel units ([0, 1] scale) */
    float eps_warmup;      /* scaat: epochs over which eps ramps up linearly (0 = off) */
    float gamma;           /* scaat: budget exponent */
    int steps;             /* T attack steps */
    float step_size;       /* beta, fraction of the budget per step */
    sc_reduce_kind saliency; /* channel reduction of the input gradient */
    int saliency_bn_batch; /* 1: saliency/attack passes use batch statistics */
    int kl_detach_target;  /* 1: the first argument of KL is detached */
    unsigned given;        /* sc_mode_option bits set by the user */
} sc_mode_config;

/* Dataset normalisation: channel c of an image is (pixel - mean[c]) / std[c]. */
typedef struct sc_channel_norm {
    int channels; /* 0 until a dataset is known */
    float mean[SC_MAX_CHANNELS];
    float std[SC_MAX_CHANNELS];
} sc_channel_norm;

/* The valid range of channel c in normalised units: the images of pixels 0 and 1. */
float sc_channel_lo(const sc_channel_norm *norm, int c);
float sc_channel_hi(const sc_channel_norm *norm, int c);

/* Defaults of every knob (mode standard). */
void sc_mode_config_default(sc_mode_config *m);
/* "standard" | "adv" | "sgt" | "scaat" | "asgt". */
sc_status sc_mode_parse(const char *name, sc_mode_kind *out, sc_error *err);
const char *sc_mode_name(sc_mode_kind kind);
/* Option bits the mode uses. */
unsigned sc_mode_options_used(sc_mode_kind kind);
/* The command-line name of an option bit ("--k"). */
const char *sc_mode_option_name(unsigned bit);
/* Apply the mode's own defaults to options not given (asgt: k 0.3; beta 2.5/T or 1 for asgt),
 * then check ranges and that every given option applies to the mode (SC_ERR_USAGE). */
sc_status sc_mode_config_resolve(sc_mode_config *m, sc_error *err);
/* The perturbation budget of an epoch (0-based): eps * min(1, (epoch + 1) / warmup). */
float sc_mode_eps_at(const sc_mode_config *m, int epoch);
/* Names of the enum values, for config.json and --help. */
const char *sc_reduce_kind_name(sc_reduce_kind r);
const char *sc_mask_kind_name(sc_mask_kind k);
const char *sc_fill_kind_name(sc_fill_kind f);
/* Every value the mode uses, as members of the current JSON object, with the normalisation
 * and what it implies per channel (valid range; eps in normalised units for modes that
 * perturb) when the dataset is known. */
void sc_mode_config_write_json(const sc_mode_config *m, const sc_channel_norm *norm,
                               sc_json_writer *w);

#endif
