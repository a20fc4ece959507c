"""The window's language: chosen in « Fichier → Langue », kept on this computer,
applied at the next start; English comes from the compiled catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coopfood.i18n import _, current_locale, ngettext, set_language
from tests.ui.drive import Answers
from ui.app import save_language, saved_language
from ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def own_preferences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A preferences file of each test's own: a language chosen here, or a window size
    kept on closing, leaks into no other test."""
    monkeypatch.setenv("COOPFOOD_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    try:
        yield
    finally:
        set_language("fr")


def test_french_until_another_language_is_chosen(own_preferences: Path) -> None:
    assert saved_language() == "fr"
    save_language("en")
    assert saved_language() == "en"
    with pytest.raises(ValueError):
        save_language("xx")


def test_the_menu_saves_the_choice_for_the_next_start(
    own_preferences: Path, window: MainWindow, answers: Answers
) -> None:
    assert window.language_actions["fr"].isChecked()
    window.language_actions["en"].trigger()
    assert saved_language() == "en"
    assert answers.infos == ["La langue choisie s'appliquera au prochain démarrage de coopfood."]
    assert window.language_actions["en"].isChecked()
    assert not window.language_actions["fr"].isChecked()


def test_english_comes_from_the_catalogue(english: None) -> None:
    assert current_locale() == "en_GB"
    assert _("Adhérents") == "Members"
    assert _("&Fichier") == "&File"
    assert ngettext("{n} adhérent", "{n} adhérents", 2) == "{n} members"
    # What is not translated yet stays French.
    assert _("Texte que personne n'a traduit") == "Texte que personne n'a traduit"


def test_the_window_in_english(english: None, window: MainWindow) -> None:
    # `window` is built after `english`: its texts are English.
    assert window.nav.item(0).text() == "Dashboard"
    assert window.menuBar().actions()[0].text() == "&File"
