# The agent's unit tests in the Windows cross build (cmake/mingw-w64.cmake),
# run under wine, headless, with the label "wine".  They share one wine
# prefix in the build tree, made by the fixture wine.prefix (about 6 s, once)
# and whose wineserver the fixture wine.stop ends, so that no wine process
# outlives ctest.  Without wine they are skipped (77).
#
# The unit tests not listed need what Windows does not have (fork, signals,
# file modes, chisod's modules): test_outbox, test_outbox_queue,
# test_outbox_write and test_plat fork a second process; the rest test
# chisod or chisoctl.
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

set(CHISO_WINE_TESTS agentstate batch batch_ack batch_encode catalog catsrc csv
	form formbody frame inbox jscan keys log message num obfile outbox_acked
	outbox_record period period_chain period_dates quote sender srvkey startopt
	submit wire xlsx)

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
