# install.cmake — what `cmake --install` puts in place and how `cpack -G DEB`
# packages it (included by the top-level CMakeLists.txt after the targets):
#   bin/arbiter                                the command (libarbiter.a, the service; no LLVM)
#   lib/arbiter/arbiter-jit.so                 the JIT and native code generation (libLLVM), a
#                                              plugin the command loads only for them, found
#                                              relative to the command (cli/jit_plugin.c)
#   lib/libarbiter.so.X (SONAME), lib/libarbiter.a, include/arbiter.h
#   lib/pkgconfig/arbiter.pc                   pkg-config, relocatable (${pcfiledir})
#   lib/cmake/Arbiter/                         find_package(Arbiter): Arbiter::arbiter (shared),
#                                              Arbiter::arbiter_static
#   share/arbiter/stdlib-rules/                the standard library, found relative to the
#                                              command and the library (api/stdlib_dir.c)
#   share/locale/zh_CN/LC_MESSAGES/arbiter.mo  the Chinese messages (po/zh_CN.po), found relative
#                                              to the command (cli_i18n in cli/cli_util.c)
#   share/man/man1/arbiter.1, man7/arbiter-rules.7   made with pandoc (packaging/man.sh)
#   share/bash-completion/completions/arbiter
#   lib/python3/dist-packages/arbiter/         the Python package (python/arbiter, pure Python
#                                              over libarbiter.so with cffi; _libdir.py says
#                                              where the library is, relative to the package)
include(CMakePackageConfigHelpers)

set(ARB_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Arbiter)

install(TARGETS arbiter_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS arbiter_jit_plugin LIBRARY DESTINATION ${ARB_JIT_INSTALL_DIR})
install(TARGETS arbiter_shared EXPORT ArbiterTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS arbiter EXPORT ArbiterStaticTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_SOURCE_DIR}/include/arbiter.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/stdlib-rules/ DESTINATION ${ARB_STDLIB_INSTALL_DIR})
install(FILES ${ARB_MO} DESTINATION ${CMAKE_INSTALL_LOCALEDIR}/zh_CN/LC_MESSAGES)

# the Python package: Debian's python3 reads /usr/lib/python3/dist-packages;
# elsewhere PYTHONPATH names PREFIX/lib/python3/dist-packages
set(ARB_PYTHON_INSTALL_DIR lib/python3/dist-packages CACHE STRING
  "where cmake --install puts the Python package arbiter (relative to the prefix)")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/python/arbiter DESTINATION ${ARB_PYTHON_INSTALL_DIR}
  FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
file(RELATIVE_PATH ARB_PY_LIBDIR_REL ${CMAKE_INSTALL_PREFIX}/${ARB_PYTHON_INSTALL_DIR}/arbiter
  ${CMAKE_INSTALL_FULL_LIBDIR})
configure_file(${CMAKE_SOURCE_DIR}/python/arbiter/_libdir.py.in ${CMAKE_BINARY_DIR}/python/_libdir.py @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/python/_libdir.py DESTINATION ${ARB_PYTHON_INSTALL_DIR}/arbiter)

# pkg-config: the prefix is found from where the .pc file is
file(RELATIVE_PATH ARB_PC_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" ARB_PC_PREFIX "${ARB_PC_PREFIX}")
set(ARB_PC_LIBS_PRIVATE "")
foreach(lib ${LUA_LIBRARIES} ${LMDB_LIBRARIES} ${JSONC_LIBRARIES} ${RE2_LIBRARIES} ${LIBPQ_LIBRARIES} stdc++ m ${CMAKE_DL_LIBS} pthread)
  string(APPEND ARB_PC_LIBS_PRIVATE " -l${lib}")
endforeach()
configure_file(${CMAKE_CURRENT_LIST_DIR}/arbiter.pc.in ${CMAKE_BINARY_DIR}/arbiter.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/arbiter.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake: find_package(Arbiter)
install(EXPORT ArbiterTargets NAMESPACE Arbiter:: DESTINATION ${ARB_CMAKE_DIR})
install(EXPORT ArbiterStaticTargets NAMESPACE Arbiter:: DESTINATION ${ARB_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ArbiterConfig.cmake.in
  ${CMAKE_BINARY_DIR}/ArbiterConfig.cmake INSTALL_DESTINATION ${ARB_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
# before 1.0 a minor release may change the API and ABI
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(ARB_COMPAT SameMinorVersion)
else()
  set(ARB_COMPAT SameMajorVersion)
endif()
write_basic_package_version_file(${CMAKE_BINARY_DIR}/ArbiterConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY ${ARB_COMPAT})
install(FILES ${CMAKE_BINARY_DIR}/ArbiterConfig.cmake ${CMAKE_BINARY_DIR}/ArbiterConfigVersion.cmake
  DESTINATION ${ARB_CMAKE_DIR})

# man pages, from the command's --help texts and docs/language.md (pandoc)
find_program(PANDOC pandoc)
if(PANDOC)
  set(ARB_MAN ${CMAKE_BINARY_DIR}/man)
  add_custom_command(
    OUTPUT ${ARB_MAN}/arbiter.1 ${ARB_MAN}/arbiter-rules.7
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/man.sh $<TARGET_FILE:arbiter_cli> ${CMAKE_SOURCE_DIR}
      ${ARB_MAN} ${PROJECT_VERSION}
    DEPENDS arbiter_cli ${CMAKE_CURRENT_LIST_DIR}/man.sh ${CMAKE_CURRENT_LIST_DIR}/arbiter.1.md
      ${CMAKE_SOURCE_DIR}/docs/language.md
    COMMENT "man pages (pandoc)")
  add_custom_target(arbiter_man ALL DEPENDS ${ARB_MAN}/arbiter.1 ${ARB_MAN}/arbiter-rules.7)
  install(FILES ${ARB_MAN}/arbiter.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  install(FILES ${ARB_MAN}/arbiter-rules.7 DESTINATION ${CMAKE_INSTALL_MANDIR}/man7)
else()
  message(WARNING "pandoc not found (scripts/setup.sh installs it): no man pages are installed")
endif()

install(FILES ${CMAKE_CURRENT_LIST_DIR}/arbiter.bash-completion
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME arbiter)

# --- the Debian package: cpack -G DEB (in the build directory) --------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME arbiter)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
if(NOT CPACK_PACKAGE_CONTACT)
  set(CPACK_PACKAGE_CONTACT "Arbiter maintainers <arbiter@example.org>")
endif()
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "rule language, compiler and runtime for auditing medical-insurance claims")
set(CPACK_PACKAGE_DESCRIPTION
  "Arbiter checks claims against audit rules written in its rule language: the arbiter command (check, lint, compile, test, diff, explain, serve, ...), the standard library of national categories, and the embeddable C library libarbiter (no LLVM) with its header, pkg-config and CMake files.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
# dependencies from the binaries (dpkg-shlibdeps), a shlibs file and the ldconfig trigger
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# the Python package (/usr/lib/python3/dist-packages/arbiter) needs cffi; the
# post-audit on a cluster (python3 -m arbiter.dask) Dask distributed
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3, python3-cffi")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3-distributed")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
include(CPack)
