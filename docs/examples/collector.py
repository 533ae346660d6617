#!/usr/bin/python3
"""A collector for chisod written from docs/protocol.md alone (python3-zmq, stdlib).

    collector.py --server tcp://HOST:7460 --server-key server.pub --key xa.key FILE.csv

FILE.csv: header unit,indicator,period,value[,qualifier][,note], UTF-8 (a BOM is
fine).  Exit 0: every row delivered and accepted; 1: rows were refused (printed);
2: a fatal error, or --timeout ran out (what is left stays in --state and is sent
again, byte for byte, by the next run).
"""
import argparse, csv, json, os, random, re, sys, time
import zmq
from zmq.utils.monitor import recv_monitor_message

TAG = b"CHISO/1"                  # frame 1 of every message (protocol.md §2)
RESEND_S = 30                     # no answer within this: send the same bytes again (§5)
# ERROR codes after which sending the same bytes again cannot help (§3):
FATAL = {"bad_frames", "unsupported_version", "bad_body", "too_many_rows",
         "unknown_command", "revoked"}
HANDSHAKE_FAILED = (zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
                    | zmq.EVENT_HANDSHAKE_FAILED_AUTH)


class Fatal(Exception):
    """One line for the user; exit status 2."""


def read_key(path):
    """A chisoctl key file: lines `public-key = "Z85"` (and `secret-key` in NAME.key)."""
    keys = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r'\s*(public-key|secret-key)\s*=\s*"(.{40})"\s*$', line)
            if m:
                keys[m.group(1)] = m.group(2).encode()
    if "public-key" not in keys:
        raise Fatal(f"{path}: no public-key line (a file written by chisoctl keygen?)")
    return keys


class Literal(str):
    """JSON text sent exactly as written: a value keeps the spelling of the CSV."""


def row_json(row):
    """A row (a dict) as compact JSON; a Literal value goes out verbatim."""
    enc = lambda v: v if isinstance(v, Literal) else json.dumps(v, ensure_ascii=False)
    return "{" + ",".join(json.dumps(k) + ":" + enc(v) for k, v in row.items()) + "}"


def batch_body(epoch, seq, rows_json):
    return ('{"epoch":%d,"seq":%d,"rows":[%s]}' % (epoch, seq, ",".join(rows_json))).encode()


NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")  # JSON's grammar


