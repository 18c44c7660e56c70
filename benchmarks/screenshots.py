"""Screenshots of a run's report.html and of optuna-dashboard on its journal, for the docs.

    python benchmarks/screenshots.py [--out docs/img]

Runs a 40-evaluation EmProx-NAO search on NAS-Bench-201 with ``--dashboard``, writes its
``report.html``, then opens both views in headless Chromium (Debian's ``chromium``
package) and saves ``report.png`` and ``optuna_dashboard.png``. optuna-dashboard serves
the run's ``optuna_journal.log`` on a local port for the second; nothing leaves the machine.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = 8765


def screenshot(url: str, out: Path, size: str = "1400,2200", wait_ms: int = 15000) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("no chromium on PATH; install Debian's chromium package")
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={size}", f"--virtual-time-budget={wait_ms}", f"--screenshot={out}", url],
                   check=True, capture_output=True, timeout=180)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "img"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    run = Path(tempfile.mkdtemp(prefix="screenshots-")) / "nb201-emprox-nao"
    subprocess.run([sys.executable, str(ROOT / "main.py"), "search", "--quiet", "--dashboard", "--out", str(run),
                    "--set", "budget=40", "--set", "seed=1"], check=True)
    subprocess.run([sys.executable, str(ROOT / "main.py"), "report", str(run), "--quiet"], check=True)
    screenshot((run / "report.html").as_uri(), out / "report.png")
    dashboard = shutil.which("optuna-dashboard")
    if dashboard is None:
        sys.exit("no optuna-dashboard on PATH; pip install optuna-dashboard")
    server = subprocess.Popen([dashboard, str(run / "optuna_journal.log"), "--port", str(PORT), "--host", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(60):   # until the server answers
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/studies", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        screenshot(f"http://127.0.0.1:{PORT}/dashboard/studies/0", out / "optuna_dashboard.png", "1400,1600")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
