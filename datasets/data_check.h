/* A walk over every sample of a split with a pool of threads (scaat data-check): each image
 * is read and decoded in full (image folders: its size from the header, the pixels with the
 * split's channels and pixel limit; other sources: the sample through read_sample), so every
 * bad file is found, not only the first. Counts per class, image sizes, bad samples with their
 * reasons, and the decode throughput. */
#ifndef SC_DATA_CHECK_H
#define SC_DATA_CHECK_H

#include <stdint.h>

#include "source.h"

#define SC_DATA_CHECK_NAMED_BAD 20 /* bad samples reported with their reason */

typedef struct sc_data_check_result {
    int64_t count;          /* samples walked */
    int64_t bad;            /* samples that failed */
    int64_t *class_counts;  /* (num_classes): good samples per class */
    int32_t *widths, *heights; /* (count): full size of each good image (0 for bad ones) */
    int named_bad;
    char bad_lines[SC_DATA_CHECK_NAMED_BAD][SC_ERROR_MSG_LEN]; /* the first bad ones by index */
    double seconds;         /* wall time of the walk */
} sc_data_check_result;

/* Walk src with `workers` threads (>= 1). Bad samples are results, not failures: the status
 * is not SC_OK only for memory or thread failures. */
sc_status sc_data_check_run(const sc_source *src, int workers, sc_data_check_result *r,
                            sc_error *err);

/* min, median (lower middle) and max of the good images' widths (which = 0) or heights (1). */
void sc_data_check_sizes(const sc_data_check_result *r, int which, int32_t *min, int32_t *median,
                         int32_t *max);

void sc_data_check_free(sc_data_check_result *r);

#endif
