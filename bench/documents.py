"""Benchmark: a week's distribution documents against a bare ReportLab canvas.

    python bench/documents.py [DATABASE_FILE]   (default bench/out/large.sqlite)

Builds the large demo co-op in DATABASE_FILE if the file is missing, then, three
times each, times

* coopfood: `print_documents` for every document of the last distributed week
  (sign-in sheets, pickup lists, grids and labels, all points, all producers),
  the data gathered from the database and the pages drawn on every core;
* bare canvas: one process drawing, with the same embedded DejaVu font, the
  same number of strings in the same number of table rows on the same number
  of pages and files — the cost of the PDF itself, with no data and no layout.

It prints the median of each, the pages and the ratio, and writes the table
to bench/out/documents.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from sqlalchemy import select  # noqa: E402

from coopfood.domain.enums import CycleState  # noqa: E402
from coopfood.persistence.db import connect  # noqa: E402
from coopfood.persistence.models import Cycle  # noqa: E402
from coopfood.services import LOCAL_ADMIN  # noqa: E402
from coopfood.services.printing import DocumentKind, PrintReport, print_documents  # noqa: E402

RUNS = 3
OUT = ROOT / "bench" / "out"
WORDS = ("Carottes", "1,5 kg", "12,40 €", "DUPONT Marie", "Panier légumes — petit", "2 pièces")


def build_large_demo(path: Path) -> None:
    print(f"Construction de la démo « large » dans {path} (une trentaine de secondes)…")
    subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", f"sqlite:///{path}",
                    "demo", "--size", "large", "--as-of", "2026-11-26"], check=True)


def week_cycle(url: str) -> int:
    db = connect(url)
    try:
        with db.reading() as session:
            cycle_id = session.scalar(
                select(Cycle.id).where(Cycle.state == CycleState.DISTRIBUTED)
                .order_by(Cycle.distribution_date.desc()).limit(1))
    finally:
        db.dispose()
    assert cycle_id is not None, "aucune distribution distribuée dans la base"
    return cycle_id


def coopfood_run(url: str, cycle_id: int, out: Path) -> tuple[float, PrintReport]:
    shutil.rmtree(out, ignore_errors=True)
    db = connect(url)
    try:
        started = time.perf_counter()
        report = print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id,
                                 kinds=list(DocumentKind), out_dir=out,
                                 printed_at=dt.datetime(2026, 11, 26, 9, 0))
        return time.perf_counter() - started, report
    finally:
        db.dispose()


def bare_canvas_run(report: PrintReport, out: Path) -> float:
    """The same files, pages, rows and strings, drawn with nothing but canvas calls."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    pdfmetrics.registerFont(TTFont("BareDejaVu", str(ROOT / "resources/fonts/DejaVuSans.ttf")))
    width, height = A4
    for number, printed in enumerate(report.files):
        canvas = Canvas(str(out / f"{number}.pdf"), pagesize=A4, invariant=1, pageCompression=1)
        rows_left = printed.rows
        pages = len(printed.strings_per_page)
        for page, strings in enumerate(printed.strings_per_page):
            rows = max(1, rows_left // max(1, pages - page))
            rows_left -= rows
            per_row = max(1, strings // rows)
            row_height = (height - 30 * mm) / rows
            drawn = 0
            for row in range(rows):
                y = height - 15 * mm - (row + 1) * row_height
                cells = per_row if row < rows - 1 else strings - drawn
                for cell in range(cells):
                    canvas.setFont("BareDejaVu", 8)
                    canvas.drawString(12 * mm + (cell % 8) * 23 * mm, y + 1.5,
                                      WORDS[(row + cell) % len(WORDS)])
                drawn += cells
                canvas.setLineWidth(0.2)
                canvas.line(12 * mm, y, width - 12 * mm, y)
            canvas.showPage()
        canvas.save()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", nargs="?", type=Path, default=OUT / "large.sqlite")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file too")
    args = parser.parse_args()
    path: Path = args.database.resolve()
    if not path.exists():
        build_large_demo(path)
    url = f"sqlite:///{path}"
    cycle_id = week_cycle(url)
    mine: list[float] = []
    bare: list[float] = []
    report: PrintReport | None = None
    with tempfile.TemporaryDirectory(prefix="coopfood-bench-") as tmp:
        for _run in range(args.runs):
            seconds, report = coopfood_run(url, cycle_id, Path(tmp) / "coopfood")
            mine.append(seconds)
            bare.append(bare_canvas_run(report, Path(tmp) / "bare"))
    assert report is not None
    by_kind: dict[DocumentKind, tuple[int, int]] = {}
    for printed in report.files:
        files, pages = by_kind.get(printed.kind, (0, 0))
        by_kind[printed.kind] = (files + 1, pages + printed.pages)
    ours, baseline = statistics.median(mine), statistics.median(bare)
    lines = [
        f"Documents d'une semaine — démo large, distribution n° {cycle_id} "
        f"({os.cpu_count()} cœurs, {report.processes} processus de dessin)",
        "",
        f"{'document':<34}{'fichiers':>10}{'pages':>8}",
        *(f"{kind.label:<34}{files:>10}{pages:>8}" for kind, (files, pages) in by_kind.items()),
        f"{'total':<34}{len(report.files):>10}{report.pages:>8}",
        "",
        f"lignes de tableau : {sum(f.rows for f in report.files)}, "
        f"textes dessinés : {sum(sum(f.strings_per_page) for f in report.files)}",
        "",
        f"{'':<34}{'médiane (s)':>12}   essais (s)",
        f"{'coopfood (lecture + dessin)':<34}{ours:>12.2f}   "
        + " ".join(f"{s:.2f}" for s in mine),
        f"{'canevas ReportLab nu':<34}{baseline:>12.2f}   "
        + " ".join(f"{s:.2f}" for s in bare),
        f"{'rapport coopfood / canevas nu':<34}{ours / baseline:>12.2f}   (objectif ≤ 2)",
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "documents.txt").write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({
            "cycle_id": cycle_id, "files": len(report.files), "pages": report.pages,
            "seconds": ours, "runs": mine, "bare_seconds": baseline, "bare_runs": bare,
        }), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
