/* Small image folders for tests of the image-folder reader and the decode pipeline:
 * DIR/train/<class>/... and DIR/val/<class>/... PNG files whose class is easy to learn (class k
 * is a bright square in its own place and colour on a noisy background). */
#ifndef SC_TEST_IMAGE_FOLDER_H
#define SC_TEST_IMAGE_FOLDER_H

#include <stddef.h>
#include <stdint.h>

/* Class folders "class_0" ... and files "img_<i>.png" of size x size pixels, RGB.
 * Returns 0 on success. */
int sc_test_write_image_folder(const char *dir, int classes, int train_per_class,
                               int val_per_class, int size, uint64_t seed);

/* Write `bytes` bytes of `data` to path (for bad files); returns 0 on success. */
int sc_test_write_bytes(const char *path, const void *data, size_t bytes);

#endif
