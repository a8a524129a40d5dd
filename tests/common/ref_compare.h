/* Comparing the engine with a PyTorch reference fixture (tests/make_fixtures.py,
 * make_mode_fixtures.py, make_explain_fixtures.py): opening a fixture and building the network
 * it was made with, typed entries of it, and a report of the worst error per kind of comparison
 * with the failures in words. Check-free, so any test can use it; the caller turns a NULL entry
 * or a failed report into its own assertion. Errors, stated once:
 *   tensors: max |engine - reference| / max |reference| (a NaN never passes);
 *   scalars: |engine - reference| / |reference|;
 *   gradient sums: |sum_engine - sum_ref| / sum |ref| (the sum itself may be 0);
 *   gradient norms: |norm_engine - norm_ref| / norm_ref;
 *   exact: a count of differing elements (masks), which must be 0. */
#ifndef SC_REF_COMPARE_H
#define SC_REF_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "host/backend/backend.h"
#include "host/core/safetensors.h"
#include "host/nn/net.h"
#include "models/resnet.h"

typedef enum sc_ref_kind {
    SC_REF_SCALAR = 0,
    SC_REF_TENSOR,
    SC_REF_SUM,
    SC_REF_NORM,
    SC_REF_EXACT,
    SC_REF_KINDS
} sc_ref_kind;

typedef struct sc_ref_report {
    double tolerance;
    int failures;
    double worst[SC_REF_KINDS];
    char text[4096]; /* the first failures, one per line */
} sc_ref_report;

void sc_ref_report_init(sc_ref_report *r, double tolerance);
/* One comparison's error (kind SC_REF_EXACT: a count that must be 0). */
void sc_ref_record(sc_ref_report *r, sc_ref_kind kind, const char *name, double error);
void sc_ref_compare_tensor(sc_ref_report *r, const char *name, const float *engine,
                           const float *reference, size_t n);
void sc_ref_compare_scalar(sc_ref_report *r, const char *name, double engine, double reference);
/* Sum and L2 norm of an engine gradient against (sum, L2 norm, L1 norm) of the reference's. */
void sc_ref_compare_grad_stats(sc_ref_report *r, const char *name, const float *grad, int64_t n,
                               const double stats[3]);
/* "scalars 1.2e-07, tensors ..." for the kinds compared so far. */
void sc_ref_summary(const sc_ref_report *r, char *buf, size_t len);

/* Opens the fixture SCAAT_SOURCE_DIR/rel, whose metadata "format" must be `format`, and reads
 * the model it was made with (metadata model, stem, in_channels, num_classes, height, width)
 * and its batch (metadata batch, > 0). Returns 0, or -1 with the reason in why (the file is
 * then closed). */
int sc_ref_fixture_open(sc_st_file *file, const char *rel, const char *format,
                        sc_model_spec *spec, int *batch, char *why, size_t why_len);

/* The fixture's network on a new 2-thread CPU backend: spec with the closed-form parameters
 * (closed_form_params.h), fc.weight and fc.bias then multiplied by logit_gain (a power of two,
 * exact, as the reference scripts do; 1 leaves them). On failure nothing is left allocated. */
sc_status sc_ref_fixture_net(const sc_model_spec *spec, float logit_gain, sc_backend **be,
                             sc_net **net, sc_error *err);

/* The entry `name` with this dtype and element count (numel < 0: any count), or NULL with the
 * reason in why. */
const sc_st_entry *sc_ref_entry(const sc_st_file *f, const char *name, sc_st_dtype dtype,
                                int64_t numel, char *why, size_t why_len);
/* A malloc'd copy of such an entry's data (the file's data may be unaligned), or NULL. */
void *sc_ref_entry_copy(const sc_st_file *f, const char *name, sc_st_dtype dtype, int64_t numel,
                        char *why, size_t why_len);

#endif
