#!/usr/bin/env python3
"""Create a virtual environment with pip, even where ensurepip is missing.

Usage: python3 tools/bootstrap_venv.py DIR

A fresh Debian or Ubuntu often lacks the python3-venv package, so
``python3 -m venv DIR`` stops with "ensurepip is not available". In that case
the environment is created with ``--without-pip`` and pip is installed from
the latest pip wheel on PyPI (its sha256 checked against PyPI's JSON API),
by running the wheel itself: ``DIR/bin/python pip.whl/pip install pip.whl``.

Idempotent: an existing environment that has pip is left as it is; one that
lacks pip (an earlier run stopped half-way) gets pip. Standard library only.
Messages are in French, like the application.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import NoReturn

PYPI_PIP_JSON = "https://pypi.org/pypi/pip/json"
MIN_PYTHON = (3, 11)
TIMEOUT = 60  # seconds, for each request to PyPI


def say(message: str) -> None:
    print(f"[venv] {message}", flush=True)


def fail(message: str) -> NoReturn:
    print(f"[venv] Erreur : {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def venv_python(target: Path) -> Path:
    if os.name == "nt":
        return target / "Scripts" / "python.exe"
    return target / "bin" / "python"


def has_pip(python: Path) -> bool:
    result = subprocess.run(
        [str(python), "-m", "pip", "--version"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return result.returncode == 0


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "aucun message"


def fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            data: bytes = response.read()
            return data
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, ssl.SSLCertVerificationError):
            fail(f"certificat TLS non vérifié pour {url} : installez le paquet ca-certificates.")
        fail(f"impossible de télécharger {url} ({reason}).")


def install_pip(python: Path) -> None:
    """Install the latest pip wheel from PyPI into the environment of `python`."""
    say("Recherche de la dernière version de pip sur PyPI…")
    try:
        meta = json.loads(fetch(PYPI_PIP_JSON))
        version = meta["info"]["version"]
        wheels = [
            u
            for u in meta["urls"]
            if u["packagetype"] == "bdist_wheel" and u["filename"].endswith("-py3-none-any.whl")
        ]
    except (ValueError, KeyError, TypeError):
        fail("réponse inattendue de PyPI pour pip.")
    if not wheels:
        fail(f"aucune roue (wheel) de pip {version} sur PyPI.")
    wheel = wheels[0]
    expected = wheel["digests"]["sha256"]

    say(f"Téléchargement de {wheel['filename']}…")
    # PyPI gives an absolute URL; a mirror may give one relative to the JSON page.
    data = fetch(urllib.parse.urljoin(PYPI_PIP_JSON, wheel["url"]))
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        fail(f"empreinte sha256 incorrecte pour {wheel['filename']} ({actual}).")
    say("Empreinte sha256 vérifiée.")

    with tempfile.TemporaryDirectory(prefix="coopfood-pip-") as tmp:
        path = Path(tmp) / wheel["filename"]
        path.write_bytes(data)
        say(f"Installation de pip {version} dans l'environnement…")
        # A pip wheel can run itself: python pip.whl/pip install pip.whl
        result = subprocess.run(
            [str(python), f"{path}/pip", "install", "--quiet", "--no-cache-dir", str(path)],
            check=False,
        )
    if result.returncode != 0:
        fail(f"l'installation de pip a échoué (code {result.returncode}).")


def create(target: Path, python: Path) -> None:
    say(f"Création de l'environnement virtuel {target}…")
    result = subprocess.run(
        [sys.executable, "-m", "venv", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        if not has_pip(python):
            install_pip(python)
        return
    output = result.stdout + result.stderr
    if "ensurepip" not in output and importlib.util.find_spec("ensurepip") is not None:
        fail(f"« python3 -m venv » a échoué : {last_line(output)}")

    say("ensurepip est absent (paquet python3-venv non installé) : création sans pip…")
    result = subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not python.exists():
        message = last_line(result.stdout + result.stderr)
        fail(f"« python3 -m venv --without-pip » a échoué : {message}")
    install_pip(python)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1].startswith("-"):
        fail("usage : python3 tools/bootstrap_venv.py DOSSIER")
    if sys.version_info < MIN_PYTHON:
        found = ".".join(map(str, sys.version_info[:3]))
        fail(f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} ou plus récent est requis (trouvé {found}).")

    target = Path(argv[1])
    python = venv_python(target)

    if os.path.lexists(python) and not python.exists():
        fail(f"le Python de {target} n'existe plus : supprimez {target} et relancez.")
    if python.exists():
        if subprocess.run([str(python), "-c", "pass"], check=False).returncode != 0:
            fail(f"le Python de {target} ne démarre plus : supprimez {target} et relancez.")
        if has_pip(python):
            say(f"Environnement virtuel {target} déjà prêt.")
            return 0
        say(f"pip manque dans {target} : installation depuis PyPI.")
        install_pip(python)
    else:
        create(target, python)

    if not has_pip(python):
        fail(f"pip reste introuvable dans {target}.")
    say(f"Environnement virtuel {target} prêt.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
