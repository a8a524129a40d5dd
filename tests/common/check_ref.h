/* The reference-fixture tests' assertions over ref_compare.h: a fixture that must open with
 * its model, its network, metadata that must be present and tensors that must have the
 * expected dtype and element count. Header-only, so the Check-free GPU tests that share
 * tests/common never need the Check library. */
#ifndef SC_TEST_CHECK_REF_H
#define SC_TEST_CHECK_REF_H

#include <check.h>
#include <stdio.h>

#include "tests/common/ref_compare.h"

#define SC_REF_KEY_LEN 160
#define SC_REF_WHY_LEN 512

/* sc_ref_fixture_open, which must succeed. */
static inline void sc_check_fixture_open(sc_st_file *file, const char *rel, const char *format,
                                         sc_model_spec *spec, int *batch) {
    char why[SC_REF_WHY_LEN];
    ck_assert_msg(sc_ref_fixture_open(file, rel, format, spec, batch, why, sizeof why) == 0, "%s",
                  why);
}

/* sc_ref_fixture_net, which must succeed. */
static inline void sc_check_fixture_net(const sc_model_spec *spec, float logit_gain,
                                        sc_backend **be, sc_net **net) {
    sc_error err;
    sc_error_clear(&err);
    ck_assert_msg(sc_ref_fixture_net(spec, logit_gain, be, net, &err) == SC_OK, "%s", err.msg);
}

/* Metadata `key`, which must be present. */
static inline const char *sc_check_meta(const sc_st_file *file, const char *key) {
    const char *v = sc_st_metadata_get(file, key);
    ck_assert_msg(v != NULL, "%s: no metadata '%s'", file->name, key);
    return v;
}

/* A malloc'd copy of tensor `prefix.key` (prefix NULL: `key`), which must have this dtype and
 * element count (numel < 0: any count). */
static inline void *sc_check_ref_copy(const sc_st_file *file, const char *prefix, const char *key,
                                      sc_st_dtype dtype, int64_t numel) {
    char full[SC_REF_KEY_LEN], why[SC_REF_WHY_LEN];
    snprintf(full, sizeof full, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
    void *data = sc_ref_entry_copy(file, full, dtype, numel, why, sizeof why);
    ck_assert_msg(data != NULL, "%s", why);
    return data;
}

#endif
