# What the Windows cross build (cmake/mingw-w64.cmake) adds to CMakeLists.txt:
# the build machine's message_gen, the static libraries' defines, Windows'
# own libraries, and the C runtime's C99 printf (%zu, %lld) instead of msvcrt's.

# message_gen runs at build time, so it is built by the build machine's cc.
set(MESSAGE_GEN ${CMAKE_BINARY_DIR}/gen/message_gen)
add_custom_command(OUTPUT ${MESSAGE_GEN}
	COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/gen
	COMMAND cc -std=c11 -O2 -o ${MESSAGE_GEN} ${CMAKE_SOURCE_DIR}/cmake/message_gen.c
	DEPENDS ${CMAKE_SOURCE_DIR}/cmake/message_gen.c
	COMMENT "Building message_gen for the build machine")

# Static libraries: their headers must not declare dllimport.
add_compile_definitions(__USE_MINGW_ANSI_STDIO=1 _FILE_OFFSET_BITS=64 ZMQ_STATIC LIBCONFIG_STATIC
	XML_STATIC ZIP_STATIC _WIN32_WINNT=0x0601)
link_libraries(ws2_32 iphlpapi bcrypt advapi32 shell32)
