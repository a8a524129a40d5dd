/* Saliency-quality metrics and robust accuracy of one model over a selection of test images
 * (`scaat evaluate`), batched on the device: every per-pixel and per-copy computation is a
 * backend op; the host only gathers per-sample results and aggregates them.
 *
 * Metrics (definitions in tools/docs/metrics.md):
 *   gini, hoyer, entropy      sparsity of the map (map_gini, map_sparsity)
 *   deletion, insertion       AUC of the target probability while pixels are removed / restored
 *   masked-accuracy           accuracy with the p% most salient pixels set to 0, p = 0..90
 *   road                      ROAD MoRF and LeRF accuracy curves with noisy linear imputation
 *   faithfulness              Pearson correlation of sum_S s and f_t(x) - f_t(x_S)
 *   max-sensitivity           max relative change of the map under uniform input noise
 *   randomisation             Spearman correlation of the map with the cascading-randomised
 *                             model's map, layer by layer from the top
 *   robust                    accuracy under FGSM and PGD-20 (l_inf)
 * Each metric yields one or more per-sample "fields" (a scalar, some with a curve). A NaN field
 * value is left out of the means and counted as degenerate: every map-based field of a sample
 * whose map is degenerate (all zero or NaN) is NaN. */
#ifndef SC_METRICS_H
#define SC_METRICS_H

#include <stdint.h>

#include "datasets/dataset.h"
#include "methods.h"
#include "selection.h"

typedef enum sc_metric {
    SC_METRIC_GINI = 0,
    SC_METRIC_HOYER,
    SC_METRIC_ENTROPY,
    SC_METRIC_DELETION,
    SC_METRIC_INSERTION,
    SC_METRIC_MASKED_ACCURACY,
    SC_METRIC_ROAD,
    SC_METRIC_FAITHFULNESS,
    SC_METRIC_MAX_SENSITIVITY,
    SC_METRIC_RANDOMISATION,
    SC_METRIC_ROBUST,
    SC_METRIC_COUNT
} sc_metric;

#define SC_METRIC_BIT(m) (1u << (m))

const char *sc_metric_name(sc_metric m); /* "gini", "masked-accuracy", ... */
/* Comma-separated metric names -> a set of SC_METRIC_BIT; "all" selects every metric.
 * SC_ERR_USAGE with one line naming an unknown entry and the choices. */
sc_status sc_metric_parse_list(const char *list, unsigned *out, sc_error *err);
/* Every metric except randomisation and road (the slow ones). */
unsigned sc_metric_default_set(void);

/* The masked-accuracy and ROAD curves have points at p = 0, 10, ..., 90 % of the pixels. */
#define SC_METRIC_PERCENT_POINTS 10

/* Per-sample output fields. */
typedef enum sc_metric_field {
    SC_FIELD_GINI = 0,
    SC_FIELD_HOYER,
    SC_FIELD_ENTROPY,
    SC_FIELD_DELETION,        /* AUC; curve: probability after step k = 0..steps */
    SC_FIELD_INSERTION,       /* AUC; curve as deletion */
    SC_FIELD_MASKED_ACCURACY, /* area over p in [0, 0.9]; curve: correct (1/0) at p = 0..90 % */
    SC_FIELD_ROAD_MORF,       /* AOPC; curve: correct at p = 0, 10, .., 90 % (0 = clean) */
    SC_FIELD_ROAD_LERF,
    SC_FIELD_FAITHFULNESS,
    SC_FIELD_MAX_SENSITIVITY,
    SC_FIELD_RANDOMISATION,   /* mean over layers; curve: Spearman after each re-initialisation */
    SC_FIELD_FGSM,            /* 1/0: still correct under FGSM */
    SC_FIELD_PGD,             /* 1/0: still correct under PGD */
    SC_FIELD_COUNT
} sc_metric_field;

typedef struct sc_metric_field_info {
    const char *name;  /* JSON key and CSV column: "deletion_auc", ... */
    const char *curve; /* prefix of the curve's CSV columns ("deletion" -> deletion_0..), or NULL */
    sc_metric metric;  /* the metric that produces it */
    int map_based;     /* NaN where the sample's map is degenerate */
    int higher_better; /* 1 higher is better, 0 lower is better */
} sc_metric_field_info;

