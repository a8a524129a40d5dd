/* Sparsity of the maps: Gini (map_gini, already computed by the driver for every map since it
 * also tells degenerate maps apart), Hoyer and entropy (map_sparsity). */
#include "metric_batch.h"

sc_status sc_metric_sparsity(sc_metric_batch *b, sc_error *err) {
    sc_backend *be = b->be;
    const sc_metric_config *cfg = b->cfg;
    if (sc_metric_field_on(cfg, SC_FIELD_GINI))
        SC_TRY(sc_metric_op(b, be->ops->copy(be, b->value[SC_FIELD_GINI].data, b->gini.data,
                                             (size_t)b->n * sizeof(float)),
                            "gini", err));
    int hoyer = sc_metric_field_on(cfg, SC_FIELD_HOYER);
    int entropy = sc_metric_field_on(cfg, SC_FIELD_ENTROPY);
    if (!hoyer && !entropy)
        return SC_OK;
    sc_tensor map = sc_metric_cur(b, &b->map);
    sc_tensor h = sc_metric_cur(b, &b->value[SC_FIELD_HOYER]);
    sc_tensor e = sc_metric_cur(b, &b->value[SC_FIELD_ENTROPY]);
    return sc_metric_op(b, be->ops->map_sparsity(be, &map, hoyer ? &h : NULL,
                                                 entropy ? &e : NULL),
                        "hoyer / entropy", err);
}
