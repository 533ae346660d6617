# Golden tests of the configuration files (issue 9): each tests/golden/PROG/N.conf
# is checked with `PROG -nv -f N.conf`; what it prints (stdout, then stderr) and
# its exit status must equal N.out.  Valid files print the effective
# configuration, invalid ones one "file:line: message" (or "file: key: ..." for a
# key file).  Also: config/chisod.conf and config/chiso-agent.conf are exactly
# what `--defaults` prints, so the shipped examples can never drift from the key
# table; and each program checks its own shipped example.
#
#   CHISO_GOLDEN_UPDATE=1 ctest -R t_config_golden   rewrites the .out files
#   (review the diff: it is the change in behaviour).
set -euo pipefail
: "${CHISO_SOURCE_DIR:?run through ctest (CHISO_SOURCE_DIR unset)}"
: "${CHISO_BIN:?run through ctest (CHISO_BIN unset)}"

T=$(mktemp -d /tmp/chiso-golden.XXXXXX)
trap 'rm -rf "$T"' EXIT
G=$CHISO_SOURCE_DIR/tests/golden
KEYS=$T/keys
mkdir -p "$KEYS" "$T/work"
"$CHISO_BIN/chisoctl" keygen server --dir "$KEYS" >/dev/null
"$CHISO_BIN/chisoctl" keygen agent --dir "$KEYS" >/dev/null
cp "$KEYS/server.key" "$KEYS/open.key"
chmod 644 "$KEYS/open.key"

checked=0 failed=0 updated=0
for prog in chisod chiso-agent; do
	for conf in "$G/$prog"/*.conf; do
		name=$(basename "$conf" .conf)
		expected=$G/$prog/$name.out
		# Run from the work directory with a relative name, so that messages
		# read "N.conf:3: ..." whatever the machine.
		sed "s|@KEYS@|$KEYS|g" "$conf" >"$T/work/$name.conf"
		set +e
		(cd "$T/work" && "$CHISO_BIN/$prog" -nv -f "$name.conf" >"$T/out" 2>"$T/err")
		rc=$?
		set -e
		{
			cat "$T/out" "$T/err"
			echo "exit $rc"
		} | sed "s|$KEYS|@KEYS@|g" >"$T/got"
		checked=$((checked + 1))
		if [ "${CHISO_GOLDEN_UPDATE:-0}" = 1 ]; then
			if ! cmp -s "$T/got" "$expected" 2>/dev/null; then
				cp "$T/got" "$expected"
				updated=$((updated + 1))
				echo "updated $prog/$name.out"
			fi
		elif [ ! -f "$expected" ]; then
			echo "FAIL $prog/$name: no $name.out (CHISO_GOLDEN_UPDATE=1 writes it)"
			failed=$((failed + 1))
		elif ! diff -u "$expected" "$T/got" >"$T/diff"; then
			echo "FAIL $prog/$name: output differs from $name.out"
			cat "$T/diff"
			failed=$((failed + 1))
		fi
	done
done

# The shipped examples are the key table's defaults, word for word.
for prog in chisod chiso-agent; do
	checked=$((checked + 1))
	if ! "$CHISO_BIN/$prog" --defaults | diff -u "$CHISO_SOURCE_DIR/config/$prog.conf" - >"$T/diff"; then
		echo "FAIL config/$prog.conf is not what '$prog --defaults' prints:"
		cat "$T/diff"
		failed=$((failed + 1))
	fi
done
# And each program accepts its shipped example, given keys where it expects them.
sed -e "s|/etc/chiso/keys|$KEYS|g" "$CHISO_SOURCE_DIR/config/chisod.conf" >"$T/chisod.conf"
sed -e "s|/etc/chiso/keys|$KEYS|g" "$CHISO_SOURCE_DIR/config/chiso-agent.conf" >"$T/chiso-agent.conf"
for prog in chisod chiso-agent; do
	checked=$((checked + 1))
	if ! "$CHISO_BIN/$prog" -n -f "$T/$prog.conf" 2>"$T/err"; then
		echo "FAIL $prog -n refuses the shipped example:"
		cat "$T/err"
		failed=$((failed + 1))
	fi
done

echo "config golden tests: $checked checked, $failed failed, $updated updated"
[ "$failed" -eq 0 ]
