# Harness for the fault suite (sourced after lib.sh; docs/reliability.md).
#
# A fault test loads a catalogue of F_INDICATORS yearly counts (f01, f02 ...),
# gives each of its agents a commune of Quảng Ngãi and a CSV of
# F_INDICATORS x F_YEARS figures whose values are a function of (agent,
# indicator, year), breaks something while the agents deliver, and then counts:
#
#   sent        rows the agents' outboxes accepted (each file once)
#   acked       rows acknowledged: taken out of the agents' outboxes (sent - pending)
#   stored      observations of the fault indicators in PostgreSQL
#   lost        sent rows missing from the database or stored with another value
#   duplicated  rows committed more than once: the rows of every committed batch
#               of the test's collectors, minus the distinct rows stored; plus
#               history rows beyond one per row (each row is sent once, so a
#               second history row would be a second application)
#
# and asserts lost = 0, duplicated = 0, acked = sent and a clean `rollup verify`
# (unless F_VERIFY=0).
#
# CHISO_SOAK=N (default 1) multiplies the kills, the rows and the bounds: see
# docs/reliability.md for the soak mode.

SOAK=${CHISO_SOAK:-1}
F_INDICATORS=${F_INDICATORS:-400}
F_YEARS=${F_YEARS:-25} # 2000 .. 2024: few enough earlier values per series to keep the outlier check cheap
F_YEAR0=2000
AGENTS=()

# The fault catalogue: yearly counts, summed across units, last over time.
fault_catalog() {
	local f=$T/fault_catalog.conf i sep=
	{
		echo 'version = "test-faults";'
		echo 'pillars = ( { code = "test"; name_vi = "Kiểm thử"; name_en = "Test"; } );'
		echo 'indicators = ('
		for i in $(seq -w 1 "$F_INDICATORS"); do
			# no seq per indicator: t_fault_offline has 1 000 of them
			printf '%s' "$sep"
			sep=$',\n'
			printf '{ code = "f%s"; kind = "count"; pillar = "test"; measure = "lượt";\n' "$i"
			printf '  name_vi = "Chỉ số kiểm thử %s"; name_en = "Test figure %s";\n' "$i" "$i"
			printf '  levels = ["commune"]; period_types = ["yearly"];\n'
			printf '  calendar = "statistical"; agg_time = "last"; }\n'
		done
		echo ');'
	} >"$f"
	ctl catalog load "$f" >/dev/null
}

# fault_setup N: database, fault catalogue, chisod, N agents on N communes
# (names a01 .. aN), each with its CSV in $T/agents/NAME/load.csv.
fault_setup() {
	local n=$1 i name unit
	setup_database
	# Commits of a few batches each, as on a busy deadline day: a kill then
	# lands between, during and after many commits rather than a handful.
	sed -i 's/commit_max_rows = [0-9]*;/commit_max_rows = 2000;/' "$CONF"
	grep -q 'commit_max_rows = 2000;' "$CONF" || fail "cannot set ingest.commit_max_rows"
	fault_catalog
	mapfile -t units < <(sql "SELECT code FROM unit WHERE tier = 'commune' ORDER BY code LIMIT $n")
	[ "${#units[@]}" -eq "$n" ] || fail "only ${#units[@]} communes for $n agents"
	for i in $(seq 1 "$n"); do
		name=$(printf 'a%02d' "$i")
		unit=${units[$((i - 1))]}
		make_agent "$name" "$unit"
		fault_agent_tune "$name"
		fault_csv "$i" "$unit" "$T/agents/$name/load.csv"
		AGENTS+=("$name")
	done
}

# Small batches (more of them in flight when something breaks), quick resends
# and reconnections, heartbeats that notice a dead link within seconds.
fault_agent_tune() {
	local conf=$T/agents/$1/agent.conf
	sed -i -e 's/resend_timeout_ms = 3000;/resend_timeout_ms = 3000;\n\tbatch_rows = 500;\n\theartbeat_ms = 1000;/' "$conf"
}

# fault_value AGENT INDICATOR YEAR, as awk and SQL both compute it.
F_VALUE_AWK='(a * 1000003 + i * 7919 + y * 31) % 99991'
F_VALUE_SQL='(a * 1000003 + i * 7919 + y * 31) % 99991'

# fault_csv AGENT_NO UNIT FILE: F_INDICATORS x F_YEARS rows.
fault_csv() {
	awk -v a="$1" -v u="$2" -v ni="$F_INDICATORS" -v ny="$F_YEARS" -v y0="$F_YEAR0" '
		BEGIN {
			print "unit,indicator,period,value"
			for (i = 1; i <= ni; i++)
				for (y = y0; y < y0 + ny; y++)
					printf "%s,f%0" length(ni "") "d,%d,%d\n", u, i, y, '"$F_VALUE_AWK"'
		}' >"$3"
}