def read_csv(path):
    """The CSV's rows as dicts; `ref` says where each came from (FILE:LINE)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        need = {"unit", "indicator", "period", "value"}
        if not need <= set(reader.fieldnames or ()):
            raise Fatal(f"{path}: the header must have {', '.join(sorted(need))}")
        rows = []
        for rec in reader:
            ref = f"{os.path.basename(path)}:{reader.line_num}"
            value = rec["value"].strip()
            if not NUMBER.match(value):     # the server checks the digits (§3, value)
                raise Fatal(f"{ref}: value {value!r} is not a number")
            row = {"unit": rec["unit"].strip(), "indicator": rec["indicator"].strip(),
                   "period": rec["period"].strip(), "value": Literal(value), "ref": ref}
            for opt in ("qualifier", "note"):
                if (rec.get(opt) or "").strip():
                    row[opt] = rec[opt].strip()
            rows.append(row)
        return rows


def cut(rows_json, epoch, first_seq, max_rows, max_body):
    """Batches of at most max_rows rows and max_body bytes (WELCOME's limits)."""
    batches, cur, size = [], [], 0
    for r in rows_json:
        n = len(r.encode())
        head = len(batch_body(epoch, first_seq + len(batches), []))
        if cur and (len(cur) == max_rows or head + size + 1 + n > max_body):
            batches.append(batch_body(epoch, first_seq + len(batches), cur))
            cur, size = [], 0
            head = len(batch_body(epoch, first_seq + len(batches), []))
        if head + n > max_body:
            raise Fatal(f"a row of {n} bytes cannot fit max_body {max_body}")
        size += n + (1 if cur else 0)
        cur.append(r)
    if cur:
        batches.append(batch_body(epoch, first_seq + len(batches), cur))
    return batches


def durable_write(path, data):
    """Write, fsync, rename, fsync the directory: after this the bytes survive a crash."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)
    fd = os.open(os.path.dirname(path) or ".", os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)


class Outbox:
    """A directory: `epoch` (drawn once), `next` (the next seq), one file per batch."""

    def __init__(self, d):
        self.dir = d
        os.makedirs(d, exist_ok=True)
        if not os.path.exists(self._p("epoch")):   # a new outbox: a new random epoch
            self.set_epoch()
        self.epoch = int(open(self._p("epoch")).read())
        self.next = int(open(self._p("next")).read()) if os.path.exists(self._p("next")) else 1

    def _p(self, name):
        return os.path.join(self.dir, name)

    def set_epoch(self):  # 1 .. 2^63-1, never reused: random is the simple way (§5)
        self.epoch = random.SystemRandom().randrange(1, 2**63)
        durable_write(self._p("epoch"), b"%d" % self.epoch)

    def pending(self):
        """(seq, body) of every batch not yet acknowledged, oldest first."""
        names = sorted(n for n in os.listdir(self.dir) if n.startswith("batch-") and n.endswith(".json"))
        return [(int(n[6:-5]), open(self._p(n), "rb").read()) for n in names]

    def add(self, bodies):
        """Queue the batches BEFORE sending any: seq first, then each body."""
        seqs = [json.loads(b)["seq"] for b in bodies]
        durable_write(self._p("next"), b"%d" % (max(seqs) + 1))
        for s, b in zip(seqs, bodies):
            durable_write(self._p("batch-%020d.json" % s), b)
        self.next = max(seqs) + 1

    def done(self, seq):  # only after its ACK; lost in a crash, it is resent: a duplicate
        os.unlink(self._p("batch-%020d.json" % seq))

    def rekey(self, from_seq):
        """key_reused: a new epoch for this batch and every one after it (§5)."""
        self.set_epoch()
        for s, body in self.pending():
            if s >= from_seq:   # numbers read as Literal keep their spelling
                b = json.loads(body, parse_float=Literal, parse_int=Literal)
                rows = [row_json(r) for r in b["rows"]]
                durable_write(self._p("batch-%020d.json" % s), batch_body(self.epoch, s, rows))


class Link:
    """A DEALER with CURVE that recovers from a refused handshake (§1, §7)."""

    def __init__(self, server, server_key, key, deadline):
        self.server, self.server_key, self.key, self.deadline = server, server_key, key, deadline
        self.ctx, self.sock, self.pause = zmq.Context.instance(), None, 1.0
        self.refusals, self.admitted = 0, False   # refused handshakes, ever; the last one's fate
        self.open()

    def open(self):
        s = self.ctx.socket(zmq.DEALER)
        s.curve_serverkey = self.server_key
        s.curve_publickey, s.curve_secretkey = self.key["public-key"], self.key["secret-key"]
        for opt, v in ((zmq.LINGER, 0), (zmq.HEARTBEAT_IVL, 10000), (zmq.HEARTBEAT_TIMEOUT, 30000),
                       (zmq.HEARTBEAT_TTL, 30000), (zmq.RECONNECT_IVL, 1000 + random.randrange(500)),
                       (zmq.RECONNECT_IVL_MAX, 60000)):
            s.setsockopt(opt, v)
        # No ZMQ_IMMEDIATE: with one batch in flight, a message queued while the
        # handshake runs is what we want; it leaves when the connection is up.
        self.monitor = s.get_monitor_socket(HANDSHAKE_FAILED | zmq.EVENT_HANDSHAKE_SUCCEEDED)
        s.connect(self.server)
        self.sock = s

    def close(self):
        self.sock.disable_monitor()
        self.monitor.close(0)
        self.sock.close(0)

    def refused(self):
        """libzmq does not retry a refused handshake: recreate the socket, 1 s -> 60 s."""
        self.close()
        self.refusals, self.admitted = self.refusals + 1, False
        wait = min(self.pause * (0.5 + random.random() / 2), self.deadline - time.time())
        print(f"handshake refused; trying again in {max(wait, 0):.1f} s", file=sys.stderr, flush=True)
        time.sleep(max(wait, 0))
        self.pause = min(self.pause * 2, 60.0)
        self.open()

    def send(self, command, body):
        try:  # a DEALER blocks with no connection at all (a handshake refused already)
            self.sock.send_multipart([TAG, command, body], zmq.NOBLOCK)
        except zmq.Again:
            pass  # not sent: recv() sees the refusal, or times out and we send again

    def recv(self, timeout_s):
        """(command, body dict) of the next answer, or None after timeout_s.
        A refused handshake recreates the socket and also returns None."""
        end = min(time.time() + timeout_s, self.deadline)
        poller = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        poller.register(self.monitor, zmq.POLLIN)
        while (left := end - time.time()) > 0:
            ready = dict(poller.poll(left * 1000))
            if self.monitor in ready:
                if recv_monitor_message(self.monitor)["event"] & HANDSHAKE_FAILED:
                    self.refused()
                    return None
                self.pause, self.admitted = 1.0, True
            if self.sock in ready:
                frames = self.sock.recv_multipart()
                if len(frames) == 3 and frames[0] == TAG:   # anything else: not ours, skip
                    return frames[1].decode(), json.loads(frames[2])
        return None

    def request(self, command, body, timeout_s=RESEND_S):
        """Send, and send the same bytes again until an answer comes or time is up."""
        while time.time() < self.deadline:
            self.send(command, body)
            answer = self.recv(timeout_s)
            if answer:
                return answer
        if self.refusals and not self.admitted:
            raise Fatal("the server refused our key until --timeout (enrolled? revoked?)")
        raise Fatal("no answer from the server until --timeout; the outbox keeps the rest")


def hello(link, outbox):
    p = outbox.pending()
    body = {"agent": "collector.py 1", "epoch": outbox.epoch, "backlog_batches": len(p),
            "backlog_rows": sum(len(json.loads(b)["rows"]) for _, b in p)}
    cmd, msg = link.request(b"HELLO", json.dumps(body).encode())
    if cmd == "ERROR":
        raise Fatal(f"HELLO refused: {msg['code']}: {msg['message']}")
    if cmd != "WELCOME":
        raise Fatal(f"HELLO answered with {cmd}")
    return msg


def deliver(link, outbox, out=print):
    """Send each queued batch (window 1: the ERROR answer, which names no batch,
    is then about the one in flight) until it is acknowledged.  Returns the
    number of rows (accepted, refused)."""
    accepted = refused = 0
    queue = outbox.pending()
    while queue:
        seq, body = queue[0]
        epoch = json.loads(body)["epoch"]
        cmd, msg = link.request(b"BATCH", body)
        if cmd == "RETRY":                       # nothing written: wait, same bytes again
            time.sleep(msg["after_ms"] / 1000 * (1 + random.random() / 2))
        elif cmd == "ERROR":
            if msg["code"] in FATAL:
                raise Fatal(f"batch {seq}: {msg['code']}: {msg['message']}")
            time.sleep(1 + random.random())      # internal: the server's trouble, try again
        elif cmd == "ACK" and (msg["epoch"], msg["seq"]) == (epoch, seq):
            if msg["status"] == "key_reused":    # that key was used for other rows
                out(f"batch {seq}: key reused, sending it under a new epoch")
                outbox.rekey(seq)
            elif msg["status"] in ("committed", "duplicate"):   # duplicate: the first answer
                refs = [r.get("ref", "") for r in json.loads(body)["rows"]]
                for v in msg["rejected"]:
                    out(f"refused {refs[v['row']]}: {v['code']}: {v['message']}")
                for v in msg["flagged"]:
                    out(f"flagged {refs[v['row']]}: {v['code']}: {v['message']}")
                accepted += msg["accepted"]
                refused += len(msg["rejected"])
                outbox.done(seq)
            else:   # a status this collector does not know: malformed (§9), resend later
                time.sleep(RESEND_S)
            queue = outbox.pending()
        # any other answer (an ACK of an earlier batch, resent): send ours again
    return accepted, refused


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", required=True, help="tcp://HOST:7460")
    ap.add_argument("--server-key", required=True, help="the province's server.pub")
    ap.add_argument("--key", required=True, help="this collector's NAME.key")
    ap.add_argument("--state", default="./chiso-outbox", help="the outbox directory")
    ap.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    ap.add_argument("csv", nargs="*", help="files of figures to send")
    a = ap.parse_args()
    try:
        rows = [r for path in a.csv for r in read_csv(path)]
        outbox = Outbox(a.state)
        link = Link(a.server, read_key(a.server_key)["public-key"], read_key(a.key),
                    time.time() + a.timeout)
        welcome = hello(link, outbox)
        print(f"connected as {welcome['collector']} (scope {welcome['scope']})")
        if rows:
            outbox.add(cut([row_json(r) for r in rows], outbox.epoch, outbox.next,
                           welcome["max_rows"], welcome["max_body"]))
        accepted, refused = deliver(link, outbox)
        print(f"{accepted} row(s) accepted, {refused} refused")
        return 1 if refused else 0
    except (Fatal, OSError, ValueError, KeyError) as e:
        print(f"collector.py: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
