"""All of coopfood's benchmarks in one command, each figure beside its reference.

    python bench/run.py [--runs N] [--quick]

Builds the demo co-ops it needs once in bench/out/ (the large one: 10 points,
80 producers, 1,200 products, 2,000 households, ~20,000 order lines a week,
52 weeks; and, for the growth figures, the same co-op with 2 weeks of
history and with 2× and 4× the households), then measures, each in a
process of its own so that one measure's memory does not weigh on the next:

1. start-up: launch → main window shown (offscreen), against a bare PySide6
   program showing an empty window;
2. the order grid of the busiest point: first display, one cell committed;
3. the documents of one week against a bare ReportLab canvas;
4. a month of invoices with Factur-X;
5. a 5,000-line bank statement imported and matched;
6. growth: the week's documents and the grid with 52 weeks of history against
   2 weeks, and the documents for 1×, 2× and 4× the households;
7. the peak memory of every process of the run.

Figures are medians of several runs. The table is printed and written to
bench/out/summary.txt. `--quick` skips the longest measures (the invoices to
every household, the 4× co-op).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
AS_OF = "2026-11-26"
PYTHON = sys.executable


@dataclass(frozen=True)
class Row:
    what: str
    figure: str
    reference: str
    ratio: str
    target: str
    verdict: str


#: Peak resident memory (MB) of each process the run started, by what it measured.
PEAKS: dict[str, float] = {}


def wait_peak(process: subprocess.Popen[Any], what: str) -> int:
    """Wait for a process and keep its peak memory (its own, not its siblings')."""
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    PEAKS[what] = max(PEAKS.get(what, 0.0), usage.ru_maxrss / 1024)
    return process.returncode


def say(text: str) -> None:
    sys.stderr.write(f"[bench] {text}\n")
    sys.stderr.flush()


def demo(path: Path, *extra: str) -> Path:
    """Build a demo co-op into `path` once; later runs reuse it."""
    if not path.exists():
        say(f"construction de {path.name} ({' '.join(extra) or 'large'})…")
        started = time.perf_counter()
        process = subprocess.Popen([PYTHON, str(ROOT / "main.py"), "--db", f"sqlite:///{path}",
                                    "demo", "--size", "large", "--as-of", AS_OF, *extra],
                                   stdout=subprocess.DEVNULL)
        if wait_peak(process, f"construction de {path.name}") != 0:
            raise SystemExit(f"la démo {path.name} n'a pas pu être construite")
        say(f"  {time.perf_counter() - started:.1f} s")
    return path


def script(name: str, *args: str) -> dict[str, Any]:
    """Run one of bench/*.py in its own process and read back its figures."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        target = Path(handle.name)
    try:
        say(f"{name} {' '.join(args)}")
        process = subprocess.Popen(
            [PYTHON, str(ROOT / "bench" / name), *args, "--json", str(target)],
            stdout=subprocess.DEVNULL, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        if wait_peak(process, name) != 0:
            raise SystemExit(f"{name} a échoué")
        figures: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
        return figures
    finally:
        target.unlink(missing_ok=True)


BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 800)
window.show()
def shown():
    sys.stdout.write("shown\\n"); sys.stdout.flush(); app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def time_until_shown(command: Sequence[str], env: dict[str, str], what: str) -> float:
    """Seconds from launching `command` to its « shown » line (the window painted)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == "shown":
            seconds = time.perf_counter() - started
            break
    else:
        raise RuntimeError(f"{command[:3]} ne s'est pas affiché")
    wait_peak(process, what)
    return seconds


def startup(database: Path, runs: int) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory(prefix="coopfood-bench-") as data_dir:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COOPFOOD_DATA_DIR": data_dir,
               "COOPFOOD_QUIT_WHEN_SHOWN": "1"}
        app = [PYTHON, str(ROOT / "main.py"), "--db", f"sqlite:///{database}"]
        bare = [PYTHON, "-c", BARE_WINDOW]
        # A first start of each, not counted: the day's backup copy of the large base and
        # cold file caches are a once-a-day cost, not the start-up's.
        time_until_shown(app, env, "démarrage")
        time_until_shown(bare, env, "PySide6 nu")
        ours, theirs = [], []
        for _run in range(runs):
            ours.append(time_until_shown(app, env, "démarrage"))
            theirs.append(time_until_shown(bare, env, "PySide6 nu"))
        return ours, theirs


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def millis(value: float) -> str:
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def verdict(ok: bool) -> str:
    return "tenu" if ok else "MANQUÉ"


