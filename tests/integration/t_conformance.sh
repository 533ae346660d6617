#!/usr/bin/env bash
# The protocol conformance suite: docs/examples/collector.py, the client written
# from docs/protocol.md alone, drives conformance.py against a real chisod with
# CURVE on loopback: one case per message, field, error code, reason code and
# limit of the document, each asserting the documented answer, and a check that
# the codes `chisod --codes` lists are the codes the document's tables list.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3 # Debian's python3-zmq is installed for Debian's python3
if ! "$PY" -c 'import zmq' 2>/dev/null; then
	echo "python3-zmq is not installed (scripts/bootstrap installs it): skipped"
	exit 77
fi

START=$(date +%s)
# setup_database, but chisod starts before the catalogue is loaded: the first
# cases reach ERROR internal and RETRY "no catalogue loaded", then load it.
say "embedded PostgreSQL in $T/var"
ctl db init --dir "$T/var" >/dev/null
sed -i "s|tcp://127.0.0.1:7460|tcp://127.0.0.1:$PORT|" "$CONF"
ctl db migrate >/dev/null
ctl units import "$CHISO_SOURCE_DIR/data/units/quang_ngai_units.csv" >/dev/null
# The 2025 reform's unit list, valid from 2025-07-01: units it dropped (21298 Xã
# Sơn Nham) are retired from then on, for the unit_retired case.
ctl units import "$CHISO_SOURCE_DIR/data/units/quang_ngai_units_2025.csv" \
	--valid-from 2025-07-01 >/dev/null
start_chisod

# collector.py is imported from the source tree: no __pycache__ written into it
export PYTHONDONTWRITEBYTECODE=1
export CONFORMANCE_CHISOCTL="$CHISO_BIN/chisoctl" CONFORMANCE_CONF=$CONF \
	CONFORMANCE_CHISOD="$CHISO_BIN/chisod" CONFORMANCE_DIR=$T \
	CONFORMANCE_SERVER="tcp://127.0.0.1:$PORT" CONFORMANCE_SERVER_KEY="$T/var/keys/server.pub" \
	CONFORMANCE_OWNER="$(conf_value database.owner_conninfo)" \
	CONFORMANCE_DOC="$CHISO_SOURCE_DIR/docs/protocol.md" \
	CONFORMANCE_CATALOG="$CHISO_SOURCE_DIR/config/catalog.conf"
rc=0
"$PY" "$CHISO_SOURCE_DIR/tests/integration/conformance.py" || rc=$?
stop_chisod
echo "conformance: $(($(date +%s) - START)) s"
[ "$rc" -eq 0 ] || fail "conformance cases failed (the lines FAIL above)"
