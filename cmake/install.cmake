# Installation and Debian packages (issue 9).
#
# `cmake --install build --prefix /usr` puts everything where a Debian daemon's
# files go; `scripts/package` builds two packages from the same rules:
#   chiso-server  chisod, chisoctl, SQL, catalogue, unit lists, chisod.conf,
#                 chisod.service, man pages; user "chiso"
#   chiso-agent   chiso-agent, chiso-agent.conf, chiso-agent.service, man
#                 pages; user "chiso-agent"
# Their maintainer scripts (scripts/debian/PACKAGE/) create the system user, the
# directories and a keypair, so that the installed example configuration
# passes `-n` at once.

# /etc with prefix /usr (GNUInstallDirs' special case), PREFIX/etc otherwise.
set(CHISO_CONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/chiso)
# Debian 12 ships units in /lib/systemd/system (usrmerge makes it /usr/lib too).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
	set(CHISO_UNITDIR /lib/systemd/system)
else()
	set(CHISO_UNITDIR ${CMAKE_INSTALL_LIBDIR}/systemd/system)
endif()

install(TARGETS chisod chisoctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT server)
install(TARGETS chiso-agent RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT agent)

install(DIRECTORY sql/ DESTINATION ${CHISO_INSTALL_DATADIR}/sql COMPONENT server
	FILES_MATCHING PATTERN "*.sql")
install(FILES config/catalog.conf DESTINATION ${CHISO_INSTALL_DATADIR}/config COMPONENT server)
# an example for the data centre's Prometheus (docs/operations.md, "Alerts")
install(FILES config/chiso-alerts.yml DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/chiso-server/examples
	COMPONENT server)
install(DIRECTORY data/units data/seeds DESTINATION ${CHISO_INSTALL_DATADIR}/data
	COMPONENT server)

install(FILES config/chisod.conf DESTINATION ${CHISO_CONFDIR} COMPONENT server)
install(FILES config/chiso-agent.conf DESTINATION ${CHISO_CONFDIR} COMPONENT agent)
install(FILES systemd/chisod.service DESTINATION ${CHISO_UNITDIR} COMPONENT server)
install(FILES systemd/chiso-agent.service DESTINATION ${CHISO_UNITDIR} COMPONENT agent)

install(FILES man/chisod.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT server)
install(FILES man/chisoctl.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT server)
install(FILES man/chisod.conf.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5 COMPONENT server)
install(FILES man/chiso-agent.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT agent)
install(FILES man/chiso-agent.conf.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5 COMPONENT agent)

install(FILES README.md docs/operations.md docs/analyst-guide.md docs/protocol.md
	docs/security.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/chiso-server COMPONENT server)
install(FILES scripts/debian/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/chiso-server
	COMPONENT server)
install(FILES docs/operations.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/chiso-agent
	COMPONENT agent)
install(FILES scripts/debian/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/chiso-agent
	COMPONENT agent)

# --- Debian packages (CPack) ---
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME chiso)
set(CPACK_PACKAGE_VENDOR "chiso project")
set(CPACK_PACKAGE_CONTACT "chiso maintainers <chiso@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL server agent)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
# dpkg-shlibdeps works out the library dependencies (libzmq5, libpq5, libmicrohttpd12, ...).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_SERVER_PACKAGE_NAME chiso-server)
set(CPACK_DEBIAN_AGENT_PACKAGE_NAME chiso-agent)
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "postgresql-15")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "chiso-agent")
set(CPACK_COMPONENT_SERVER_DESCRIPTION
	"chiso provincial daemon and tools\nchisod receives digital-transformation indicator values from commune\nand district agents over ZeroMQ (CURVE), commits them to PostgreSQL and\nkeeps the rollups commune -> district -> province; chisoctl sets up the\ndatabase, enrols collectors and writes the half-year and annual reports.")
set(CPACK_COMPONENT_AGENT_DESCRIPTION
	"chiso collector agent for commune and district offices\nchiso-agent checks indicator files, queues them durably and delivers them\nto the province's chisod over ZeroMQ (CURVE), resending until acknowledged.")
foreach(comp server agent)
	string(TOUPPER ${comp} COMP)
	set(dir ${CMAKE_SOURCE_DIR}/scripts/debian/chiso-${comp})
	set(CPACK_DEBIAN_${COMP}_PACKAGE_CONTROL_EXTRA
		${dir}/conffiles ${dir}/postinst ${dir}/prerm ${dir}/postrm)
endforeach()
include(CPack)
