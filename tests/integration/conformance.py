#!/usr/bin/python3
"""The conformance suite of docs/protocol.md (run by t_conformance.sh).

Every case talks to a real chisod through docs/examples/collector.py, the client
written from the document alone, and asserts the answer the document gives:
one case per message, field, error code, reason code and limit.  Limits are
WELCOME's, not constants.  Prints `ok|FAIL CASE` per case and the count; exits 1
if any failed.
"""
import datetime, json, os, random, re, subprocess, sys, time
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, "docs", "examples"))
import collector as C  # noqa: E402
import zmq  # noqa: E402

E = os.environ
DIR = E["CONFORMANCE_DIR"]
SERVER, SERVER_KEY = E["CONFORMANCE_SERVER"], E["CONFORMANCE_SERVER_KEY"]
SERVER_PUB = C.read_key(SERVER_KEY)["public-key"]
RESULTS = []
L = C.Literal


def ctl(*args):
    return subprocess.run([E["CONFORMANCE_CHISOCTL"], "--config", E["CONFORMANCE_CONF"], *args],
                          check=True, capture_output=True, text=True).stdout


def sql(query):
    return subprocess.run(["psql", E["CONFORMANCE_OWNER"], "-X", "-q", "-A", "-t", "-v",
                           "ON_ERROR_STOP=1", "-c", "SET search_path = chiso", "-c", query],
                          check=True, capture_output=True, text=True).stdout.strip()


def report(name, ok, detail=""):
    RESULTS.append(ok)
    print(f"{'ok' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"), flush=True)


def run(name, fn, *args):
    """One case: fn returns None (pass) or a string (what was wrong)."""
    try:
        why = fn(*args)
    except Exception as e:  # a case that crashes fails, the others go on
        why = f"{type(e).__name__}: {e}"
    report(name, why is None, why or "")


def keygen(name):
    d = os.path.join(DIR, "conformance-keys")
    os.makedirs(d, exist_ok=True)
    ctl("keygen", name, "--dir", d)
    return os.path.join(d, name + ".key"), os.path.join(d, name + ".pub")


class Peer:
    """An enrolled collector with its own connection, epoch and seq."""

    def __init__(self, name, unit, enrol=True):
        self.name = name
        self.keyfile, self.pubfile = keygen(name)
        if enrol:
            ctl("collector", "add", name, "--key", self.pubfile, "--unit", unit)
        self.key = C.read_key(self.keyfile)
        self.epoch, self.seq = random.randrange(1, 2**62), 0
        self.link = C.Link(SERVER, SERVER_PUB, self.key, time.time() + 3600)

    def reconnect(self):
        self.link.close()
        self.link = C.Link(SERVER, SERVER_PUB, self.key, time.time() + 3600)

    def frames(self, frames, timeout=10):
        while self.link.sock.poll(0):          # a late answer to an earlier case
            self.link.sock.recv_multipart()
        end = time.time() + timeout
        while True:                            # sent again after a refused handshake
            refusals = self.link.refusals
            try:
                self.link.sock.send_multipart(frames, zmq.NOBLOCK)
            except zmq.Again:
                pass
            ans = self.link.recv(max(end - time.time(), 0))
            if ans or self.link.refusals == refusals or time.time() >= end:
                return ans or (None, None)

    def raw(self, frames, timeout=10):
        """Sends frames as they are and returns the next message's frames, the tag
        included (collector.py reads only CHISO/1), or None after timeout."""
        while self.link.sock.poll(0):
            self.link.sock.recv_multipart()
        self.link.sock.send_multipart(frames)
        return self.link.sock.recv_multipart() if self.link.sock.poll(timeout * 1000) else None

    def ask(self, command, body, timeout=10):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        return self.frames([C.TAG, command, body], timeout)

    def body(self, rows, seq=None):
        if seq is None:
            self.seq += 1
            seq = self.seq
        return C.batch_body(self.epoch, seq, [r if isinstance(r, L) else C.row_json(r) for r in rows])

    def batch(self, rows, seq=None):
        return self.ask(b"BATCH", self.body(rows, seq))


def want_error(ans, code, message=None):
    cmd, msg = ans
    if cmd != "ERROR" or msg.get("code") != code:
        return f"expected ERROR {code}, got {cmd} {json.dumps(msg, ensure_ascii=False)[:200]}"
    if set(msg) != {"code", "message"}:
        return f"ERROR body fields {sorted(msg)}"
    if message and not re.search(message, msg["message"]):
        return f"message {msg['message']!r} does not match {message!r}"
    return None


def want_ack(ans, status="committed"):
    cmd, msg = ans
    if cmd != "ACK" or msg.get("status") != status:
        return f"expected ACK {status}, got {cmd} {json.dumps(msg, ensure_ascii=False)[:200]}"
    if set(msg) != {"epoch", "seq", "status", "accepted", "rejected", "flagged"}:
        return f"ACK fields {sorted(msg)}"
    for v in msg["rejected"] + msg["flagged"]:   # a verdict: row, code, message of <= 240 bytes
        if set(v) != {"row", "code", "message"} or len(v["message"].encode()) > 240:
            return f"verdict {v}: fields or a message over 240 bytes"
    return None


def verdict(msg, row):
    """A row's fate in an ACK: its rejected code, else 'accepted'."""
    for v in msg["rejected"]:
        if v["row"] == row:
            return v["code"], v["message"]
    return "accepted", ""


def row_case(peer, row, code, message=None):
    ans = peer.batch([row])
    why = want_ack(ans)
    if why:
        return why
    got, text = verdict(ans[1], 0)
    if got != code:
        return f"expected {code}, got {got} {text!r}"
    if message and not re.search(message, text):
        return f"message {text!r} does not match {message!r}"
    return None


