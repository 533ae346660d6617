# Installation and Debian packages (issue 9).
#
# `cmake --install build --prefix /usr` puts everything where a Debian daemon's
# files go; debian/ (dpkg-buildpackage, run by `scripts/package`) builds two
# packages from the same rules, split by debian/*.install:
#   chiso-server  chisod, chisoctl, SQL, catalogue, unit lists, chisod.conf,
#                 chisod.service, man pages; user "chiso"
#   chiso-agent   chiso-agent, chiso-agent.conf, chiso-agent.service, man
#                 pages; user "chiso-agent"
# Their users and directories come from debian/*.sysusers and *.tmpfiles, and
# their postinst writes a keypair, so that the installed example configuration
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
install(FILES docs/operations.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/chiso-agent
	COMPONENT agent)
