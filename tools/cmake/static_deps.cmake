# -DSCAAT_STATIC_DEPS=ON: link libjpeg, libtiff, HDF5 (each when found) and the libraries under
# them, libpng, zlib and OpenBLAS, from their static archives (Debian's *-dev packages ship them),
# so a scaat binary built here runs on a machine that lacks those shared libraries.
# Included from CMakeLists.txt after the dependencies are found and before the engine library is
# defined: it points the imported targets (JPEG::JPEG, TIFF::TIFF, PNG::PNG, ZLIB::ZLIB,
# BLAS::BLAS) and HDF5_C_LIBRARIES at the .a files. The C and C++ runtimes, OpenMP, MPI, cairo,
# oneDNN and CUDA stay shared. A missing archive is a configure error naming its package.

if(NOT SCAAT_STATIC_DEPS)
  message(STATUS "scaat: libjpeg, libtiff, HDF5, libpng, zlib, OpenBLAS linked as shared libraries (-DSCAAT_STATIC_DEPS=ON links them statically)")
  return()
endif()

# scaat_static_archive(<out var> <name> <Debian package> [hint dirs...]): an imported target for
# lib<name>.a (scaat_static_<name>), or a configure error naming the package that ships it.
function(scaat_static_archive out name package)
  if(NOT TARGET scaat_static_${name})
    find_library(SCAAT_STATIC_LIB_${name} NAMES lib${name}.a HINTS ${ARGN})
    if(NOT SCAAT_STATIC_LIB_${name})
      message(FATAL_ERROR "scaat: -DSCAAT_STATIC_DEPS=ON needs lib${name}.a, which was not found (install ${package})")
    endif()
    add_library(scaat_static_${name} STATIC IMPORTED)
    set_target_properties(scaat_static_${name} PROPERTIES IMPORTED_LOCATION "${SCAAT_STATIC_LIB_${name}}")
  endif()
  set(${out} scaat_static_${name} PARENT_SCOPE)
endfunction()

# scaat_compiler_archive(<out var> <file> <Debian package>): a runtime archive that ships with the
# compiler (libgfortran.a, libquadmath.a), found where the compiler driver looks for it.
function(scaat_compiler_archive out file package)
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=${file}
    OUTPUT_VARIABLE path OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT IS_ABSOLUTE "${path}" OR NOT EXISTS "${path}")
    message(FATAL_ERROR "scaat: -DSCAAT_STATIC_DEPS=ON needs ${file} for OpenBLAS, which ${CMAKE_C_COMPILER} does not find (install ${package})")
  endif()
  set(${out} "${path}" PARENT_SCOPE)
endfunction()

# scaat_static_target(<find-module target> <archive target> [libraries it needs...]): link the
# target found by CMake's module from the archive instead, in every configuration.
function(scaat_static_target target archive)
  get_target_property(path ${archive} IMPORTED_LOCATION)
  get_target_property(kind ${target} TYPE)
  if(kind STREQUAL "INTERFACE_LIBRARY")
    set_target_properties(${archive} PROPERTIES INTERFACE_LINK_LIBRARIES "${ARGN}")
    set_target_properties(${target} PROPERTIES INTERFACE_LINK_LIBRARIES ${archive})
    return()
  endif()
  set_target_properties(${target} PROPERTIES IMPORTED_LOCATION "${path}" INTERFACE_LINK_LIBRARIES "${ARGN}")
  get_target_property(configs ${target} IMPORTED_CONFIGURATIONS)
  if(configs)
    foreach(config IN LISTS configs)
      set_target_properties(${target} PROPERTIES IMPORTED_LOCATION_${config} "${path}")
    endforeach()
  endif()
endfunction()

set(scaat_system_libs m dl rt pthread)
set(scaat_static_names "")

# zlib: PNG images, checkpoints, and under libpng, libtiff and HDF5.
get_filename_component(scaat_zlib_dir "${ZLIB_LIBRARY_RELEASE}" DIRECTORY)
scaat_static_archive(scaat_zlib z zlib1g-dev ${scaat_zlib_dir})
scaat_static_target(ZLIB::ZLIB ${scaat_zlib})

if(JPEG_FOUND)
  get_filename_component(scaat_jpeg_dir "${JPEG_LIBRARY_RELEASE}" DIRECTORY)
  scaat_static_archive(scaat_jpeg jpeg libjpeg62-turbo-dev ${scaat_jpeg_dir})
  scaat_static_target(JPEG::JPEG ${scaat_jpeg})
  list(APPEND scaat_static_names libjpeg)
endif()

