#!/usr/bin/env python3
"""The officer's form in Firefox (headless firefox-esr over Marionette).

  form_firefox.py URL PERIOD OUTDIR

A lean pass of form_browser.py's scenario in the second browser the issue
names: opens the form (the secret for its cookie), waits for the page's ready
mark and prints its time, types the payment ratio's parts with the keyboard
(14, Tab, 23) and sees 60,87 % computed by the agent, saves with Enter and
confirms with Enter, sees "Đã lưu", and sees a POST without the CSRF token
refused (403).  A screenshot goes to OUTDIR/firefox-typed.png.  Prints the
seconds the whole pass took; exit status 1 with the reason on a failure.
"""
import sys
import time

from marionette import ENTER, TAB, Firefox

NUM, DEN = "procedures_with_online_payment", "procedures_with_fees"
RATIO = "online_payment_procedures_pct"


def fail(why):
    print("FAIL (firefox):", why, file=sys.stderr)
    sys.exit(1)


def until(ff, what, script, *args, timeout=15):
    """Polls script in the page until it returns something true; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = ff.script(script, *args)
        if v:
            return v
        time.sleep(0.1)
    fail(f"{what}: not after {timeout} s")


def text(ff, id_):
    return ff.script("const e = document.getElementById(arguments[0]); return e ? e.textContent : null;", id_)


def main():
    if len(sys.argv) != 4:
        fail(__doc__)
    url, period, out = sys.argv[1:]
    t0 = time.monotonic()
    with Firefox() as ff:
        started = time.monotonic() - t0
        ff.navigate(url)
        ready = until(ff, "the page's ready mark",
                      "const m = performance.getEntriesByName('ready', 'mark')[0]; return m ? m.startTime : 0;")
        print(f"firefox: started in {started:.1f} s; navigation start to ready {ready / 1000:.3f} s")
        if ff.script("return document.getElementById('period').value;") != period:
            # The rows of the period shown first have the same ids: wait for the new
            # period's own rows (new nodes), not for any row with that id, or the
            # typing below goes to a row the redraw is about to replace.
            ff.script("const e = document.getElementById(arguments[0]); if (e) e.dataset.old = '1';",
                      "v." + NUM)
            ff.script("const s = document.getElementById('period'); s.value = arguments[0];"
                      "s.dispatchEvent(new Event('change'));", period)
            until(ff, "the period's rows",
                  "const e = document.getElementById(arguments[0]); return e !== null && !e.dataset.old;",
                  "v." + NUM)

        # The numerator, then Tab to the denominator if it is the next field (else typed there).
        ff.send_keys(ff.find(f"#v\\.{NUM}"), "14" + TAB)
        if ff.script("return document.activeElement.id;") == "v." + DEN:
            ff.send_keys(ff.find(":focus"), "23")
        else:
            ff.send_keys(ff.find(f"#v\\.{DEN}"), "23")
        until(ff, "60,87 %", "return document.getElementById(arguments[0]).textContent === '60,87 %';",
              "r." + RATIO)
        print("firefox: ratio shown: 60,87 %")
        ff.script("document.getElementById(arguments[0]).scrollIntoView({block: 'center'});", "r." + RATIO)
        ff.screenshot(f"{out}/firefox-typed.png")

        # Enter saves; the other figures are empty, so the form asks, and Enter confirms.
        ff.send_keys(ff.find(f"#v\\.{DEN}"), ENTER)
        until(ff, "the confirmation", "return document.activeElement.id === 'confirm-yes';")
        ff.send_keys(ff.find(":focus"), ENTER)
        saved = until(ff, "saved", "const t = document.getElementById('result').textContent;"
                      "return t && !t.endsWith('…') ? t : null;")
        print("firefox: saved:", saved)
        if not saved.startswith("Đã lưu"):
            fail(f"not saved: {saved}")

        status = ff.command("WebDriver:ExecuteAsyncScript", {
            "script": "const done = arguments[arguments.length - 1];"
                      "fetch('/api/save', {method: 'POST', body: new URLSearchParams("
                      "{period: arguments[0], ['v.population']: '5000'})}).then((r) => done(r.status));",
            "args": [period]})["value"]
        print("firefox: POST without the CSRF token:", status)
        if status != 403:
            fail(f"POST without the CSRF token answered {status}")
    print(f"firefox: the pass took {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    main()
