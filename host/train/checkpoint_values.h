/* The values a checkpoint may hold, checked when it is loaded: every parameter, statistic and
 * optimizer buffer finite, every batch-norm running variance non-negative. A file with bytes
 * that parse but would train or evaluate into NaN is refused naming the tensor. */
#ifndef SC_CHECKPOINT_VALUES_H
#define SC_CHECKPOINT_VALUES_H

#include <stdint.h>

#include "host/core/status.h"

/* The n values of tensor `name` (a variance when the name ends in ".running_var") of checkpoint
 * file `file`: SC_OK, or SC_ERR_FORMAT naming the tensor, the element and the value. */
sc_status sc_checkpoint_check_values(const char *file, const char *name, const float *values,
                                     int64_t n, sc_error *err);

#endif
