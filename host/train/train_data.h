/* A training run's data: both splits of the configured dataset opened as sample sources
 * (datasets/registry.h), the dataset-dependent defaults resolved from them, and the loader
 * settings (workers, queue depth, bad images) that go with a source. */
#ifndef SC_TRAIN_DATA_H
#define SC_TRAIN_DATA_H

#include "datasets/loader.h"
#include "train_config.h"

/* Open the evaluation split, resolve cfg's defaults (stem, crop, flip) from it, open the
 * training split with that augmentation, apply --limit-train/--limit-test, clamp the
 * evaluation batch to the test split, and copy the normalisation into cfg->norm. On failure
 * both are closed and NULL. */
sc_status sc_train_data_open(sc_train_config *cfg, sc_source **train, sc_source **test,
                             sc_error *err);

/* Workers, queue depth and the bad-image policy for a loader over src: image sources get
 * cfg->data.workers (all cores by default) and four batches in the queue; in-memory sources
 * one worker (or --workers) and two batches, as before. */
void sc_train_data_loader_config(const sc_data_config *data, const sc_source *src,
                                 sc_loader_config *lc);

#endif
