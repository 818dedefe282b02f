"""A headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`).

Chromium reads protocol commands from its file descriptor 3 and writes replies and events to
descriptor 4, each a JSON message ended by a NUL byte, so the tests need no WebDriver, no
websocket client and no port: the standard library speaks it.

    with Chromium.launch(tmp_path / "profile") as browser:
        page = browser.open_page()
        page.navigate(path.as_uri())
        page.evaluate("document.title")
        browser.console_errors(page)   # console.error, uncaught exceptions, failed loads
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",  # root on the CI machine
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--font-render-hinting=none",  # the same glyph positions on every machine
    "--remote-debugging-pipe",
)
"""Launch flags that work as root on the project's machines, without a display or network."""

TIMEOUT = 60.0
"""Seconds one protocol reply or awaited event may take (2 busy cores: generous)."""


def executable() -> str | None:
    """Debian's `chromium` (installed by .ci/run where missing), or another on PATH."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class ProtocolError(RuntimeError):
    """A protocol command answered with an error, or Chromium stopped answering."""


@dataclass
class Page:
    """One tab, attached in flat mode: its commands carry the session id."""

    browser: Chromium
    session: str
    events: list[dict[str, Any]] = field(default_factory=list)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session)

    def navigate(self, url: str) -> None:
        """Open `url` and wait for its load event (every subresource loaded or failed)."""
        since = len(self.events)
        self.send("Page.navigate", url=url)
        self.browser.wait_event("Page.loadEventFired", self.session, since)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise ProtocolError(f"{expression!r} threw: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def screenshot(self, path: Path, *, full_page: bool = False) -> bytes:
        """A PNG of the viewport, or of the whole page's height with `full_page`."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["captureBeyondViewport"] = True
            params["clip"] = {
                "x": 0,
                "y": 0,
                "scale": 1,
                "width": size["width"],
                "height": size["height"],
            }
        data = base64.b64decode(self.send("Page.captureScreenshot", **params)["data"])
        path.write_bytes(data)
        return data

    def print_to_pdf(self) -> bytes:
        """The page as the browser prints it (its print stylesheet, A4 from its @page rule)."""
        reply = self.send("Page.printToPDF", preferCSSPageSize=True, printBackground=True)
        return base64.b64decode(reply["data"])

    def problems(self) -> list[str]:
        """What a reader's console shows as an error, and every request that left file://.

        console.error/assert, uncaught exceptions, browser log entries of level error
        (failed loads, blocked content, CSP), and network requests to anything but file:
        or data: (the report must fetch nothing).
        """
        found: list[str] = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
                found.append(f"console.{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(
                    f"exception: {details.get('exception', {}).get('description', details['text'])}"
                )
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                found.append(f"log ({entry['source']}): {entry['text']} {entry.get('url', '')}")
            elif method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if not url.startswith(("file:", "data:", "about:")):
                    found.append(f"request: {url}")
        return found


class Chromium:
    """A running headless Chromium and the two ends of its protocol pipe."""

    def __init__(self, pid: int, commands: int, replies: int, viewport: tuple[int, int]) -> None:
        self.pid = pid
        self.viewport = viewport
        self._commands = commands
        self._replies = replies
        self._buffer = b""
        self._next_id = 0
        self._pages: dict[str, Page] = {}

    @classmethod
    @contextmanager
    def launch(cls, profile: Path, *, width: int = 1366, height: int = 900) -> Iterator[Chromium]:
        """Start Chromium with a new profile folder; stop it (and wait for it) on leaving.

        Its pages show `width` x `height` CSS pixels at scale 1 (a laptop's screen).
        """
        path = executable()
        if path is None:
            raise FileNotFoundError("chromium")
        profile.mkdir(parents=True, exist_ok=True)
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # above 4, so that dup2 onto 3 and 4 always makes a new descriptor
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_browser_r, from_browser_w)]
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)
        devnull = os.open(os.devnull, os.O_RDWR)
        argv = [
            path,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "about:blank",
        ]
        env = {**os.environ, "TZ": "UTC", "LANG": "C.UTF-8"}
        pid = os.posix_spawn(
            path,
            argv,
            env,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, devnull, 0),
                (os.POSIX_SPAWN_DUP2, devnull, 1),
                (os.POSIX_SPAWN_DUP2, devnull, 2),
                (os.POSIX_SPAWN_DUP2, high[0], 3),
                (os.POSIX_SPAWN_DUP2, high[1], 4),
            ],
            setsid=True,  # its helper processes form one group, stopped together
        )
        for fd in (*high, devnull):
            os.close(fd)
        browser = cls(pid, to_browser_w, from_browser_r, (width, height))
        try:
            yield browser
        finally:
            browser._stop()

    def _stop(self) -> None:
        with suppress(ProtocolError, OSError):  # it may close the pipe before it answers
            self.send("Browser.close", {})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.killpg(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        for fd in (self._commands, self._replies):
            os.close(fd)

    def send(
        self, method: str, params: dict[str, Any], *, session: str | None = None
    ) -> dict[str, Any]:
        """Send one command and return its result; events read meanwhile go to their page."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ProtocolError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply["result"]
                return result

    def wait_event(self, method: str, session: str, since: int) -> dict[str, Any]:
        """Read until the page of `session` has reported `method` after its first `since` events."""
        page = self._pages[session]
        seen = since
        while True:
            for event in page.events[seen:]:
                if event["method"] == method:
                    return event
            seen = len(page.events)
            self._read()

    def open_page(self) -> Page:
        """A new tab with console, log, runtime and network events switched on."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        self._pages[session] = page
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        width, height = self.viewport
        page.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        return page

    def _read(self) -> dict[str, Any]:
        """The next message; an event is filed under its page's session as it goes by."""
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._replies], [], [], max(left, 0))
            if not ready:
                raise ProtocolError(f"no message from Chromium in {TIMEOUT:.0f} s")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise ProtocolError("Chromium closed its protocol pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        if "method" in message and message.get("sessionId") in self._pages:
            self._pages[message["sessionId"]].events.append(message)
        return message
