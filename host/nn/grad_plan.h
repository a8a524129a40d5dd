/* Placement of the gradient buffers of an activation plan by lifetime in the backward pass
 * (see grad_plan.c). Used by sc_acts_create. */
#ifndef SC_GRAD_PLAN_H
#define SC_GRAD_PLAN_H

#include <stddef.h>

#include "net.h"

/* storage_root (n_values): the value whose buffer each value uses (in-place layers);
 * has_grad (n_values): whether the value needs a gradient; value_bytes (n_values): sizes.
 * Writes grad_offset[root] (relative to one block) for every storage root of a value with a
 * gradient, and the block's size into *total_bytes. */
sc_status sc_grad_plan(const sc_net *net, const int *storage_root, const int *has_grad,
                       const size_t *value_bytes, size_t *grad_offset, size_t *total_bytes,
                       sc_error *err);

#endif
