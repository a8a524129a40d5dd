/* Checks of a checkpoint's tensor values (see checkpoint_values.h). */
#include "checkpoint_values.h"

#include <math.h>
#include <string.h>

sc_status sc_checkpoint_check_values(const char *file, const char *name, const float *values,
                                     int64_t n, sc_error *err) {
    size_t len = strlen(name), suffix = strlen(".running_var");
    int is_variance = len >= suffix && strcmp(name + len - suffix, ".running_var") == 0;
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(values[i]))
            return sc_fail(err, SC_ERR_FORMAT, "%s: tensor '%s' holds %g at element %lld: every "
                           "value must be finite", file, name, (double)values[i], (long long)i);
        if (is_variance && values[i] < 0.0f)
            return sc_fail(err, SC_ERR_FORMAT, "%s: tensor '%s' holds the negative variance %g at "
                           "element %lld", file, name, (double)values[i], (long long)i);
    }
    return SC_OK;
}