def row(**kw):
    """A valid row (a count, for a commune, yearly), with fields changed or dropped (None)."""
    r = {"unit": "21301", "indicator": "bts_stations", "period": "2024", "value": 3}
    for k, v in kw.items():
        if v is None:
            r.pop(k, None)
        else:
            r[k] = v
    return r


# ---- the codes check: `chisod --codes` against the document's tables ----

def doc_codes(text):
    """{kind: set} from docs/protocol.md: §3 ERROR 'Codes:', §3 ACK's status row,
    §3 RETRY 'Reasons:', §6's table of refused rows (first column; a row whose
    'decided by' is '—' is documented as no longer sent) and its flagged sentence."""
    def section(title):
        m = re.search(r"^#+ [^\n]*" + title + r"[^\n]*\n(.*?)(?=^#+ )", text, re.M | re.S)
        return m.group(1) if m else ""
    # A code may be wrapped over two lines inside its backticks.
    ticks = lambda s: [" ".join(t.split()) for t in re.findall(r"`([^`]+)`", s)]

    def listed(sec, label):
        """The `ticked` words of the paragraph 'LABEL: ...', else a table's first column."""
        m = re.search(label + r":(.*?)(?:\n\n|$)", sec, re.S)
        if m and ticks(m.group(1)):
            return set(ticks(m.group(1)))
        cells = [line.strip().strip("|").split("|")[0].strip().strip("`")
                 for line in sec.splitlines() if line.startswith("|")]
        return {c for c in cells if re.fullmatch(r"[a-z_ ]+", c) and c not in ("code", "reason")}
    status = re.search(r"^\| status \|(.*)$", section("ACK"), re.M)
    sec6 = section("Reason codes")
    rows = set()
    for line in sec6.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"[a-z_]+", cells[0]) and cells[0] != "code" \
                and cells[-1] not in ("—", "-"):
            rows.add(cells[0])
    flag = re.search(r"Rows accepted with a remark[^:]*:(.*?)(?:\n\n|$)", sec6, re.S)
    return {
        "error": listed(section("ERROR"), "Codes"),
        "row": rows,
        "flag": {t for t in ticks(flag.group(1)) if re.fullmatch(r"[a-z_]+", t)} if flag else set(),
        "status": set(re.findall(r"`([a-z_]+)`:", status.group(1))) if status else set(),
        "retry": listed(section("RETRY"), "Reasons"),
    }


def case_doc_parser():
    got = doc_codes(open(E["CONFORMANCE_DOC"], encoding="utf-8").read())
    must = {"error": {"bad_frames", "bad_body", "too_many_rows", "unknown_command", "revoked", "internal"},
            "row": {"bad_row", "bad_value", "unknown_indicator", "key_reused", "unit_out_of_scope"},
            "flag": {"superseded", "outlier", "sum_mismatch"},
            "status": {"committed", "duplicate", "key_reused"},
            "retry": {"database unavailable", "overloaded", "shutting down"}}
    missing = [f"{k} {c}" for k in must for c in sorted(must[k] - got[k])]
    return f"the parser did not find: {', '.join(missing)}" if missing else None


def codes_diff(listing, doc):
    """What `chisod --codes` (lines KIND CODE) and the document do not share."""
    daemon = {}
    for line in listing.splitlines():
        kind, _, code = line.partition(" ")
        daemon.setdefault(kind, set()).add(code)
    diff = []
    for kind in sorted(set(doc) | set(daemon)):
        d, s = doc.get(kind, set()), daemon.get(kind, set())
        diff += [f"{kind} {c}: daemon only" for c in sorted(s - d)]
        diff += [f"{kind} {c}: document only" for c in sorted(d - s)]
    return diff


def case_codes_diff():
    doc = {"error": {"bad_body", "internal"}, "retry": {"overloaded"}}
    got = codes_diff("error bad_body\nerror new_code\nretry overloaded\n", doc)
    return None if got == ["error new_code: daemon only", "error internal: document only"] else f"{got}"


def case_codes_agree():
    p = subprocess.run([E["CONFORMANCE_CHISOD"], "--codes"], capture_output=True, text=True)
    if p.returncode != 0:
        return f"chisod --codes failed (exit {p.returncode}: {p.stderr.strip()[:120]}); it lists KIND CODE"
    diff = codes_diff(p.stdout, doc_codes(open(E["CONFORMANCE_DOC"], encoding="utf-8").read()))
    return "; ".join(diff) if diff else None


# ---- version 2 (§3 WELCOME, §9) ----

def admin_or_stat(cal, today):
    """{type: (current, previous)} periods of the types this check knows, as
    (code, last day), from Decree 09's calendar (administrative: cut on the
    14th) or calendar months, computed here, not by chisod."""
    if cal == "administrative":
        y = today.year + (1 if (today.month, today.day) > (12, 14) else 0)
        half = 1 if (today.month, today.day) <= (6, 14) or (today.month, today.day) > (12, 14) else 2
        last = {1: (6, 14), 2: (12, 14), 0: (12, 14)}
    else:
        y, half = today.year, 1 if today.month <= 6 else 2
        last = {1: (6, 30), 2: (12, 31), 0: (12, 31)}
    day = lambda yy, h: datetime.date(yy, *last[h])
    prev_half = (y, 1) if half == 2 else (y - 1, 2)
    return {"yearly": ((str(y), day(y, 0)), (str(y - 1), day(y - 1, 0))),
            "six-monthly": ((f"{y}S{half}", day(y, half)),
                            (f"{prev_half[0]}S{prev_half[1]}", day(*prev_half)))}


