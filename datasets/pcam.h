/* PatchCamelyon from its official HDF5 files:
 *   DIR/camelyonpatch_level_2_split_{train,valid,test}_x.h5: dataset "x", (N, 96, 96, 3) uint8
 *   DIR/camelyonpatch_level_2_split_{train,valid,test}_y.h5: dataset "y", (N, 1, 1, 1) uint8,
 *   each 0 (no tumour) or 1 (tumour).
 * Training reads the train split; evaluation reads valid (default) or test
 * (sc_data_config.pcam_eval_test). The labels (N bytes) are read at open; images are read one
 * at a time as a hyperslab of "x", never the whole split. libhdf5 builds are usually not
 * thread-safe, so the source serialises its HDF5 calls with a mutex of its own; resizing,
 * flipping and normalising run in parallel in the workers.
 *
 * Transform: Resize(image_size) of the whole 96 x 96 patch (none at the default 96), then, for
 * training, a horizontal flip with p = 0.5 drawn as transform.h draws it (Philox keyed by
 * (seed, epoch, index)), then normalisation (ImageNet mean/std by default).
 * Bad files (missing, wrong shape, wrong type, missing dataset, labels out of range, x and y of
 * different lengths) give one line naming the file and what was expected. */
#ifndef SC_PCAM_H
#define SC_PCAM_H

#include "registry.h"
#include "source.h"

#define SC_PCAM_SIDE 96

/* The reader of the "pcam" table entry; SC_ERR_UNSUPPORTED in builds without HDF5. */
sc_status sc_pcam_open(const sc_reader *reader, const sc_data_request *req, sc_source **out,
                       sc_error *err);

/* For `scaat info`: "yes (HDF5 library version: x.y.z)" or "no (this build has no HDF5)". */
const char *sc_pcam_build_info(void);

#endif
