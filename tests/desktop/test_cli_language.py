"""``takeback`` speaks the language of ``LANGUAGE``/``LC_ALL``/``LANG``, or of ``--language`` wherever it is."""

from __future__ import annotations

import pytest

from desktop import i18n
from desktop.cli import main, take_language


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"LANG": "es_ES.UTF-8"}, "es"),
        ({"LANG": "pt_BR.UTF-8"}, "pt_BR"),
        ({"LC_ALL": "ar_EG.UTF-8", "LANG": "de_DE.UTF-8"}, "ar"),  # LC_ALL wins over LANG
        ({"LANGUAGE": "ur:fr", "LANG": "de_DE.UTF-8"}, "ur"),  # gettext's list comes first
        ({"LANGUAGE": "ja:vi", "LANG": "C"}, "vi"),  # the first one we ship
        ({"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}, "en"),  # C means untranslated, as gettext has it
        ({"LANG": "zh_TW.UTF-8"}, "en"),  # Traditional Chinese is not Simplified
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({}, "en"),
    ],
)
def test_language_from_the_environment(environment: dict[str, str], expected: str) -> None:
    assert i18n.from_environment(environment).code == expected


def test_language_option_before_or_after_the_command() -> None:
    assert take_language(["--language", "fr", "hash", "x"]) == ("fr", ["hash", "x"])
    assert take_language(["hash", "--language=de", "x"]) == ("de", ["hash", "x"])
    assert take_language(["hash", "x"]) == (None, ["hash", "x"])


def test_messages_and_help_follow_lang(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("LC_ALL", "es_ES.UTF-8")
    assert main(["hash", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == "No se encontraron fotos ni vídeos ahí."
    with pytest.raises(SystemExit):
        main(["hash", "--help"])
    assert "Calcula las huellas digitales de fotos y vídeos" in " ".join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "Solo las huellas digitales salen de este ordenador." in " ".join(capsys.readouterr().out.split())


def test_language_option_beats_the_environment(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("LC_ALL", "es_ES.UTF-8")
    assert main(["hash", "--language", "de", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == "Dort wurden keine Fotos oder Videos gefunden."


def test_a_file_that_cannot_be_fingerprinted_is_explained_in_the_language(capsys, tmp_path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    assert main(["--language", "fr", "hash", str(empty)]) == 1
    out = capsys.readouterr().out
    assert "Ce fichier est vide, il n'y a donc rien dont créer l'empreinte." in out  # hashing's EmptyFile
    assert "Rien n'a été envoyé." in out