def expected_periods(cat, today):
    """What WELCOME's periods must be: for each (type, calendar) the catalogue
    uses, the period before today's and today's, with their deadlines."""
    days = dict(l.split("|") for l in sql("SELECT period_type, days_after_end FROM period_deadline").splitlines())
    used = {(t, i.get("calendar", "administrative")) for i in cat["indicators"] for t in i.get("period_types", [])}
    order = ["daily", "weekly", "monthly", "quarterly", "six-monthly", "yearly"]
    want = []
    for cal, t in sorted((c, t) for t, c in used):
        known = admin_or_stat(cal, today)
        if t not in known:
            return None, f"type {t} is not covered by this check"
        for code, last in reversed(known[t]):
            due = (last + datetime.timedelta(days=int(days[t]))).isoformat() if t in days else None
            want.append({"period": code, "type": t, "calendar": cal, "deadline": due, "closed": False})
    want.sort(key=lambda p: (p["calendar"], order.index(p["type"])))
    return want, None


def version2(P, w):
    hello = json.dumps({"agent": "conformance 2"}).encode()
    v1_fields = {"server", "collector", "scope", "max_rows", "max_body", "catalog_version"}

    def v1_unchanged():
        got = P.raw([b"CHISO/1", b"HELLO", hello])
        if not got or got[0] != b"CHISO/1" or got[1] != b"WELCOME":
            return f"expected WELCOME tagged CHISO/1, got {got}"
        if set(json.loads(got[2])) != v1_fields:
            return f"a version 1 WELCOME has fields {sorted(json.loads(got[2]))}"
        return None
    run("v1: HELLO tagged CHISO/1 -> WELCOME tagged CHISO/1, version 1's fields alone", v1_unchanged)

    def welcome2():
        got = P.raw([b"CHISO/2", b"HELLO", hello])
        if not got or got[:2] != [b"CHISO/2", b"WELCOME"]:
            return None, f"expected WELCOME tagged CHISO/2, got {got}"
        return json.loads(got[2]), None

    def v2_welcome():
        msg, why = welcome2()
        if why:
            return why
        if set(msg) != v1_fields | {"unit", "periods"}:
            return f"fields {sorted(msg)}"
        name = sql("SELECT name FROM unit WHERE code = '51' AND valid_to = 'infinity'")
        if msg["unit"] != {"code": "51", "name_vi": name, "tier": "province"}:
            return f"unit {msg['unit']}, want 51 {name} province"
        cat = P.ask(b"CATALOG", {})[1]
        want, why = expected_periods(cat, datetime.date.today())
        if why:
            return why
        return None if msg["periods"] == want else f"periods {msg['periods']}\nwant {want}"
    run("v2: HELLO tagged CHISO/2 -> WELCOME tagged CHISO/2 with the unit, its tier and the "
        "open periods with their deadlines", v2_welcome)

    def v2_others():
        for command, body, want in [(b"PING", b"{}", b"PONG"), (b"CATALOG", b"{}", b"CATALOG"),
                                    (b"PING", b"[", b"ERROR")]:
            got = P.raw([b"CHISO/2", command, body])
            if not got or got[:2] != [b"CHISO/2", want]:
                return f"{command.decode()} tagged CHISO/2: expected {want.decode()} tagged CHISO/2, got {got and got[:2]}"
        got = P.raw([b"CHISO/2", b"BATCH", P.body([row()])])
        if not got or got[:2] != [b"CHISO/2", b"ACK"] or json.loads(got[2])["status"] != "committed":
            return f"BATCH tagged CHISO/2: expected ACK committed tagged CHISO/2, got {got}"
        return None
    run("v2: PING, CATALOG, a bad body and a BATCH tagged CHISO/2 are answered tagged CHISO/2, "
        "with version 1's bodies", v2_others)

    def v2_closed():
        today = datetime.date.today()
        prev = admin_or_stat("administrative", today)["six-monthly"][1][0]
        msg, why = welcome2()
        if why or not any(p["period"] == prev for p in msg["periods"]):
            return why or f"{prev} is not listed before it is closed"
        ctl("period", "close", prev)
        Peer("conf-v2-reload", "51")       # an enrolment makes chisod read the collectors again
        try:
            end = time.time() + 20
            while time.time() < end:
                msg, why = welcome2()
                if why:
                    return why
                if not any(p["period"] == prev for p in msg["periods"]):
                    return None
                time.sleep(0.5)
            return f"the closed period {prev} is still listed"
        finally:
            ctl("period", "reopen", prev)
    run("v2: a closed period is not listed", v2_closed)


# ---- the cases ----

