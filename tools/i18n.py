"""The gettext catalogues: `python tools/i18n.py extract|update|compile|all`.

extract  the French message ids of coopfood/, ui/ and main.py → coopfood/i18n/locale/coopfood.pot
update   merge the template into each language's coopfood.po (English: en)
compile  each coopfood.po → coopfood.mo, which the application loads (both are committed)

French is the source language: it needs no catalogue.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "coopfood" / "i18n" / "locale"
POT = LOCALE_DIR / "coopfood.pot"
DOMAIN = "coopfood"
LANGUAGES = ("en",)
KEYWORDS = ("_", "N_", "ngettext:1,2", "counted:1,2")  # counted: ui.display


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *args])  # type: ignore[no-untyped-call]


def extract(output: Path = POT) -> None:
    """Run from the checkout's root (`main` goes there), so locations are relative."""
    output.parent.mkdir(parents=True, exist_ok=True)
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    _pybabel(
        "extract", "-F", str(ROOT / "babel.cfg"), "--no-default-keywords", *keywords,
        "--sort-by-file", "--project", "coopfood", "--copyright-holder", "coopfood",
        "-o", str(output), ".",
    )


def update() -> None:
    for language in LANGUAGES:
        po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            _pybabel("update", "-D", DOMAIN, "-i", str(POT), "-d", str(LOCALE_DIR),
                     "-l", language, "--no-fuzzy-matching")
        else:
            _pybabel("init", "-D", DOMAIN, "-i", str(POT), "-d", str(LOCALE_DIR),
                     "-l", language)


def compile_catalogues(directory: Path = LOCALE_DIR) -> None:
    """Compile every language's .po beside it (or, for a check, into another tree)."""
    for language in LANGUAGES:
        po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        mo = directory / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        mo.parent.mkdir(parents=True, exist_ok=True)
        _pybabel("compile", "-D", DOMAIN, "-i", str(po), "-o", str(mo), "-l", language)


COMMANDS = {"extract": (extract,), "update": (update,), "compile": (compile_catalogues,),
            "all": (extract, update, compile_catalogues)}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        sys.stderr.write(f"usage : tools/i18n.py {{{'|'.join(COMMANDS)}}}\n")
        return 2
    os.chdir(ROOT)  # locations in the catalogues relative to the checkout
    for command in COMMANDS[argv[0]]:
        command()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
