/* .npy v1.0 writer (see npy.h). The host is assumed little-endian, as every platform the
 * engine builds for is. */
#include "npy.h"

#include <stdio.h>
#include <string.h>

#include "host/core/fileio.h"

sc_status sc_npy_write_f32(const char *path, const float *data, int ndim, const int64_t *shape,
                           sc_error *err) {
    if (ndim < 1 || ndim > 4)
        return sc_fail(err, SC_ERR_INTERNAL, "%s: .npy arrays of %d dimensions are not written",
                       path, ndim);
    char dims[128] = "";
    size_t count = 1;
    for (int i = 0; i < ndim; i++) {
        size_t used = strlen(dims);
        snprintf(dims + used, sizeof dims - used, ndim == 1 ? "%lld," : i ? " %lld" : "%lld",
                 (long long)shape[i]);
        if (ndim > 1 && i < ndim - 1)
            strncat(dims, ",", sizeof dims - strlen(dims) - 1);
        count *= (size_t)shape[i];
    }
    char header[256];
    int dict = snprintf(header + 10, sizeof header - 10,
                        "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", dims);
    size_t total = (size_t)(10 + dict + 1 + 63) / 64 * 64; /* magic, length, dict, '\n' */
    memcpy(header, "\x93NUMPY\x01\x00", 8);
    size_t dict_len = total - 10;
    header[8] = (char)(dict_len & 0xff);
    header[9] = (char)(dict_len >> 8);
    memset(header + 10 + dict, ' ', total - 1 - (size_t)(10 + dict));
    header[total - 1] = '\n';
    sc_file_chunk chunks[2] = {{header, total}, {data, count * sizeof(float)}};
    return sc_file_write_atomic_chunks(path, chunks, 2, err);
}
