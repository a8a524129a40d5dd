/* Comparing the engine with a PyTorch reference fixture (tests/make_mode_fixtures.py): typed
 * entries of a safetensors fixture, and a report of the worst error per kind of comparison
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

#include "host/core/safetensors.h"

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

/* The entry `name` with this dtype and element count (numel < 0: any count), or NULL with the
 * reason in why. */
const sc_st_entry *sc_ref_entry(const sc_st_file *f, const char *name, sc_st_dtype dtype,
                                int64_t numel, char *why, size_t why_len);
/* A malloc'd copy of such an entry's data (the file's data may be unaligned), or NULL. */
void *sc_ref_entry_copy(const sc_st_file *f, const char *name, sc_st_dtype dtype, int64_t numel,
                        char *why, size_t why_len);

#endif
