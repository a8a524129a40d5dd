/* Which test images `scaat explain` and `scaat evaluate` work on: an explicit list of indices
 * ("--indices 0,5,9") or the first `limit` images, and host batches of them normalised exactly
 * as the loader normalises evaluation batches. */
#ifndef SC_SELECTION_H
#define SC_SELECTION_H

#include <stdint.h>

#include "datasets/dataset.h"

typedef struct sc_selection {
    int64_t *indices; /* (count) dataset indices, in the order given */
    int64_t count;
} sc_selection;

/* "--indices 0,5,9" or the first `limit` (0 = all, more than the dataset holds = all);
 * indices_or_null takes precedence (limit is then ignored). SC_ERR_USAGE with one line for an
 * out-of-range or malformed index, a negative limit, or an empty selection (the CLI turns
 * `--limit 0` into a usage error itself, since 0 means "all" here). */
sc_status sc_selection_make(const sc_dataset *ds, const char *indices_or_null, int64_t limit,
                            sc_selection *out, sc_error *err);
void sc_selection_free(sc_selection *s);
/* Fill host buffers (n images normalised as the loader does, n labels) for selection entries
 * [first, first+n): images (n, C, H, W), labels (n). */
sc_status sc_selection_batch(const sc_dataset *ds, const sc_selection *s, int64_t first, int n,
                             float *images, int32_t *labels, sc_error *err);

#endif