# libtiff: the libraries under it (webp, Lerc, jbig, zstd, lzma, jpeg, deflate, z) come from
# `pkg-config --static libtiff-4`; Lerc is C++, so the shared libstdc++ follows it.
if(TIFF_FOUND)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(scaat_tiff_pc QUIET libtiff-4)
  endif()
  if(NOT scaat_tiff_pc_FOUND)
    message(FATAL_ERROR "scaat: -DSCAAT_STATIC_DEPS=ON needs pkg-config and libtiff-4.pc to list libtiff's own libraries (install pkg-config and libtiff-dev)")
  endif()
  get_filename_component(scaat_tiff_dir "${TIFF_LIBRARY_RELEASE}" DIRECTORY)
  scaat_static_archive(scaat_tiff tiff libtiff-dev ${scaat_tiff_dir})
  set(scaat_tiff_needs ${scaat_tiff_pc_STATIC_LIBRARIES})
  list(REMOVE_DUPLICATES scaat_tiff_needs)
  list(REMOVE_ITEM scaat_tiff_needs tiff)
  set(scaat_tiff_deps "")
  foreach(lib IN LISTS scaat_tiff_needs)
    if(lib IN_LIST scaat_system_libs)
      list(APPEND scaat_tiff_deps ${lib})
    else()
      scaat_static_archive(scaat_dep ${lib} "lib${lib}'s -dev package, a dependency of libtiff-dev" ${scaat_tiff_dir})
      list(APPEND scaat_tiff_deps ${scaat_dep})
      if(lib STREQUAL "Lerc")
        set_target_properties(${scaat_dep} PROPERTIES INTERFACE_LINK_LIBRARIES stdc++)
      endif()
    endif()
  endforeach()
  scaat_static_target(TIFF::TIFF ${scaat_tiff} ${scaat_tiff_deps} Threads::Threads)
  list(APPEND scaat_static_names libtiff)
endif()

# HDF5: libhdf5.settings lists "Extra libraries: -lcrypto -lcurl -lpthread -lsz -lz -ldl -lm".
# curl and crypto serve only the read-only S3 driver (H5FDros3.c), which datasets/pcam.c never
# calls, so no object of libhdf5.a that the reader pulls in needs them; they are left out.
# libsz.a is libaec's szip interface and needs libaec.a.
if(HDF5_FOUND)
  get_filename_component(scaat_hdf5_dir "${HDF5_C_LIBRARY_hdf5}" DIRECTORY)
  scaat_static_archive(scaat_hdf5 hdf5 libhdf5-dev ${scaat_hdf5_dir})
  scaat_static_archive(scaat_sz sz libaec-dev ${scaat_hdf5_dir})
  scaat_static_archive(scaat_aec aec libaec-dev ${scaat_hdf5_dir})
  set_target_properties(${scaat_sz} PROPERTIES INTERFACE_LINK_LIBRARIES ${scaat_aec})
  set_target_properties(${scaat_hdf5} PROPERTIES INTERFACE_LINK_LIBRARIES "${scaat_sz};ZLIB::ZLIB;Threads::Threads;dl;m")
  set(HDF5_C_LIBRARIES ${scaat_hdf5})
  set(HDF5_LIBRARIES ${scaat_hdf5})
  list(APPEND scaat_static_names HDF5)
endif()

# libpng16.a needs libz.a and libm.
get_filename_component(scaat_png_dir "${PNG_LIBRARY_RELEASE}" DIRECTORY)
scaat_static_archive(scaat_png png16 libpng-dev ${scaat_png_dir})
scaat_static_target(PNG::PNG ${scaat_png} ZLIB::ZLIB m)
list(APPEND scaat_static_names libpng zlib)

# OpenBLAS: Debian builds its LAPACK half with gfortran, so libgfortran.a and libquadmath.a follow.
list(GET BLAS_LIBRARIES 0 scaat_blas_so)
get_filename_component(scaat_blas_dir "${scaat_blas_so}" DIRECTORY)
scaat_static_archive(scaat_openblas openblas libopenblas-dev ${scaat_blas_dir})
string(REGEX MATCH "^[0-9]+" scaat_gcc_major "${CMAKE_C_COMPILER_VERSION}")
scaat_compiler_archive(scaat_gfortran_a libgfortran.a libgfortran-${scaat_gcc_major}-dev)
scaat_compiler_archive(scaat_quadmath_a libquadmath.a libgcc-${scaat_gcc_major}-dev)
scaat_static_target(BLAS::BLAS ${scaat_openblas} "${scaat_gfortran_a}" "${scaat_quadmath_a}" Threads::Threads m)
list(APPEND scaat_static_names OpenBLAS)

list(JOIN scaat_static_names " " SCAAT_STATIC_LIBS)
# `scaat info` repeats the list (tools/cli/cmd_info.c).
add_compile_definitions("SCAAT_STATIC_LIBS=\"${SCAAT_STATIC_LIBS}\"")
message(STATUS "scaat: linked statically (-DSCAAT_STATIC_DEPS=ON): ${SCAAT_STATIC_LIBS}; shared: C/C++ runtimes, OpenMP, MPI, cairo, oneDNN, CUDA")
