# The Windows cross build (issue 19): 64-bit Windows with Debian's mingw-w64,
# every library static, from the cache scripts/windows fills.
#
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake
#
# builds chiso-agent.exe and the agent's unit tests (CMakeLists.txt leaves
# chisod, chisoctl and their libraries out when WIN32).  The libraries are
# found through pkg-config in the prefixes listed by <cache>/READY; the cache
# is CHISO_WIN_CACHE (a cache variable or the environment), by default
# /var/cache/chiso-win.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CHISO_WIN_HOST x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${CHISO_WIN_HOST}-gcc)
set(CMAKE_CXX_COMPILER ${CHISO_WIN_HOST}-g++)
set(CMAKE_RC_COMPILER ${CHISO_WIN_HOST}-windres)

if(NOT CHISO_WIN_CACHE)
	if(DEFINED ENV{CHISO_WIN_CACHE})
		set(CHISO_WIN_CACHE $ENV{CHISO_WIN_CACHE})
	else()
		set(CHISO_WIN_CACHE /var/cache/chiso-win)
	endif()
endif()
set(CHISO_WIN_CACHE ${CHISO_WIN_CACHE} CACHE PATH "the static Windows libraries (scripts/windows deps)")
if(NOT EXISTS ${CHISO_WIN_CACHE}/READY)
	message(FATAL_ERROR "${CHISO_WIN_CACHE}/READY not found: run scripts/windows deps first")
endif()
file(STRINGS ${CHISO_WIN_CACHE}/READY CHISO_WIN_PREFIXES)

# pkg-config sees only the cross prefixes (never the machine's Linux .pc
# files) and answers with the static link lines (Libs.private too).
set(pc_dirs "")
foreach(p ${CHISO_WIN_PREFIXES})
	list(APPEND pc_dirs ${p}/lib/pkgconfig)
endforeach()
list(APPEND pc_dirs /usr/${CHISO_WIN_HOST}/lib/pkgconfig)
string(REPLACE ";" ":" pc_dirs "${pc_dirs}")
set(ENV{PKG_CONFIG_LIBDIR} ${pc_dirs})
set(ENV{PKG_CONFIG_PATH} "")
set(PKG_CONFIG_ARGN --static)

set(CMAKE_FIND_ROOT_PATH /usr/${CHISO_WIN_HOST} ${CHISO_WIN_PREFIXES})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# One .exe with nothing beside it: libgcc and winpthread static too.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
# Tests run under wine (ctest -L wine).
set(CMAKE_CROSSCOMPILING_EMULATOR wine)
