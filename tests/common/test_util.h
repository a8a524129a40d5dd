/* Helpers shared by the tests: scratch directories, deterministic random data, comparisons. */
#ifndef SC_TEST_UTIL_H
#define SC_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* A fresh empty directory under $TMPDIR (or /tmp), e.g. "/tmp/scaat-test-loader-XXXXXX".
 * Writes the path into buf (len >= 64) and returns buf, or NULL on failure. */
char *sc_test_tmpdir(const char *tag, char *buf, size_t len);
/* Remove a directory made by sc_test_tmpdir and everything in it. */
void sc_test_rmtree(const char *path);

/* Number of entries of dir (without . and ..), their names space-separated into names;
 * -1 when dir cannot be read. */
int sc_test_dir_entries(const char *dir, char *names, size_t len);

/* Fill with uniform values in [lo, hi) from Philox keyed by (seed, 0, SC_RNG_TEST). */
void sc_test_fill_uniform(float *x, size_t n, uint64_t seed, float lo, float hi);

/* max_i |a_i - b_i| / max(|b|_inf, floor): an error normalised by the reference's scale. */
double sc_test_max_rel_err(const float *a, const float *b, size_t n, double floor);
/* Number of NaN / Inf entries. */
size_t sc_test_count_nonfinite(const float *x, size_t n);

/* A number member of the JSON object in a file (metrics.json, ...); NaN when the file, the
 * document or the key is missing or not a number. */
double sc_test_json_number(const char *path, const char *key);

/* Path of a file in the source tree: SCAAT_SOURCE_DIR "/" rel. */
const char *sc_test_source_path(const char *rel, char *buf, size_t len);

#endif
