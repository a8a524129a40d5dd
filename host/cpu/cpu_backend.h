/* The CPU backend: plain, commented reference implementations of every op of the backend
 * table (host/backend/backend.h), GEMMs through OpenBLAS. */
#ifndef SC_CPU_BACKEND_H
#define SC_CPU_BACKEND_H

#include "../backend/backend.h"

sc_status sc_cpu_backend_create(const sc_backend_config *config, sc_backend **out, sc_error *err);

#endif
