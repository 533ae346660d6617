# The agent's unit tests in the Windows cross build (cmake/mingw-w64.cmake),
# run under wine, headless, with the label "wine".  They share one wine
# prefix in the build tree, made by the fixture wine.prefix (about 6 s, once)
# and whose wineserver the fixture wine.stop ends, so that no wine process
# outlives ctest.  Without wine they are skipped (77).
#
# The agent's unit tests not listed use what Windows does not have:
# test_csv and test_submit make their UTF-16 and legacy-encoded inputs with iconv;
# test_keys checks file modes with chmod and a shell.
# A test that needs a second process starts it through tests/unit/testproc.h
# (a fork on POSIX, the test program again on Windows).
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

set(CHISO_WINE_TESTS agentstate batch batch_ack batch_encode catalog catsrc form
	formbody frame inbox jscan log message num obfile outbox outbox_acked outbox_queue
	outbox_record outbox_write period period_chain period_dates plat quote sender srvkey
	startopt wire xlsx)

set(wine_run ${CMAKE_SOURCE_DIR}/tests/tools/wine-run)
set(wine_env "WINEPREFIX=${CMAKE_BINARY_DIR}/wineprefix;CHISO_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
add_test(NAME wine.prefix COMMAND sh ${wine_run} --prefix)
add_test(NAME wine.stop COMMAND sh ${wine_run} --stop)
set_tests_properties(wine.prefix PROPERTIES LABELS wine FIXTURES_SETUP wine
	SKIP_RETURN_CODE 77 TIMEOUT 300 ENVIRONMENT "${wine_env}")
set_tests_properties(wine.stop PROPERTIES LABELS wine FIXTURES_CLEANUP wine
	SKIP_RETURN_CODE 77 TIMEOUT 60 ENVIRONMENT "${wine_env}")

foreach(t ${CHISO_WINE_TESTS})
	set(name test_${t})
	add_executable(${name} ${CMAKE_SOURCE_DIR}/tests/unit/${name}.c)
	target_link_libraries(${name} PRIVATE chiso-agent_core chiso PkgConfig::CMOCKA)
	set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
	add_test(NAME wine.${name} COMMAND sh ${wine_run} $<TARGET_FILE:${name}>)
	set_tests_properties(wine.${name} PROPERTIES LABELS wine FIXTURES_REQUIRED wine
		SKIP_RETURN_CODE 77 TIMEOUT 300 ENVIRONMENT "${wine_env}")
endforeach()

# The installer under wine (tests/windows/t_installer.sh): in a prefix of its
# own, since the service it registers starts with the prefix.
if(MAKENSIS)
	add_test(NAME wine.t_installer COMMAND bash ${CMAKE_SOURCE_DIR}/tests/windows/t_installer.sh
		${CHISO_INSTALLER} ${CMAKE_BINARY_DIR}/t_installer)
	set_tests_properties(wine.t_installer PROPERTIES LABELS wine SKIP_RETURN_CODE 77
		TIMEOUT 600)
endif()
