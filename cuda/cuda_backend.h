/* Entry points of the CUDA backend for host code. A plain C header: it includes no CUDA
 * headers, so host/ can call it without depending on the toolkit. */
#ifndef SC_CUDA_BACKEND_H
#define SC_CUDA_BACKEND_H

#include <stddef.h>

#include "../host/backend/backend.h"

/* Number of usable CUDA devices (0 when there is no driver or no GPU). */
int sc_cuda_device_count(void);
sc_status sc_cuda_backend_create(const sc_backend_config *config, sc_backend **out, sc_error *err);
/* Device name, SMs, memory, driver / runtime / cuDNN / cuBLAS versions, or why there is none. */
void sc_cuda_describe_system(char *buf, size_t len);

#endif
