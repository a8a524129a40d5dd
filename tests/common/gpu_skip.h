/* Backends for the standalone GPU tests (tests/gpu_*.c): the CPU reference and the CUDA
 * backend in one process, or the reason the test is skipped. CTest treats exit code 77
 * (SC_TEST_SKIP) of a gpu_* test as "skipped", so a machine without a GPU, or a build without
 * the CUDA backend, skips these tests instead of failing them. */
#ifndef SC_TEST_GPU_SKIP_H
#define SC_TEST_GPU_SKIP_H

#include "host/backend/backend.h"

#define SC_TEST_SKIP 77

/* Creates both backends from config. Returns 0 with *cpu and *gpu set; SC_TEST_SKIP after
 * printing "no CUDA GPU: skipped (<why>)" when the build has no CUDA backend or no GPU is
 * present; 1 after printing the error when a backend fails to come up otherwise. */
int sc_test_gpu_backends(const sc_backend_config *config, sc_backend **cpu, sc_backend **gpu);

#endif
