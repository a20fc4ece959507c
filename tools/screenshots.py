"""The README's screenshots, rendered offscreen from the small demo co-op.

    QT_QPA_PLATFORM=offscreen python tools/screenshots.py [docs/screenshots]

Builds the small demo (seed 1, as of 26 November 2026) in a temporary folder,
grabs the main screens of the window, and renders the first page of a sign-in
sheet with `pdftoppm`; every PNG is reduced to a 256-colour palette so that it
stays small.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = dt.date(2026, 11, 26)
SCREENS = (
    ("dashboard", "tableau-de-bord"),
    ("orders", "grille-des-commandes"),
    ("distributions", "distributions"),
    ("documents", "documents"),
)


def optimise(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def settle(seconds: float = 1.0) -> None:
    from PySide6.QtWidgets import QApplication

    from ui import worker

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline or worker.busy():
        QApplication.processEvents()
        time.sleep(0.01)


def main(out: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["COOPFOOD_DATA_DIR"] = folder  # no user settings, no user base
        from sqlalchemy import func, select

        from coopfood import cli
        from coopfood.persistence.migrations import open_database
        from coopfood.persistence.models import Cycle
        from coopfood.services import LOCAL_ADMIN
        from coopfood.services.demo import DemoSize, build_demo
        from ui.app import application
        from ui.main_window import MainWindow

        url = f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        db = open_database(url)
        build_demo(db=db, actor=LOCAL_ADMIN, size=DemoSize.SMALL, seed=1, as_of=AS_OF)
        app = application()
        window = MainWindow(db, LOCAL_ADMIN, today=lambda: AS_OF)
        window.show()
        out.mkdir(parents=True, exist_ok=True)
        for section, name in SCREENS:
            window.show_section(section)
            settle()
            page = window.page(section)
            preview = getattr(page, "preview", None)
            if section == "documents" and callable(preview):
                preview()
                settle(2.0)
            target = out / f"{name}.png"
            window.grab().save(str(target))
            optimise(target)
        # The treasurer's month: the demo's November statement imported and matched.
        from coopfood.services import bank
        from coopfood.services.demo_treasury import BankFormat, write_demo_bank_statement

        statement = Path(folder) / "releve-2026-11.csv"
        write_demo_bank_statement(db=db, actor=LOCAL_ADMIN, month="2026-11", path=statement,
                                  format=BankFormat.CSV)
        bank.import_statement(db=db, actor=LOCAL_ADMIN, path=statement)
        window.show_section("treasury")
        settle()
        for tab, name in (("balances", "tresorerie-soldes"), ("bank", "tresorerie-banque")):
            window.page("treasury").show_tab(tab)  # type: ignore[attr-defined]
            settle(1.5)
            target = out / f"{name}.png"
            window.grab().save(str(target))
            optimise(target)
        window.close()
        app.processEvents()

        with db.transaction() as session:
            cycle_id = session.execute(select(func.max(Cycle.id))).scalar_one()
        pdfs = Path(folder) / "pdf"
        status = cli.run(cli.parse_args(["--db", url, "print", "sheets", "--cycle",
                                         str(cycle_id), "--out", str(pdfs)]))
        db.dispose()
        if status != 0:
            return status
        sheet = sorted(pdfs.glob("*.pdf"))[0]
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
                        str(sheet), str(out / "feuille-d-emargement")], check=True)
        optimise(out / "feuille-d-emargement.png")
    for png in sorted(out.glob("*.png")):
        print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}: "
              f"{png.stat().st_size // 1024} Ko")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
