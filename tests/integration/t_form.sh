#!/usr/bin/env bash
# The officer's form (issue 18 §1) in a real browser: headless Chromium types
# the Sơn Nham seed figures with the keyboard, sees the payment ratio as
# 60,87 % (the report printed 164 %), sees a numerator above its denominator
# and a negative count flagged with the message table's texts, and saves.
# With the province unreachable the figures wait in the outbox; the agent is
# stopped and started again, the province comes back, and the page shows
# "tỉnh đã nhận" for every figure, which PostgreSQL holds.  The form refuses
# a request without its secret, one for a foreign Host (DNS rebinding) and a
# POST without its CSRF token.  Then a lean pass in Firefox (form_firefox.py,
# through the small Marionette client marionette.py).  Screenshots:
# $CHISO_FORM_SHOTS (default build/tests/form-shots).
. "$(dirname "$0")/lib.sh"

# Debian's python3-selenium is for Debian's python3, whatever else is on PATH.
PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import selenium' 2>/dev/null; then
		PY=$p
		break
	fi
done
if ! command -v chromedriver >/dev/null || [ -z "$PY" ]; then
	echo "skip: chromium-driver and python3-selenium are not installed"
	exit 77
fi
SHOTS=${CHISO_FORM_SHOTS:-$CHISO_TEST_BIN/form-shots}
mkdir -p "$SHOTS"
SEED=$CHISO_SOURCE_DIR/data/seeds/sonnham_2024.csv
HELPER=$(dirname "$0")/form_browser.py

setup_database
start_chisod
make_agent xa-21298 21298
FPORT=$((PORT + 1))
sed -i "s/^form: { port = 0; };/form: { port = $FPORT; };/" "$T/agents/xa-21298/agent.conf"

say "the agent connects once: the unit and the catalogue for the form"
agent_bg xa-21298 run
AGENT=$BG_PID
for _ in $(seq 100); do
	[ -s "$T/agents/xa-21298/outbox/catalog.json" ] && break
	sleep 0.1
done
[ -s "$T/agents/xa-21298/outbox/catalog.json" ] || fail "no catalogue after 10 s"
URL=$(agent xa-21298 status | sed -n 's/^form: *\(http[^ ]*\).*/\1/p')
check "status prints the form's address" "http://127.0.0.1:$FPORT/?k=" "${URL%%k=*}k="
check "the secret file is private" 600 "$(stat -c %a "$T/agents/xa-21298/outbox/form.secret")"
BASE=http://127.0.0.1:$FPORT

say "who may ask"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "no secret" 403 "$(code "$BASE/")"
check "wrong secret" 403 "$(code "$BASE/?k=0123456789abcdef0123456789abcdef")"
check "foreign Host (DNS rebinding)" 421 "$(code -H "Host: evil.example:$FPORT" "$URL")"
check "the secret for a cookie" 303 "$(code -c "$T/jar" "$URL")"
check_that "HttpOnly SameSite=Strict cookie" grep -q 'chiso_form' "$T/jar"
HEAD=$(curl -s -D - -o /dev/null -b "$T/jar" "$BASE/")
check_that "Content-Security-Policy" grep -q "default-src 'none'; script-src 'self'" <<<"$HEAD"
check_that "X-Frame-Options DENY" grep -q "X-Frame-Options: DENY" <<<"$HEAD"
check "POST without the CSRF token" 403 \
	"$(code -b "$T/jar" -d "period=2024&v.population=5000" "$BASE/api/save")"
check "POST with a wrong token" 403 \
	"$(code -b "$T/jar" -d "csrf=x&period=2024&v.population=5000" "$BASE/api/save")"
check "check without the CSRF token" 403 \
	"$(code -b "$T/jar" -d "period=2024&v.population=5000" "$BASE/api/check")"