def main():
    t0 = time.time()
    run("doc: the code tables parse", case_doc_parser)
    run("codes: the check names each code on one side only", case_codes_diff)
    run("codes: chisod --codes = the document's tables", case_codes_agree)

    P = Peer("conf-prov", "51")            # the province: every unit in scope
    w = {}
    end = time.time() + 60                 # without D6 a fresh key may wait for chisod's reload
    while P.ask(b"PING", {}, 5)[0] != "PONG" and time.time() < end:
        pass

    # chisod was started before the catalogue was loaded
    run("CATALOG before a catalogue is loaded -> ERROR internal",
        lambda: want_error(P.ask(b"CATALOG", {}), "internal"))

    def retry():
        cmd, msg = P.batch([row()])
        if cmd != "RETRY":
            return f"expected RETRY, got {cmd} {msg}"
        if (msg.get("epoch"), msg.get("seq"), msg.get("reason")) != (P.epoch, P.seq, "no catalogue loaded") \
                or not isinstance(msg.get("after_ms"), int) or set(msg) != {"epoch", "seq", "after_ms", "reason"}:
            return f"RETRY body {msg}"
        return None
    run('BATCH before a catalogue is loaded -> RETRY "no catalogue loaded"', retry)
    ctl("catalog", "load", E["CONFORMANCE_CATALOG"])
    end = time.time() + 30
    while P.ask(b"CATALOG", {}, 5)[0] != "CATALOG" and time.time() < end:
        time.sleep(0.1)                    # chisod reads the catalogue when told (NOTIFY)

    def hello_full():
        cmd, msg = P.ask(b"HELLO", {"agent": "conformance 1", "epoch": P.epoch,
                                     "backlog_batches": 0, "backlog_rows": 0})
        if cmd != "WELCOME":
            return f"expected WELCOME, got {cmd} {msg}"
        w.update(msg)
        types = {"server": str, "collector": str, "scope": str, "max_rows": int,
                 "max_body": int, "catalog_version": str}
        bad = [k for k in types if not isinstance(msg.get(k), types[k])] + sorted(set(msg) - set(types))
        if bad:
            return f"WELCOME fields wrong or unknown: {bad}"
        if (msg["collector"], msg["scope"]) != ("conf-prov", "51"):
            return f"collector/scope {msg['collector']}/{msg['scope']}"
        return None
    run("HELLO all fields -> WELCOME (collector, scope, limits)", hello_full)
    if not w:
        w.update(max_rows=10000, max_body=4194304, catalog_version="")
    MAXR, MAXB = w["max_rows"], w["max_body"]

    def answer(cmd_want, body, command=b"HELLO"):
        cmd, msg = P.ask(command, body)
        return None if cmd == cmd_want else f"expected {cmd_want}, got {cmd} {msg}"

    version2(P, w)

    # HELLO: D1 (only agent required), every field's type and range
    def H(**kw):
        """A HELLO with every field, some changed or dropped (None)."""
        h = {"agent": "x", "epoch": 1, "backlog_batches": 0, "backlog_rows": 0}
        h.update(kw)
        return {k: v for k, v in h.items() if v is not None}
    run("HELLO only agent -> WELCOME", answer, "WELCOME", {"agent": "x"})
    run("HELLO agent of 64 bytes -> WELCOME", answer, "WELCOME", H(agent="a" * 64))
    run("HELLO epoch 2^63-1 -> WELCOME", answer, "WELCOME", H(epoch=2**63 - 1))
    for name, body in [("no agent", H(agent=None)), ("agent empty", H(agent="")),
                       ("agent 65 bytes", H(agent="a" * 65)), ("agent a number", H(agent=5)),
                       ("unknown field", H(colour="red")), ("epoch 0", H(epoch=0)),
                       ("epoch a string", H(epoch="1")), ("epoch 2^63", H(epoch=2**63)),
                       ("epoch with a fraction", H(epoch=1.5)),
                       ("backlog_batches -1", H(backlog_batches=-1)),
                       ("backlog_rows a string", H(backlog_rows="9"))]:
        run(f"HELLO {name} -> ERROR bad_body", lambda b=body: want_error(P.ask(b"HELLO", b), "bad_body"))

    # PING / PONG
    def ping(body):
        cmd, msg = P.ask(b"PING", body)
        return None if (cmd, msg) == ("PONG", {}) else f"expected PONG {{}}, got {cmd} {msg}"
    run("PING {} -> PONG {}", ping, {})
    run("PING all fields -> PONG {}", ping, {"backlog_batches": 1, "backlog_rows": 2, "oldest_age_s": 3})
    for name, body in [("unknown field", {"colour": 1}), ("backlog_rows a string", {"backlog_rows": "1"}),
                       ("oldest_age_s -1", {"oldest_age_s": -1}), ("backlog_batches null", {"backlog_batches": None})]:
        run(f"PING {name} -> ERROR bad_body", lambda b=body: want_error(P.ask(b"PING", b), "bad_body"))

    # CATALOG
    def catalog():
        cmd, msg = P.ask(b"CATALOG", {})
        if cmd != "CATALOG":
            return f"expected CATALOG, got {cmd} {msg}"
        if msg.get("version") != w["catalog_version"]:
            return f"version {msg.get('version')} is not WELCOME's {w['catalog_version']}"
        codes = {i["code"]: i for i in msg.get("indicators", [])}
        if codes.get("internet_users_pct", {}).get("kind") != "ratio" or "bts_stations" not in codes:
            return "indicators internet_users_pct (ratio) and bts_stations not listed"
        return None
    run("CATALOG {} -> CATALOG of WELCOME's version", catalog)
    run("CATALOG unknown field -> ERROR bad_body",
        lambda: want_error(P.ask(b"CATALOG", {"colour": 1}), "bad_body"))
    run("CATALOG body not JSON -> ERROR bad_body",
        lambda: want_error(P.ask(b"CATALOG", b"{"), "bad_body"))

    # frames, tags, commands (§2, D7, D8)
    ping_body = b"{}"
    for name, fr in [("1 frame", [C.TAG]), ("2 frames", [C.TAG, b"PING"]),
                     ("4 frames", [C.TAG, b"PING", ping_body, ping_body]),
                     ("tag HELLO", [b"HELLO", b"PING", ping_body]), ("tag chiso/1", [b"chiso/1", b"PING", ping_body]),
                     ("empty tag", [b"", b"PING", ping_body])]:
        run(f"frames: {name} -> ERROR bad_frames", lambda f=fr: want_error(P.frames(f), "bad_frames"))
    run("frames: tag CHISO/3 -> ERROR unsupported_version naming CHISO/1 and CHISO/2",
        lambda: want_error(P.frames([b"CHISO/3", b"PING", ping_body]), "unsupported_version",
                           r"this server speaks CHISO/1 and CHISO/2; your message was tagged CHISO/3"))
    def logged(what):
        text = open(os.path.join(DIR, "chisod.log"), encoding="utf-8", errors="replace").read()
        return None if re.search(what, text) else f"chisod's log has no line matching {what!r}"
    run("log: a message of 2 frames is logged as such (D7)", logged,
        r"message of 2 frames refused \(a message is 3 frames: tag, command, body\)")
    run("log: a wrong tag is logged with the tag (D7)", logged, r'message with tag "HELLO" refused')
    for c in (b"FOO", b"ping", b"WELCOME", b"ACK"):
        run(f"command {c.decode()} -> ERROR unknown_command",
            lambda c=c: want_error(P.ask(c, ping_body), "unknown_command"))

    # bodies (§2): strict JSON
    good = C.row_json(row())
    for name, body in [("not JSON", b'{"epoch":'), ("an array", b"[1]"),
                       ("invalid UTF-8", b'{"epoch":1,"seq":1,"rows":[],"x":"\xff"}'),
                       ("a duplicate key", b'{"epoch":1,"epoch":1,"seq":1,"rows":[' + good.encode() + b"]}"),
                       ("NUL in a string", b'{"epoch":1,"seq":1,"rows":[{"unit":"1\\u0000"}]}')]:
        run(f"BATCH body {name} -> ERROR bad_body", lambda b=body: want_error(P.ask(b"BATCH", b), "bad_body"))
    # BATCH fields
    rows = '[' + good + ']'
    for name, text in [("no epoch", '{"seq":1,"rows":%s}'), ("no seq", '{"epoch":7,"rows":%s}'),
                       ("no rows", '{"epoch":7,"seq":1}'), ("unknown field", '{"epoch":7,"seq":1,"rows":%s,"x":1}'),
                       ("epoch 0", '{"epoch":0,"seq":1,"rows":%s}'), ("epoch a string", '{"epoch":"7","seq":1,"rows":%s}'),
                       ("epoch 2^63", '{"epoch":9223372036854775808,"seq":1,"rows":%s}'),
                       ("epoch -1", '{"epoch":-1,"seq":1,"rows":%s}'), ("epoch 1.5", '{"epoch":1.5,"seq":1,"rows":%s}'),
                       ("seq 0", '{"epoch":7,"seq":0,"rows":%s}'), ("seq a string", '{"epoch":7,"seq":"1","rows":%s}'),
                       ("seq 2^63", '{"epoch":7,"seq":9223372036854775808,"rows":%s}'),
                       ("rows an object", '{"epoch":7,"seq":1,"rows":{}}'), ("rows empty", '{"epoch":7,"seq":1,"rows":[]}')]:
        body = text % rows if "%s" in text else text
        run(f"BATCH {name} -> ERROR bad_body", lambda b=body: want_error(P.ask(b"BATCH", b), "bad_body"))

    # rows: shape (bad_row), D3's split of bad_row and bad_value
    R = lambda name, r, code, msg=None: run(f"row {name} -> {code}", row_case, P, r, code, msg)
    R("valid", row(), "accepted")
    R("not an object", L('"x"'), "bad_row", r"^row 0: expected an object, got a string")
    R("unknown field", row(colour=1), "bad_row", r'unknown field "colour"')
    for f in ("unit", "indicator", "value"):
        R(f"missing {f}", row(**{f: None}), "bad_row", f'missing field "{f}"')
    R("missing period and date", row(period=None), "bad_row")
    R("both period and date", row(date="2024-06-10"), "bad_row")
    for f, v in [("unit", 21301), ("indicator", 5), ("period", 2024), ("qualifier", 1), ("ref", 5), ("note", 5)]:
        R(f"{f} a number", row(**{f: v}), "bad_row", f'field "{f}"')
    R("date a number", row(period=None, date=20240610), "bad_row", 'field "date"')
    R("unit not digits", row(unit="21a01"), "bad_row", 'field "unit"')
    R("unit empty", row(unit=""), "bad_row")
    R("unit 16 digits", row(unit="9" * 16), "unknown_unit")
    R("unit 17 digits", row(unit="9" * 17), "bad_row", 'field "unit"')
    R("indicator 64 bytes", row(indicator="x" * 64), "unknown_indicator")
    R("indicator 65 bytes", row(indicator="x" * 65), "bad_row", 'field "indicator"')
    R("indicator in capitals", row(indicator="BTS_STATIONS"), "bad_row", 'field "indicator"')
    R("period 16 bytes", row(period="2024" + "0" * 12), "bad_period")
    R("period 17 bytes", row(period="2024" + "0" * 13), "bad_row", 'field "period"')
    R("qualifier at_least", row(qualifier="at_least"), "accepted")
    R("qualifier unknown", row(qualifier="more"), "bad_row", 'field "qualifier"')
    R("ref 128 bytes", row(ref="r" * 128), "accepted")
    R("ref 129 bytes", row(ref="r" * 129), "bad_row", 'field "ref"')
    R("note 240 bytes", row(note="ố" * 80), "accepted")
    R("note 241 bytes", row(note="ố" * 80 + "a"), "bad_row", 'field "note"')
    R("note empty", row(note=""), "accepted")
    R("note with a line break", row(note="a\nb"), "bad_row", 'field "note"')
    for name, v in [("a string", '"264"'), ("true", "true"), ("null", "null"), ("an array", "[3]"), ("an object", "{}")]:
        R(f"value {name}", row(value=L(v)), "bad_value", r'field "value": expected a number, got ')
    # the first fault in the documented order decides
    order = [("unknown field before unit", row(colour=1, unit="x"), 'unknown field'),
             ("unit before indicator", row(unit="x", indicator="X"), 'field "unit"'),
             ("indicator before period", row(indicator="X", period=None), 'field "indicator"'),
             ("period before qualifier", row(period=None, qualifier="more"), '"period"'),
             ("qualifier before ref", row(qualifier="more", ref=5), 'field "qualifier"'),
             ("ref before note", row(ref=5, note=5), 'field "ref"'),
             ("note before value", row(note=5, value=L('"3"')), 'field "note"')]
    for name, r, msg in order:
        R(f"two faults, {name}", r, "bad_row", msg)

    # dates (D3)
    R("date 2024-06-14", row(period=None, date="2024-06-14"), "accepted")
    R("date 2024-02-31", row(period=None, date="2024-02-31"), "bad_date", r"1 đến 29")
    R("date 31/02/2024", row(period=None, date="31/02/2024"), "bad_date")

    # the number rule (D4)
    num = lambda v: row(indicator="fixed_broadband_per_100_people", value=L(v))
    too = r"is refused: a value has at most 15 significant digits"
    for v in ("1e+16", "1e300", "1e15", "1e-16", "0.1234567890123456", "1234567890123456"):
        R(f"value {v}", num(v), "bad_value", re.escape(v) + ".*" + too)
    for v in ("5e3", "5.0E+3", "5000.000", "1.5e-3", "999999999999999", "0.000000000000001",
              "-0", "0e5", "0.000"):
        R(f"value {v}", num(v), "accepted")
    R("value -999999999999999 (passes the rule)", row(value=L("-999999999999999")), "negative_value")

    def stored(v, text):
        P.batch([row(unit="21310", indicator="fixed_broadband_per_100_people", value=L(v))])
        got = sql("SELECT o.value::text FROM observation o JOIN unit u ON u.id = o.unit_id "
                  "JOIN indicator i ON i.id = o.indicator_id JOIN period p ON p.id = o.period_id "
                  "WHERE u.code = '21310' AND i.code = 'fixed_broadband_per_100_people' AND p.code = '2024'")
        return None if got and Decimal(got) == Decimal(text) else f"stored {got}, expected {text}"
    run("value 5e3 is stored as 5000", stored, "5e3", "5000")
    run("value 1.5e-3 is stored as 0.0015", stored, "1.5e-3", "0.0015")

    def value_text(v, text):
        ans = P.batch([num(v)])
        got = sql(f"SELECT value_text FROM v_rejection WHERE collector = 'conf-prov' "
                  f"AND batch_seq = {ans[1]['seq']} AND row_no = 0")
        return None if got == text else f"value_text [{got}], expected [{text}]"
    run("v_rejection.value_text of 1e+16 is 1e+16", value_text, "1e+16", "1e+16")
    run('v_rejection.value_text of "264" is "264" quoted', value_text, '"264"', '"264"')
    run("v_rejection.value_text of true is true", value_text, "true", "true")

    # reason codes decided by chisod and the database (§6), with the seed catalogue and units
    ctl("period", "close", "2022")
    R("period 2024H1", row(period="2024H1"), "bad_period", "2024S1")
    R("indicator no_such", row(indicator="no_such"), "unknown_indicator", "no_such")
    R("a ratio", row(indicator="internet_users_pct"), "computed_indicator")
    R("a quarter of a six-monthly indicator", row(period="2024Q1"), "period_type_not_allowed")
    R("period 2099", row(period="2099"), "future_period")
    R("a closed period", row(period="2022"), "period_locked")
    R("a count of 5.5", row(value=L("5.5")), "not_integer")
    R("a count of -3", row(value=-3), "negative_value")
    R("a percentage of 101", row(indicator="coverage_4g_pct", value=101), "out_of_bounds")
    R("unit 99999", row(unit="99999"), "unknown_unit")
    R("a commune retired by the 2025 reform", row(unit="21298", period="2026"), "unit_retired")
    R("a district indicator for a commune", row(indicator="tax_dossiers_received"), "level_not_allowed")

    def ratio():
        ans = P.batch([row(unit="21313", indicator="households", value=6160),
                       row(unit="21313", indicator="households_with_digital_address", value=7779)])
        return want_ack(ans) or (None if verdict(ans[1], 1)[0] == "numerator_exceeds_denominator"
                                 else f"row 1: {verdict(ans[1], 1)}")
    run("row numerator above its denominator -> numerator_exceeds_denominator", ratio)

    X = Peer("conf-xa", "21301")           # a commune's collector

    def usable_at_once():                  # D6: no refusal right after collector add
        cmd, _ = X.ask(b"PING", {})
        return None if cmd == "PONG" and X.link.refusals == 0 else \
            f"answer {cmd} after {X.link.refusals} refused handshake(s)"
    run("a key used at once after collector add -> admitted at the first handshake", usable_at_once)
    end = time.time() + 60                 # without D6, the next cases wait for the key here
    while X.ask(b"PING", {}, 5)[0] != "PONG" and time.time() < end:
        pass
    run("row of another commune -> unit_out_of_scope", row_case, X, row(unit="21298"), "unit_out_of_scope")

    # ACK: order of verdicts, counts (D3); duplicate, key_reused, reordering (§5)
    def ack_shape():
        rs = [row(), row(colour=1), row(unit="99999"), row(value=L('"x"')), row(indicator="no_such"), row()]
        ans = P.batch(rs)
        why = want_ack(ans)
        if why:
            return why
        m = ans[1]
        nums = [v["row"] for v in m["rejected"]]
        if nums != sorted(set(nums)) or nums != [1, 2, 3, 4]:
            return f"rejected rows {nums}"
        if m["accepted"] + len(nums) != len(rs) or set(nums) & {v["row"] for v in m["flagged"]}:
            return f"accepted {m['accepted']} + rejected {len(nums)} != {len(rs)}, or a row both"
        return None
    run("ACK: rejected sorted by row, once each, accepted + rejected = rows", ack_shape)

    def duplicate():
        body = P.body([row(), row(unit="99999")])
        first, again = P.ask(b"BATCH", body), P.ask(b"BATCH", body)
        why = want_ack(first) or want_ack(again, "duplicate")
        if why:
            return why
        keys = ("epoch", "seq", "accepted", "rejected", "flagged")
        return None if [first[1][k] for k in keys] == [again[1][k] for k in keys] else \
            f"duplicate answer {again[1]} differs from the first {first[1]}"
    run("the same batch twice -> ACK duplicate with the first answer", duplicate)

    def key_reused():
        seq = P.seq + 1
        first = P.batch([row(value=4)], seq)
        other = P.batch([row(value=5)], seq)
        why = want_ack(first) or want_ack(other, "key_reused")
        if why:
            return why
        m = other[1]
        if m["accepted"] != 0 or [(v["row"], v["code"]) for v in m["rejected"]] != [(0, "key_reused")]:
            return f"key_reused ACK {m}"
        return None
    run("the same key with other rows -> ACK key_reused, row 0 key_reused", key_reused)

    def reordered():
        r = dict(unit="21304", indicator="bts_stations", period="2024")
        s = P.seq
        P.seq += 3
        late, early = P.batch([row(**r, value=7)], s + 3), P.batch([row(**r, value=5)], s + 2)
        why = want_ack(late) or want_ack(early)
        if why:
            return why
        if [v["code"] for v in early[1]["flagged"]] != ["superseded"]:
            return f"seq {s + 2} after {s + 3}: flagged {early[1]['flagged']}, expected superseded"
        got = sql("SELECT o.value FROM observation o JOIN unit u ON u.id = o.unit_id JOIN indicator i "
                  "ON i.id = o.indicator_id JOIN period p ON p.id = o.period_id "
                  "WHERE u.code = '21304' AND i.code = 'bts_stations' AND p.code = '2024'")
        return None if float(got) == 7 else f"stored {got}, expected 7 (the later seq)"
    run("seq 3 before seq 2 -> both committed, seq 2 flagged superseded", reordered)

    def sum_mismatch():
        ans = P.batch([row(unit="21316", indicator=i, value=v) for i, v in
                       (("dossiers_online", 10), ("dossiers_online_partial", 3), ("dossiers_online_full", 4))])
        return want_ack(ans) or (None if [v["code"] for v in ans[1]["flagged"]] == ["sum_mismatch"] * 3
                                 else f"flagged {ans[1]['flagged']}")
    run("parts that do not add up -> flagged sum_mismatch", sum_mismatch)

    def outlier():
        hist = P.batch([row(unit="21295", period=str(y), value=10 + y % 2) for y in range(2019, 2024)])
        ans = P.batch([row(unit="21295", period="2024", value=500)])
        return want_ack(hist) or want_ack(ans) or (
            None if [v["code"] for v in ans[1]["flagged"]] == ["outlier"] else f"flagged {ans[1]['flagged']}")
    run("a value far from the unit's history -> flagged outlier", outlier)

    # limits (§4), from WELCOME
    def padded(size):
        b = P.body([row()])
        return b[:-1] + b" " * (size - len(b)) + b"}"
    run(f"a body of max_body ({MAXB}) bytes -> ACK", lambda: want_ack(P.ask(b"BATCH", padded(MAXB), 10)))
    P.reconnect()   # a dropped message may have cost the connection (D2 not met)
    run("a body of max_body+1 bytes -> ERROR bad_body naming the limit",
        lambda: want_error(P.ask(b"BATCH", padded(MAXB + 1), 10), "bad_body",
                           rf"body too large: {MAXB + 1} bytes, limit {MAXB}"))
    P.reconnect()
    run("a body of max_body+256 bytes -> ERROR bad_body naming the limit",
        lambda: want_error(P.ask(b"BATCH", padded(MAXB + 256), 10), "bad_body",
                           rf"body too large: {MAXB + 256} bytes, limit {MAXB}"))
    P.reconnect()

    def dropped():
        cmd, msg = P.ask(b"BATCH", padded(MAXB + 4096), 3)
        return None if cmd is None else f"answered {cmd} {msg}"
    run("a body of max_body+4096 bytes -> dropped by libzmq, no answer", dropped)
    P.reconnect()
    one = C.row_json(row(unit="21307"))
    run(f"max_rows ({MAXR}) rows -> ACK", lambda: want_ack(P.ask(b"BATCH", P.body([L(one)] * MAXR), 60)))
    run("max_rows+1 rows -> ERROR too_many_rows",
        lambda: want_error(P.ask(b"BATCH", P.body([L(one)] * (MAXR + 1)), 60), "too_many_rows"))
    R("JSON nesting 4 (a ref that is an array)", row(ref=[]), "bad_row", 'field "ref"')
    run("JSON nesting 5 -> ERROR bad_body",
        lambda: want_error(P.batch([row(ref=[[]])]), "bad_body", "nested deeper than 4"))

    # the example's own behaviour: cutting, outbox, exit statuses, recovery
    def cutting():
        rows = [C.row_json(row(ref="r%d" % i, note="ố" * (i % 50))) for i in range(500)]
        out = C.cut(rows, 5, 1, 37, 4000)
        got = [r for b in out for r in json.loads(b)["rows"]]
        if any(len(b) > 4000 or len(json.loads(b)["rows"]) > 37 for b in out):
            return "a batch is over the limits"
        seqs = [json.loads(b)["seq"] for b in out]
        return None if got == [json.loads(r) for r in rows] and seqs == list(range(1, len(out) + 1)) \
            else "rows or seqs changed by the cut"
    run("collector.py cuts batches within max_rows and max_body", cutting)

    def collector(args, csv_text=None, timeout=60, state=None):
        state = state or os.path.join(DIR, "outbox-%d" % random.randrange(1 << 30))
        cmd = [sys.executable, os.path.join(SRC, "docs", "examples", "collector.py"), "--server", SERVER,
               "--server-key", SERVER_KEY, "--state", state, "--timeout", str(timeout)] + args
        if csv_text is not None:
            path = os.path.join(DIR, "figures-%d.csv" % random.randrange(1 << 30))
            open(path, "w", encoding="utf-8").write(csv_text)
            cmd.append(path)
        return cmd

    def csv_run(csv_text, status, expect=None):
        p = subprocess.run(collector(["--key", X.keyfile], csv_text), capture_output=True, text=True, timeout=120)
        if p.returncode != status:
            return f"exit {p.returncode}, expected {status}: {p.stdout[-300:]} {p.stderr[-300:]}"
        if expect and not re.search(expect, p.stdout, re.M):
            return f"output {p.stdout!r} lacks {expect!r}"
        return None
    run("collector.py: a 2-row CSV (BOM, qualifier, note) -> exit 0",
        csv_run, "\ufeffunit,indicator,period,value,qualifier,note\n21301,population,2024,5200,,\n"
                 "21301,internet_users,2024,2000,at_least,ước tính\n", 0, r"^2 row\(s\) accepted, 0 refused")
    run("collector.py: a refused row -> exit 1, printed with its code",
        csv_run, "unit,indicator,period,value\n21301,no_such,2024,1\n", 1,
        r"^refused figures-\d+\.csv:2: unknown_indicator: ")

    def resend_outbox():
        state = os.path.join(DIR, "outbox-left")
        ob = C.Outbox(state)
        ob.add(C.cut([C.row_json(row(value=9))], ob.epoch, ob.next, MAXR, MAXB))
        p = subprocess.run(collector(["--key", X.keyfile], state=state), capture_output=True, text=True, timeout=120)
        left = [n for n in os.listdir(state) if n.startswith("batch-")]
        return None if p.returncode == 0 and not left else f"exit {p.returncode}, left {left}: {p.stderr}"
    run("collector.py: a batch left in the outbox is sent at start", resend_outbox)

    def rekey():
        state = os.path.join(DIR, "outbox-rekey")
        ob = C.Outbox(state)
        mine, X.epoch = X.epoch, ob.epoch
        taken = X.batch([row(value=1)], 1)          # the key (epoch, 1) is committed with value 1
        X.epoch = mine
        ob.add([C.batch_body(ob.epoch, 1, [C.row_json(row(value=2))])])  # a copied outbox
        p = subprocess.run(collector(["--key", X.keyfile], state=state), capture_output=True, text=True, timeout=120)
        return want_ack(taken) or (None if p.returncode == 0 and "new epoch" in p.stdout
                                   else f"exit {p.returncode}: {p.stdout} {p.stderr}")
    run("collector.py: ACK key_reused -> sent again under a new epoch, exit 0", rekey)

    def enrol_late():
        keyfile, pubfile = keygen("conf-late")
        proc = subprocess.Popen(collector(["--key", keyfile], "unit,indicator,period,value\n21301,bts_stations,2024,6\n"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stderr.readline()          # the first refused handshake
            if "handshake refused" not in line:
                return f"expected a refused handshake, got {line!r}"
            ctl("collector", "add", "conf-late", "--key", pubfile, "--unit", "21301")
            out, err = proc.communicate(timeout=90)
            return None if proc.returncode == 0 else f"exit {proc.returncode}: {out} {err}"
        finally:
            proc.kill()
    run("a key refused at the handshake, then enrolled -> collector.py delivers (exit 0)", enrol_late)

    def revoked_open():
        V = Peer("conf-revoked", "21301")
        cmd, _ = V.ask(b"PING", {})
        if cmd != "PONG":
            return f"before revocation: {cmd}"
        ctl("collector", "revoke", "conf-revoked")
        end = time.time() + 20
        while time.time() < end:                   # the reload reaches chisod by NOTIFY
            ans = V.ask(b"PING", {}, 5)
            if ans[0] == "ERROR":
                V.link.close()
                return want_error(ans, "revoked")
            time.sleep(0.2)
        return "no ERROR revoked within 20 s"
    run("a key revoked on an open connection -> ERROR revoked", revoked_open)

    def revoked_handshake():
        try:
            C.hello(C.Link(SERVER, SERVER_PUB, C.read_key(os.path.join(DIR, "conformance-keys", "conf-revoked.key")),
                           time.time() + 3), C.Outbox(os.path.join(DIR, "outbox-revoked")))
        except C.Fatal as e:
            return None if "refused our key" in str(e) else str(e)
        return "a revoked key was welcomed"
    run("a revoked key -> handshake refused (collector.py gives up at --timeout)", revoked_handshake)

    failed = RESULTS.count(False)
    print(f"conformance: {len(RESULTS)} cases, {failed} failed, {time.time() - t0:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
