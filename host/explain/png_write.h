/* 8-bit RGB images to PNG files for heatmaps and plots: encoded with libpng into memory, then
 * written atomically (temporary file, fsync, rename; host/core/fileio.h). Internal to
 * host/explain. */
#ifndef SC_PNG_WRITE_H
#define SC_PNG_WRITE_H

#include <stdint.h>

#include "host/core/status.h"

/* rgb is (height, width, 3), row-major. SC_ERR_IO with the path and the reason when the file
 * cannot be written (the old file, if any, is left as it was); SC_ERR_OOM when memory runs out. */
sc_status sc_png_write_rgb(const char *path, const uint8_t *rgb, int width, int height,
                           sc_error *err);

#endif
