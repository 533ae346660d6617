"""A minimal client of Firefox's Marionette protocol, for the tests.

Debian 12 has firefox-esr but no geckodriver, and Firefox speaks the WebDriver
commands itself over Marionette: JSON over TCP, each message written
"LENGTH:JSON", a command [0, id, name, params] answered [1, id, error, result]
(https://firefox-source-docs.mozilla.org/testing/marionette/Protocol.html).
Only what the form's tests use is here.

    with Firefox() as ff:
        ff.navigate(url)
        ff.send_keys(ff.find("#v\\.population"), "1.463" + TAB)
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

TAB, ENTER = "\ue004", "\ue007"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C WebDriver element key


class MarionetteError(Exception):
    pass


class Firefox:
    """Headless firefox-esr on a throwaway profile, driven over Marionette."""

    def __init__(self, binary="firefox-esr", width=1366, height=768, timeout=60):
        self.profile = tempfile.mkdtemp(prefix="chiso-ff-")
        # Port 0: Firefox picks a free port and writes it into the profile.
        with open(os.path.join(self.profile, "user.js"), "w") as f:
            f.write('user_pref("marionette.port", 0);\n'
                    'user_pref("browser.shell.checkDefaultBrowser", false);\n'
                    'user_pref("datareporting.policy.dataSubmissionEnabled", false);\n'
                    'user_pref("intl.accept_languages", "vi");\n')
        self.proc = subprocess.Popen(
            [binary, "--headless", "--marionette", "--no-remote", "-profile", self.profile],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.next_id = 0
        port_file = os.path.join(self.profile, "MarionetteActivePort")
        deadline = time.monotonic() + timeout
        while True:
            try:
                with open(port_file) as f:
                    port = int(f.read().strip())
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
                break
            except (OSError, ValueError):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.close()
                    raise MarionetteError("firefox-esr did not open its Marionette port")
                time.sleep(0.1)
        self.buf = b""
        self._read()  # the greeting: {"applicationType": "gecko", "marionetteProtocol": 3}
        self.command("WebDriver:NewSession", {"capabilities": {"alwaysMatch": {"acceptInsecureCerts": False}}})
        self.command("WebDriver:SetWindowRect", {"width": width, "height": height})

    def _read(self):
        while b":" not in self.buf:
            self._more()
        n, _, self.buf = self.buf.partition(b":")
        while len(self.buf) < int(n):
            self._more()
        msg, self.buf = self.buf[:int(n)], self.buf[int(n):]
        return json.loads(msg)

    def _more(self):
        data = self.sock.recv(65536)
        if not data:
            raise MarionetteError("Firefox closed the connection")
        self.buf += data

    def command(self, name, params=None):
        """Sends one command and returns its result; raises MarionetteError on its error."""
        self.next_id += 1
        body = json.dumps([0, self.next_id, name, params or {}]).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body)
        while True:
            kind, mid, error, result = self._read()
            if kind == 1 and mid == self.next_id:
                break
        if error:
            raise MarionetteError(f"{name}: {error.get('error')}: {error.get('message')}")
        return result

    def navigate(self, url):
        self.command("WebDriver:Navigate", {"url": url})

    def find(self, css):
        """The element css selects (its WebDriver id)."""
        return self.command("WebDriver:FindElement", {"using": "css selector", "value": css})["value"][ELEMENT]

    def send_keys(self, element, text):
        """Focuses element and types text (TAB, ENTER as keys)."""
        self.command("WebDriver:ElementSendKeys", {"id": element, "text": text})

    def script(self, body, *args):
        """Runs body (a function body: `return ...`) in the page; its value."""
        return self.command("WebDriver:ExecuteScript", {"script": body, "args": list(args)})["value"]

    def screenshot(self, path):
        png = self.command("WebDriver:TakeScreenshot", {"full": False})["value"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))

    def close(self):
        try:
            if getattr(self, "sock", None):
                try:
                    self.command("Marionette:Quit", {"flags": ["eForceQuit"]})
                except (OSError, MarionetteError):
                    pass
                self.sock.close()
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
