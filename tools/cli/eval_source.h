/* The evaluation split a checkpoint is measured on: opened with the checkpoint's input size,
 * channels, evaluation resize (unless --resize is given) and normalisation, so an image folder
 * is transformed exactly as in training, and checked against the checkpoint's model (shape,
 * class count) and class names. */
#ifndef SC_CLI_EVAL_SOURCE_H
#define SC_CLI_EVAL_SOURCE_H

#include "datasets/registry.h"
#include "host/train/checkpoint.h"

/* Open the evaluation split of `dataset` in dir ("" = default) for a checkpoint described by
 * meta (path for messages); data gives the other options (--workers, --resize, ...) and gets
 * the checkpoint's size, channels and normalisation; limit > 0 keeps the first limit samples.
 * SC_ERR_USAGE when the data does not fit the checkpoint. */
sc_status sc_cli_open_eval_source(const char *dataset, const char *dir, const char *path,
                                  const sc_checkpoint_meta *meta, sc_data_config *data,
                                  int64_t limit, sc_source **out, sc_error *err);

/* The test images explain / evaluate work on, as an in-memory dataset: in-memory datasets are
 * loaded whole (sc_dataset_load); image datasets (imagefolder, pcam) are opened for the
 * checkpoint `path` (as above) and the evaluation samples the selection can reach are decoded
 * into memory (sc_source_materialize): up to the largest of `indices` ("0,5,9"), else the
 * first `limit` (0 = all). */
sc_status sc_cli_load_eval_dataset(const char *dataset, const char *dir, const char *path,
                                   const char *indices, int64_t limit, sc_dataset *out,
                                   sc_error *err);

#endif
