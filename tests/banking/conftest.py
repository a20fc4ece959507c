"""The sample statements of ../shared/data/bank: beside the checkout, and beside the clone in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

BANK_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "bank"

CREDIT_AGRICOLE = "credit-agricole-2026-11.csv"
CREDIT_MUTUEL = "credit-mutuel-2026-11.csv"
BANQUE_POSTALE = "banque-postale-2026-11.csv"
OFX = "releve-2026-11.ofx"
CAMT = "camt053-2026-11.xml"


@pytest.fixture
def bank_dir() -> Path:
    if not BANK_DATA.is_dir():
        pytest.skip(
            f"sample bank statements not found at {BANK_DATA.resolve()} "
            "(the shared/ folder must sit beside the checkout)"
        )
    return BANK_DATA


@pytest.fixture
def sample(bank_dir: Path) -> SampleReader:
    return SampleReader(bank_dir)


class SampleReader:
    """Bytes and text of the sample files, to write malformed variants from."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / name

    def bytes(self, name: str) -> bytes:
        return (self.folder / name).read_bytes()

    def text(self, name: str, encoding: str) -> str:
        # newline="" keeps the CRLF line ends the banks write.
        with open(self.folder / name, encoding=encoding, newline="") as file:
            return file.read()