TOKEN=$(curl -s -b "$T/jar" "$BASE/api/state?period=2024" | sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p')
# (the unit arrives with the first answer of chisod, a moment after the catalogue)
for _ in $(seq 50); do
	CHECKED=$(curl -s -b "$T/jar" -d "csrf=$TOKEN&period=2024&v.population=1.463" "$BASE/api/check")
	[[ $CHECKED == *'"fields"'* ]] && break
	sleep 0.1
done
echo "check of population=1.463: $CHECKED"
check "the agent's check reads 1.463 the Vietnamese way" '"value":"1463","shown":"1.463"' \
	"$(grep -o '"value":"[^"]*","shown":"[^"]*"' <<<"$CHECKED")"
check "body over the limit" 413 \
	"$(head -c 70000 /dev/zero | tr '\0' a | code -b "$T/jar" --data-binary @- "$BASE/api/save")"
# What the page loads, as the agent serves it (the browser's own time is the helper's figure).
for p in / /form.js /api/messages "/api/state?period=2024"; do
	curl -s -o /dev/null -b "$T/jar" -w "served $p: %{size_download} bytes in %{time_total} s\n" "$BASE$p"
done
check "nothing queued by the refused POSTs" 0 "$(find "$T/agents/xa-21298/outbox/pending" -name '*.batch' | wc -l)"

say "the province goes away; the officer types the report"
stop_chisod
"$PY" "$HELPER" enter "$URL" "$SEED" "$SHOTS"
queued=$(find "$T/agents/xa-21298/outbox/pending" -name '*.batch' | wc -l)
check "the saved figures wait in the outbox" 1 "$queued"

say "the agent is stopped and started again, the province comes back"
kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
# 0 also says, under the sanitizers, that the form's thread leaked nothing.
check "the agent and its form stop cleanly" 0 "$rc"
agent_bg xa-21298 run
# The page is open on the saved period before the province comes back.
rm -f "$SHOTS/form-opened"
"$PY" "$HELPER" delivered "$URL" "$SEED" "$SHOTS" &
HELPER_PID=$!
for _ in $(seq 600); do
	[ -e "$SHOTS/form-opened" ] || ! kill -0 "$HELPER_PID" 2>/dev/null && break
	sleep 0.1
done
[ -e "$SHOTS/form-opened" ] || fail "the form did not open with the figures waiting"
start_chisod
wait "$HELPER_PID" || fail "the form did not show the figures delivered"
# Every figure of the seed but the one the form flagged (chisod refuses it too).
want=$(($(grep -c . "$SEED") - 2))
check "figures of the form in PostgreSQL" "$want" \
	"$(sql "SELECT count(*) FROM observation")"
check "qualifiers typed before the number (hơn 2000, khoảng 1.440)" \
	"$(awk -F, 'NR > 1 && $5 != "" { print $5 }' "$SEED" | sort | paste -sd,)" \
	"$(sql "SELECT string_agg(qualifier, ',' ORDER BY qualifier) FROM observation WHERE qualifier IS NOT NULL")"
NOTE=$("$PY" -c 'import csv, sys; print(next(r["note"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["indicator"] == "staff_total"))' "$SEED")
check "the note typed with its figure (F2)" "$NOTE" \
	"$(sql "SELECT o.note FROM observation o JOIN indicator i ON i.id = o.indicator_id WHERE i.code = 'staff_total'")"
say "the same form in Firefox (firefox-esr over Marionette: Debian has no geckodriver)"
if command -v firefox-esr >/dev/null; then
	t0=$(date +%s%N)
	"$PY" "$(dirname "$0")/form_firefox.py" "$URL" "$(awk -F, 'NR == 2 { print $3 }' "$SEED")" "$SHOTS" ||
		fail "the form in Firefox"
	echo "the Firefox step added $((($(date +%s%N) - t0) / 1000000)) ms to this test"
else
	echo "skip: firefox-esr is not installed"
fi
echo "screenshots: $SHOTS"
ls "$SHOTS"
checks_done
