# What the Windows cross build (cmake/mingw-w64.cmake) adds to CMakeLists.txt,
# before the libraries are looked for:
# the build machine's message_gen, the static libraries' defines, Windows'
# own libraries, and the C runtime's C99 printf (%zu, %lld) instead of msvcrt's.

# message_gen runs at build time, so it is built by the build machine's cc.
set(MESSAGE_GEN ${CMAKE_BINARY_DIR}/gen/message_gen)
add_custom_command(OUTPUT ${MESSAGE_GEN}
	COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/gen
	COMMAND cc -std=c11 -O2 -o ${MESSAGE_GEN} ${CMAKE_SOURCE_DIR}/cmake/message_gen.c
	DEPENDS ${CMAKE_SOURCE_DIR}/cmake/message_gen.c
	COMMENT "Building message_gen for the build machine")

# Static libraries: their headers must not declare dllimport.  64-bit off_t
# (formcache.c seeks with fseeko); Windows 7 at least (libzmq's own setting).
add_compile_definitions(__USE_MINGW_ANSI_STDIO=1 _FILE_OFFSET_BITS=64 ZMQ_STATIC
	LIBCONFIG_STATIC XML_STATIC ZIP_STATIC _WIN32_WINNT=0x0601)
# Static archives only: pkg-config's -lz becomes a path through find_library,
# which would take zlib's DLL import library first.
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
# At the end of every link line, after the static libraries that need them:
# libzmq is C++, clock_gettime is winpthread's, and Windows' sockets,
# adapters, random bytes and RPC.
string(APPEND CMAKE_C_STANDARD_LIBRARIES " -lstdc++ -lpthread -lws2_32 -liphlpapi -lbcrypt -lrpcrt4")

# The installer (installer/chiso-agent.nsi) around chiso-agent.exe, when
# Debian's makensis is there: build-win/chiso-agent-win64.exe.
find_program(MAKENSIS makensis)
if(MAKENSIS)
	set(CHISO_INSTALLER ${CMAKE_BINARY_DIR}/chiso-agent-win64.exe)
	add_custom_command(OUTPUT ${CHISO_INSTALLER}
		COMMAND ${MAKENSIS} -V2 -INPUTCHARSET UTF8 -DVERSION=${PROJECT_VERSION}
			-DEXE=$<TARGET_FILE:chiso-agent> -DOUT=${CHISO_INSTALLER}
			${CMAKE_SOURCE_DIR}/installer/chiso-agent.nsi
		DEPENDS chiso-agent ${CMAKE_SOURCE_DIR}/installer/chiso-agent.nsi
		COMMENT "Building the installer chiso-agent-win64.exe (makensis)")
	add_custom_target(installer ALL DEPENDS ${CHISO_INSTALLER})
endif()