const sc_metric_field_info *sc_metric_field_get(sc_metric_field f);

/* Everything a run uses; the fixed protocol constants are fields too, so metrics.json
 * records them. */
typedef struct sc_metric_config {
    unsigned metrics;       /* set of SC_METRIC_BIT */
    sc_method_config method;
    int batch;              /* images per batch */
    int internal_batch;     /* images per forward of perturbed copies (>= batch) */
    int target_label;       /* explain the label (1) or the predicted class (0) */
    int correct_only;       /* keep only samples the model classifies correctly */
    uint64_t seed;          /* keys every random draw of the metrics */
    int steps;              /* deletion / insertion steps (curve of steps + 1 points) */
    int blur_kernel;        /* insertion's start image: Gaussian blur, kernel 11, */
    float blur_sigma;       /*   sigma 5 */
    int road_iterations;    /* Jacobi sweeps of ROAD's linear imputation (100) */
    float road_noise;       /* ROAD's imputation noise std (0.01, normalised units) */
    int faith_subsets;      /* faithfulness: random subsets per sample (100) */
    float faith_fraction;   /*   of this fraction of the pixels (0.05) */
    int sens_copies;        /* max-sensitivity: noisy copies (10) */
    float sens_radius;      /*   uniform noise radius (0.05, normalised units) */
    float eps;              /* robust: l_inf budget in pixel units (8/255) */
    int pgd_steps;          /* 20; step alpha = pgd_alpha * eps / pgd_steps */
    float pgd_alpha;        /* 2.5 */
} sc_metric_config;

void sc_metric_config_default(sc_metric_config *c);

/* The points of a field's curve for this configuration (0 for a scalar-only field);
 * randomisation has one point per parameterised layer of the network. */
int sc_metric_field_points(const sc_metric_config *c, const sc_net *net, sc_metric_field f);
/* Whether the configuration computes a field. */
int sc_metric_field_on(const sc_metric_config *c, sc_metric_field f);

/* Per-sample results of one model. */
typedef struct sc_metric_table {
    int64_t selected;        /* images in the selection */
    double accuracy;         /* clean accuracy over the whole selection (before --correct-only) */
    int64_t count;           /* samples evaluated (after --correct-only) */
    int64_t degenerate_maps; /* of those, samples whose map is all zero or NaN */
    int64_t *index;          /* (count) dataset index */
    int32_t *label, *target, *pred; /* (count) label, explained class, clean prediction */
    int points[SC_FIELD_COUNT];     /* curve points of each field, 0 for none */
    float *value[SC_FIELD_COUNT];   /* (count) scalar per sample, NaN = degenerate; NULL = off */
    float *curve[SC_FIELD_COUNT];   /* (count, points) curve per sample; NULL = none */
} sc_metric_table;

void sc_metric_table_free(sc_metric_table *t);

/* Progress after each batch: samples done out of total. */
typedef void (*sc_metric_progress_fn)(void *ctx, int64_t done, int64_t total);

/* Evaluate net (BN in eval mode) on the selection of ds. The network's parameters are the
 * same after the call as before it (randomisation restores them). */
sc_status sc_metrics_evaluate(sc_net *net, const sc_dataset *ds, const sc_selection *sel,
                              const sc_metric_config *cfg, sc_metric_progress_fn progress,
                              void *progress_ctx, sc_metric_table *out, sc_error *err);

/* Mean, standard deviation (population) and count of a field's finite values, the number of
 * NaN values, and the mean curve over the samples whose scalar is finite. */
typedef struct sc_metric_summary {
    double mean, std;
    int64_t count, degenerate;
    double *curve_mean; /* (points) or NULL; free with sc_metric_summary_free */
    int points;
} sc_metric_summary;

sc_status sc_metric_summarise(const sc_metric_table *t, sc_metric_field f, sc_metric_summary *out,
                              sc_error *err);
void sc_metric_summary_free(sc_metric_summary *s);

#endif
