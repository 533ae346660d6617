#!/usr/bin/env bash
# Fault suite: PostgreSQL fails under chisod during a load.  chisod's database
# session is killed (pg_terminate_backend) again and again, and twice the whole
# server is stopped in immediate mode (a crash: no checkpoint, recovery at the
# next start) and started again.  chisod must answer RETRY while the database
# is gone, reconnect with backoff and resume; a COMMIT whose outcome it never
# learnt is settled by the batch keys.  Counts as the other fault tests do.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

NAGENTS=${F_AGENTS:-10}
BACKEND_KILLS=$((10 * SOAK))
CRASHES=$((2 * SOAK))
fault_setup "$NAGENTS"
sent=$(fault_sent)
SUPER=$(ctl db conninfo --role superuser)
PGBIN=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
[ -x "$PGBIN/pg_ctl" ] || PGBIN=/usr/lib/postgresql/15/bin
PGDATA=$T/var/pg/data
pg_as_server() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

fault_submit
fault_start $((600 * SOAK))

say "$BACKEND_KILLS backend kills and $CRASHES immediate stops during the load of $sent values"
killed=0 crashes=0 last=0
deadline=$(($(date +%s) + 600 * SOAK))
while [ "$killed" -lt "$BACKEND_KILLS" ] || [ "$crashes" -lt "$CRASHES" ]; do
	fault_progress "the faults ($killed kills, $crashes crashes)" || continue
	last=$stored
	sleep "0.$((RANDOM % 10))"
	if [ "$killed" -lt "$BACKEND_KILLS" ]; then
		n=$(psql "$SUPER" -X -q -A -t -c "SELECT count(pg_terminate_backend(pid))
			FROM pg_stat_activity WHERE usename = 'chiso_writer'")
		killed=$((killed + 1))
		printf 'backend kill %d at %d rows committed: %s session(s) ended\n' "$killed" "$stored" "$n"
	else
		pg_as_server "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null
		crashes=$((crashes + 1))
		printf 'immediate stop %d at %d rows committed\n' "$crashes" "$stored"
		sleep 2
		kill -0 "$CHISOD_PID" || fail "chisod died with the database"
		ctl db start >/dev/null
	fi
done
wait_agents
printf 'load delivered in %s s through %d backend kills and %d crashes\n' "$(since "$t0")" "$killed" "$crashes"
retries=$(grep -c 'database unavailable' "$T/chisod.log" || true)
printf 'chisod logged the database unavailable %d times and stayed up\n' "$retries"
kill -0 "$CHISOD_PID" || fail "chisod is not running"
fault_counts "$NAGENTS" "$sent"
stop_chisod
