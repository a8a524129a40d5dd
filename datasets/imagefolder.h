/* Image folders in torchvision's ImageFolder layout: DIR/train/<class>/... and
 * DIR/val/<class>/..., every file under a class folder (subfolders included) whose name ends
 * (case-insensitively) in one of torchvision's IMG_EXTENSIONS (.jpg .jpeg .png .ppm .bmp .pgm
 * .tif .tiff .webp); other files are ignored and counted. Class index = position of the class
 * folder name in byte order; files in the order of torchvision's make_dataset (directories by
 * path, files by name, byte order), so sample i is torchvision's sample i. Both splits must
 * have the same class folders. A class folder with no image is an error (as torchvision's),
 * or, with skip_bad, a class without samples.
 *
 * The index (relative paths in one blob + offsets, int32 labels) lives in memory: about
 * 50 bytes per image, so 1.28 M images take some 70 MB; images are read one at a time by the
 * source's read_sample (decode + transform of transform.h, in the caller's thread). JPEG, PNG
 * and TIFF decode; other listed formats are bad images (SC_ERR_FORMAT naming the file). */
#ifndef SC_IMAGEFOLDER_H
#define SC_IMAGEFOLDER_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "registry.h"
#include "source.h"

typedef struct sc_folder_index {
    char root[1024];        /* DIR/<split> */
    int num_classes;
    char *class_blob;       /* class names, each NUL-terminated */
    const char **classes;   /* (num_classes) pointers into class_blob */
    int64_t count;          /* images */
    char *path_blob;        /* relative paths "<class>/.../<file>", each NUL-terminated */
    int64_t *path_offsets;  /* (count) */
    int32_t *labels;        /* (count) */
    int64_t ignored_files;  /* files without an image extension */
    int empty_classes;      /* class folders without an image (only kept with allow_empty) */
} sc_folder_index;

/* Walk root (DIR/train or DIR/val) into idx. allow_empty: keep empty class folders. */
sc_status sc_folder_index_build(const char *root, int allow_empty, sc_folder_index *idx,
                                sc_error *err);

/* SC_OK when other_root (the other split) has exactly idx's class folders; else
 * SC_ERR_FORMAT naming the first difference. */
sc_status sc_folder_check_classes(const sc_folder_index *idx, const char *other_root,
                                  sc_error *err);

/* "root/relative path" of image i into buf; returns buf. */
const char *sc_folder_index_path(const sc_folder_index *idx, int64_t i, char *buf, size_t len);

/* 1 when the file name ends in one of the extensions above (any case). */
int sc_folder_is_image_name(const char *name);

void sc_folder_index_free(sc_folder_index *idx);

/* The reader of the "imagefolder" table entry: split "train" or "val" of req->dir. */
sc_status sc_imagefolder_open(const sc_reader *reader, const sc_data_request *req,
                              sc_source **out, sc_error *err);

/* The index a folder source reads from (data-check walks it); NULL for other sources. */
const sc_folder_index *sc_imagefolder_index_of(const sc_source *src);
/* Its decode options (channels, pixel limit); NULL for other sources. */
const sc_decode_options *sc_imagefolder_decode_options(const sc_source *src);

/* The whole file at path into *buf (grown to *capacity as needed), *bytes its size; an empty
 * or over-large (1 GiB) file is SC_ERR_FORMAT, an unreadable one SC_ERR_IO. */
sc_status sc_imagefolder_read_file(const char *path, uint8_t **buf, size_t *capacity,
                                   size_t *bytes, sc_error *err);

#endif
