/* NumPy .npy files (format version 1.0) of little-endian float32 arrays, for raw saliency maps
 * that Python reads with numpy.load. Written atomically (host/core/fileio.h). */
#ifndef SC_NPY_H
#define SC_NPY_H

#include <stdint.h>

#include "host/core/status.h"

/* data: C-order float32 array of the given shape (1 <= ndim <= 4). The header is
 * "\x93NUMPY" 1 0, a little-endian uint16 length, and the dict
 * {'descr': '<f4', 'fortran_order': False, 'shape': (...), } padded with spaces and ended by
 * '\n' so that magic + length + dict is a multiple of 64 bytes. */
sc_status sc_npy_write_f32(const char *path, const float *data, int ndim, const int64_t *shape,
                           sc_error *err);

#endif
