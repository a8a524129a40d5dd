/* Host-side per-sample result tables of the metrics evaluation (internal to host/explain):
 * allocation for a configuration, and the rule that a degenerate map voids every map-based
 * field of its sample. */
#ifndef SC_METRIC_TABLE_H
#define SC_METRIC_TABLE_H

#include "metrics.h"

/* Rows for count samples, a value column for every field the configuration computes and a
 * curve for those with points (t must be zeroed). */
sc_status sc_metric_table_alloc(sc_metric_table *t, const sc_metric_config *cfg,
                                const sc_net *net, int64_t count, sc_error *err);
/* Rows [first, first + n): where gini is NaN (a degenerate map) every map-based value becomes
 * NaN and the sample is counted in t->degenerate_maps. */
void sc_metric_table_mark_degenerate(sc_metric_table *t, int64_t first, const float *gini,
                                     int64_t n);

#endif
