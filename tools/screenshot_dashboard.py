"""Screenshot of the dashboard for the README: docs/figures/dashboard.png.

Starts ``mobsim dashboard`` on a free port, opens it in headless Chromium (``tests/browser.py``),
plays the run up to a day and pauses, takes the screenshot, and stops the server::

    .venv/bin/python tools/screenshot_dashboard.py                     # Sweden spring 2020, day 45, scale 0.05
    .venv/bin/python tools/screenshot_dashboard.py --day 60 --out /tmp/dash.png
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import open_page  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", type=int, default=45, help="day the run is paused at (default 45: mid-April, near the peak)")
    parser.add_argument("--scale", type=float, default=0.05, help="world.scale (default 0.05)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "figures" / "dashboard.png")
    args = parser.parse_args()

    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port), "--scale", str(args.scale)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = next(line for line in server.stdout if line.startswith("mobsim dashboard: http"))
        with open_page(width=1400, height=960) as page:
            page.goto(line.split()[2])
            page.wait_for_selector(".mobsim-fatigue img", timeout=60_000)
            page.get_by_role("button", name="▶").click()
            page.wait_for_function(
                "d => document.querySelector('.mobsim-info').innerText.includes(`day ${d} of`)", arg=args.day, timeout=300_000
            )
            page.get_by_role("button", name="❚❚").click()
            page.wait_for_timeout(2_000)  # the last redraw
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
