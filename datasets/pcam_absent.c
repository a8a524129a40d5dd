/* PatchCamelyon in a build without HDF5 (see pcam.h): opening it says what is missing. */
#include "pcam.h"

sc_status sc_pcam_open(const sc_reader *reader, const sc_data_request *req, sc_source **out,
                       sc_error *err) {
    (void)reader;
    (void)req;
    *out = NULL;
    return sc_fail(err, SC_ERR_UNSUPPORTED, "--dataset pcam needs HDF5, which this build does "
                   "not have (install libhdf5-dev and reconfigure)");
}

const char *sc_pcam_build_info(void) {
    return "no (this build has no HDF5)";
}