# The expected rows of agents 1..N as SQL (unit code, indicator code, year, value).
fault_expected_sql() {
	local n=$1 w=${#F_INDICATORS}
	cat <<SQL
SELECT u.code AS unit, 'f' || lpad(i::text, $w, '0') AS ind, y::text AS period,
       ($F_VALUE_SQL)::numeric AS value
  FROM generate_series(1, $n) a
  JOIN (SELECT code, row_number() OVER (ORDER BY code) AS a
          FROM unit WHERE tier = 'commune' ORDER BY code LIMIT $n) u USING (a),
       generate_series(1, $F_INDICATORS) i,
       generate_series($F_YEAR0, $F_YEAR0 + $F_YEARS - 1) y
SQL
}

# fault_counts NAGENTS SENT: prints the figures line and checks them.
fault_counts() {
	local n=$1 sent=$2 acked=0 name stored lost extra committed history
	# Acknowledged = taken out of the outbox, which the agent does only on an
	# ACK.  (agent.state's acked_rows is saved every 2 s, so a run killed with
	# SIGKILL forgets its last acks: a status figure, not the truth.)
	local pending=0
	for name in "${AGENTS[@]}"; do
		local p
		p=$(agent "$name" status | sed -n 's/^pending: *[0-9.]* batch[a-z]*, \([0-9.]*\) rows.*/\1/p' | tr -d .)
		[ -n "$p" ] || fail "cannot read the pending rows of $name"
		pending=$((pending + p))
	done
	acked=$((sent - pending))
	local obs="SELECT u.code AS unit, i.code AS ind, p.code AS period, o.value
		     FROM observation o JOIN unit u ON u.id = o.unit_id
		     JOIN indicator i ON i.id = o.indicator_id JOIN period p ON p.id = o.period_id
		    WHERE i.code ~ '^f[0-9]+\$'"
	# fresh statistics: planned on the empty table's, the comparison below can pick a
	# nested loop over 100 000 x 100 000 rows and run for minutes
	sql "ANALYZE observation, indicator, period, unit" >/dev/null
	stored=$(sql "SELECT count(*) FROM ($obs) s")
	lost=$(sql "SELECT count(*) FROM ($(fault_expected_sql "$n")) e
		     LEFT JOIN ($obs) s USING (unit, ind, period)
		    WHERE s.value IS DISTINCT FROM e.value")
	extra=$(sql "SELECT count(*) FROM ($obs) s
		      LEFT JOIN ($(fault_expected_sql "$n")) e USING (unit, ind, period)
		     WHERE e.value IS NULL")
	committed=$(sql "SELECT coalesce(sum(b.rows_total), 0) FROM batch b
			   JOIN collector c ON c.id = b.collector_id WHERE c.name ~ '^a[0-9]+\$'")
	history=$(sql "SELECT count(*) FROM observation_history h
			 JOIN indicator i ON i.id = h.indicator_id WHERE i.code ~ '^f[0-9]+\$'")
	local duplicated=$((committed - stored + history - stored))
	printf 'figures: sent=%d acked=%d stored=%d lost=%d duplicated=%d (committed rows %d, history rows %d, unexpected %d)\n' \
		"$sent" "$acked" "$stored" "$lost" "$duplicated" "$committed" "$history" "$extra"
	assert_eq "lost" 0 "$lost"
	assert_eq "duplicated" 0 "$duplicated"
	assert_eq "unexpected rows" 0 "$extra"
	assert_eq "stored = sent" "$sent" "$stored"
	assert_eq "acked = sent" "$sent" "$acked"
	# F_VERIFY=0: a test that does not touch the rollups spares their check (tens of seconds).
	[ "${F_VERIFY:-1}" = 1 ] || return 0
	ctl rollup verify >"$T/verify.txt" 2>&1 || { head -n 20 "$T/verify.txt"; fail "rollup verify found differences"; }
	printf '%s\n' "$(tail -n 1 "$T/verify.txt")"
}

# Rows the agents' outboxes hold (or held): the sum of the CSVs' data rows.
fault_sent() {
	local total=0 name
	for name in "${AGENTS[@]}"; do
		total=$((total + $(grep -c . "$T/agents/$name/load.csv") - 1))
	done
	echo "$total"
}

# Every agent queues its load.csv.
fault_submit() {
	local name
	for name in "${AGENTS[@]}"; do
		agent "$name" submit "$T/agents/$name/load.csv" >/dev/null
	done
}

# fault_deliver TIMEOUT [log]: every agent delivers its outbox in the background
# until it is empty, for TIMEOUT seconds at most; their pids are in AGENT_PIDS
# (and BG_PIDS).  With "log", an agent's acks and notes go to its run.log.
fault_deliver() {
	local timeout=$1 log=${2-} name
	AGENT_PIDS=()
	for name in "${AGENTS[@]}"; do
		if [ "$log" = log ]; then
			agent_bg "$name" run --until-empty --timeout "$timeout" >>"$T/agents/$name/run.log" 2>&1
		else
			agent_bg "$name" run --until-empty --timeout "$timeout"
		fi
		AGENT_PIDS+=("$BG_PID")
	done
}

# fault_start TIMEOUT [log]: chisod starts, t0 marks the start of the load
# (for since) and the agents deliver (fault_deliver).
fault_start() {
	start_chisod
	t0=$(date +%s.%N)
	fault_deliver "$@"
}

# fault_progress WHAT [PAUSE]: a step of a loop that breaks something each
# time the load has moved on.  Fails once the time bound ($deadline) has
# passed, or when the load has finished before WHAT (the faults still due);
# sets stored to the rows committed and, while that is no more than $last,
# pauses PAUSE seconds (0.2) and returns 1.
fault_progress() {
	[ "$(date +%s)" -lt "$deadline" ] || fail "time bound reached"
	stored=$(fault_stored 2>/dev/null || echo "$last")
	[ "$stored" -lt "$sent" ] || fail "the load finished before $1"
	if [ "$stored" -le "$last" ]; then
		sleep "${2:-0.2}"
		return 1
	fi
}

# Rows committed so far (from the batch table: cheap enough to poll under load).
fault_stored() {
	sql "SELECT coalesce(sum(rows_total), 0) FROM batch"
}

# Waits for the background agents (BG_PIDS) to finish; fails if one failed.
wait_agents() {
	local p rc=0
	for p in "${BG_PIDS[@]}"; do
		wait "$p" || rc=$?
	done
	BG_PIDS=()
	[ "$rc" -eq 0 ] || fail "an agent exited with status $rc"
}

# Seconds since $1 (date +%s.%N), one decimal.
since() {
	awk -v t0="$1" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.1f", t1 - t0 }'
}
