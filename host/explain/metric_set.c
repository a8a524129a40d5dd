/* Metric names, the --metrics list, the per-sample fields and the default protocol constants
 * (see metrics.h). */
#include "metrics.h"

#include <stdio.h>
#include <string.h>

#include "host/nn/net_reinit.h"

static const char *const metric_names[SC_METRIC_COUNT] = {
    "gini", "hoyer", "entropy", "deletion", "insertion", "masked-accuracy", "road",
    "faithfulness", "max-sensitivity", "randomisation", "robust"};

static const sc_metric_field_info fields[SC_FIELD_COUNT] = {
    {"gini", NULL, SC_METRIC_GINI, 1, 1},
    {"hoyer", NULL, SC_METRIC_HOYER, 1, 1},
    {"entropy", NULL, SC_METRIC_ENTROPY, 1, 0},
    {"deletion_auc", "deletion", SC_METRIC_DELETION, 1, 0},
    {"insertion_auc", "insertion", SC_METRIC_INSERTION, 1, 1},
    {"masked_accuracy_area", "masked_accuracy", SC_METRIC_MASKED_ACCURACY, 1, 0},
    {"road_morf_aopc", "road_morf", SC_METRIC_ROAD, 1, 1},
    {"road_lerf_aopc", "road_lerf", SC_METRIC_ROAD, 1, 0},
    {"faithfulness", NULL, SC_METRIC_FAITHFULNESS, 1, 1},
    {"max_sensitivity", NULL, SC_METRIC_MAX_SENSITIVITY, 1, 0},
    {"randomisation", "randomisation", SC_METRIC_RANDOMISATION, 1, 0},
    {"fgsm_accuracy", NULL, SC_METRIC_ROBUST, 0, 1},
    {"pgd_accuracy", NULL, SC_METRIC_ROBUST, 0, 1},
};

const char *sc_metric_name(sc_metric m) {
    return (m >= 0 && m < SC_METRIC_COUNT) ? metric_names[m] : "?";
}

const sc_metric_field_info *sc_metric_field_get(sc_metric_field f) { return &fields[f]; }

unsigned sc_metric_default_set(void) {
    unsigned all = SC_METRIC_BIT(SC_METRIC_COUNT) - 1u;
    return all & ~(SC_METRIC_BIT(SC_METRIC_RANDOMISATION) | SC_METRIC_BIT(SC_METRIC_ROAD));
}

static int find_metric(const char *name, size_t len) {
    for (int m = 0; m < SC_METRIC_COUNT; m++)
        if (strlen(metric_names[m]) == len && strncmp(metric_names[m], name, len) == 0)
            return m;
    return -1;
}

sc_status sc_metric_parse_list(const char *list, unsigned *out, sc_error *err) {
    *out = 0;
    if (strcmp(list, "all") == 0) {
        *out = SC_METRIC_BIT(SC_METRIC_COUNT) - 1u;
        return SC_OK;
    }
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        int m = find_metric(p, len);
        if (m < 0)
            return sc_fail(err, SC_ERR_USAGE, "--metrics: unknown metric '%.*s' (expected a "
                           "comma-separated list of gini, hoyer, entropy, deletion, insertion, "
                           "masked-accuracy, road, faithfulness, max-sensitivity, randomisation, "
                           "robust, or all)", (int)len, p);
        *out |= SC_METRIC_BIT(m);
        if (p[len] == '\0')
            return SC_OK;
        p += len + 1;
    }
}

void sc_metric_config_default(sc_metric_config *c) {
    memset(c, 0, sizeof *c);
    c->metrics = sc_metric_default_set();
    sc_method_config_default(&c->method);
    c->batch = 64;
    c->internal_batch = 256;
    c->seed = 1;
    c->method.seed = c->seed;
    c->steps = 100;
    c->blur_kernel = 11;
    c->blur_sigma = 5.0f;
    c->road_iterations = 100;
    c->road_noise = 0.01f;
    c->faith_subsets = 100;
    c->faith_fraction = 0.05f;
    c->sens_copies = 10;
    c->sens_radius = 0.05f;
    c->eps = 8.0f / 255.0f;
    c->pgd_steps = 20;
    c->pgd_alpha = 2.5f;
}

int sc_metric_field_on(const sc_metric_config *c, sc_metric_field f) {
    return (c->metrics & SC_METRIC_BIT(fields[f].metric)) != 0;
}

int sc_metric_field_points(const sc_metric_config *c, const sc_net *net, sc_metric_field f) {
    switch (f) {
    case SC_FIELD_DELETION:
    case SC_FIELD_INSERTION:
        return c->steps + 1;
    case SC_FIELD_MASKED_ACCURACY:
    case SC_FIELD_ROAD_MORF:
    case SC_FIELD_ROAD_LERF:
        return SC_METRIC_PERCENT_POINTS;
    case SC_FIELD_RANDOMISATION: {
        int layers = 0;
        for (int l = 0; l < net->n_layers; l++)
            layers += sc_net_layer_has_params(net, l);
        return layers;
    }
    default:
        return 0;
    }
}