def table(rows: Sequence[Row]) -> str:
    headers = ("mesure", "coopfood", "référence", "rapport", "objectif", "verdict")
    cells = [headers, *[(r.what, r.figure, r.reference, r.ratio, r.target, r.verdict)
                        for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for index, row in enumerate(cells):
        lines.append("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                               for i, cell in enumerate(row)))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="essais par mesure (médiane)")
    parser.add_argument("--quick", action="store_true",
                        help="sans les factures aux foyers ni la coopérative 4×")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    large = demo(OUT / "large.sqlite")
    recent = demo(OUT / "large-2weeks.sqlite", "--weeks", "2")
    double = demo(OUT / "large-x2.sqlite", "--weeks", "2", "--households", "4000")
    quadruple = (None if args.quick
                 else demo(OUT / "large-x4.sqlite", "--weeks", "2", "--households", "8000"))
    rows: list[Row] = []

    say("démarrage de la fenêtre")
    ours, bare = startup(large, args.runs)
    start, reference = statistics.median(ours), statistics.median(bare)
    rows.append(Row("démarrage → fenêtre affichée (base large)", seconds(start),
                    seconds(reference) + " (PySide6 nu)", f"{start / reference:.1f}×",
                    "< 1,5 s et ≤ 3×", verdict(start < 1.5 and start <= 3 * reference)))

    grid = script("order_grid.py", str(large))
    rows.append(Row(f"grille, point le plus chargé ({grid['households']} × {grid['products']})"
                    " : 1er affichage", millis(grid["display_ms"]), "", "", "< 500 ms",
                    verdict(grid["display_ms"] < 500)))
    rows.append(Row("grille : une case enregistrée", millis(grid["cell_ms"]),
                    f"{millis(grid['cell_typed_ms'])} saisie→peinte", "", "< 50 ms",
                    verdict(grid["cell_ms"] < 50)))

    runs = str(max(3, args.runs // 2))
    docs = script("documents.py", str(large), "--runs", runs)
    ratio = docs["seconds"] / docs["bare_seconds"]
    rows.append(Row(f"documents d'une semaine ({docs['files']} fichiers, {docs['pages']} pages)",
                    seconds(docs["seconds"]), seconds(docs["bare_seconds"]) + " (canevas nu)",
                    f"{ratio:.2f}×", "≤ 2×", verdict(ratio <= 2)))

    invoices_args = [str(large)] + (["--coop-only"] if args.quick else [])
    invoices = script("invoices.py", *invoices_args)
    rows.append(Row(f"factures du mois, {invoices['coop_invoices']} producteurs vendant à la "
                    "coopérative, Factur-X", seconds(invoices["coop_seconds"]), "", "",
                    "< 10 s", verdict(invoices["coop_seconds"] < 10)))
    if "all_seconds" in invoices:
        rows.append(Row(f"  … avec la vente directe : {invoices['all_invoices']} factures "
                        f"(dont {invoices['household_invoices']} aux foyers)",
                        seconds(invoices["all_seconds"]), "", "", "< 10 s",
                        verdict(invoices["all_seconds"] < 10)))

    bank_script = ROOT / "bench" / "bank.py"
    if bank_script.exists():
        bank = script("bank.py", str(large))
        rows.append(Row(f"relevé bancaire de {bank['lines']} lignes : import + rapprochement",
                        seconds(bank["seconds"]),
                        f"{bank['matched_share'] * 100:.0f} % rapprochées", "", "< 3 s",
                        verdict(bank["seconds"] < 3)))

    old_docs = script("documents.py", str(recent), "--runs", runs)
    growth = docs["seconds"] / old_docs["seconds"]
    rows.append(Row("croissance : documents, semaine 52 / semaine 2", seconds(docs["seconds"]),
                    seconds(old_docs["seconds"]), f"{growth:.2f}×", "< 1,2×",
                    verdict(growth < 1.2)))
    old_grid = script("order_grid.py", str(recent))
    growth = grid["display_ms"] / old_grid["display_ms"]
    rows.append(Row("croissance : grille, semaine 52 / semaine 2", millis(grid["display_ms"]),
                    millis(old_grid["display_ms"]), f"{growth:.2f}×", "< 1,2×",
                    verdict(growth < 1.2)))
    base = old_docs
    for label, database, factor in (("2×", double, 2), ("4×", quadruple, 4)):
        if database is None:
            continue
        bigger = script("documents.py", str(database), "--runs", runs)
        per_page = (bigger["seconds"] / bigger["pages"]) / (base["seconds"] / base["pages"])
        rows.append(Row(f"croissance : documents, {label} les foyers ({bigger['pages']} pages)",
                        seconds(bigger["seconds"]),
                        f"{seconds(base['seconds'])} × {factor} = "
                        f"{seconds(base['seconds'] * factor)}",
                        f"{bigger['seconds'] / base['seconds']:.2f}×",
                        f"≈ {factor}× (linéaire)",
                        verdict(per_page < 1.2)))

    measures = {what: mb for what, mb in PEAKS.items() if not what.startswith("construction")}
    heaviest = max(measures, key=measures.__getitem__)
    peak_mb = max(measures[heaviest], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    rows.append(Row(f"mémoire : pic du plus gros processus de mesure ({heaviest})",
                    f"{peak_mb:.0f} Mo", "", "", "< 500 Mo", verdict(peak_mb < 500)))
    builds = {what: mb for what, mb in PEAKS.items() if what.startswith("construction")}
    if builds:
        what = max(builds, key=builds.__getitem__)
        rows.append(Row(f"  (une fois : {what})", f"{builds[what]:.0f} Mo", "", "", "", ""))

    text = "\n".join((
        f"coopfood — mesures du {dt.date.today():%d/%m/%Y} ({os.cpu_count()} cœurs, "
        f"Python {sys.version.split()[0]}), médianes de {args.runs} essais "
        f"(documents : {runs}) ; série complète en {time.perf_counter() - started:.0f} s",
        "",
        table(rows),
        "",
    ))
    print(text)
    (OUT / "summary.txt").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
