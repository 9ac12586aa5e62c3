"""Which language Takeback speaks: one gettext catalogue for every sentence a person reads, Qt-free.

The GUI, the ``takeback`` command line and the error sentences of ``hashing`` and ``client_api`` all go
through this module. The libraries stay free of it (and of Qt): they mark their sentences with a no-op
``N_`` so the extractor finds them, and keep the template and its fields apart, so the desktop translates
the template and fills the fields in (:func:`translate_error`). The GUI adds Qt's own catalogues for Qt's
dialogs in :mod:`desktop.languages`.

Catalogues live in ``desktop/locale/<code>/LC_MESSAGES/takeback.po`` (committed); ``tools/translations.py
compile`` (run by ``scripts/setup`` and the release build) turns them into ``.mo`` files, which are never
committed. A missing ``.mo`` falls back to English rather than failing.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "PSEUDO",
    "Language",
    "N_",
    "NP_",
    "_",
    "current",
    "find",
    "from_environment",
    "ngettext",
    "translate_error",
    "use",
]

DOMAIN = "takeback"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@dataclass(frozen=True, slots=True)
class Language:
    """A language Takeback ships.

    Attributes:
        code: the gettext catalogue's folder name (POSIX style: ``pt_BR``), also Qt's translation suffix.
        name: the language's name in itself, as the language menu shows it.
        right_to_left: the whole layout is mirrored (Arabic, Urdu).
    """

    code: str
    name: str
    right_to_left: bool = False

    @property
    def tag(self) -> str:
        """The BCP 47 tag (``pt-BR``) for ``--language`` and for Qt's locale."""
        return self.code.replace("_", "-")


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English"),
    Language("es", "Español"),
    Language("pt_BR", "Português (Brasil)"),
    Language("fr", "Français"),
    Language("de", "Deutsch"),
    Language("ar", "العربية", right_to_left=True),
    Language("hi", "हिन्दी"),
    Language("zh_CN", "简体中文"),
    Language("vi", "Tiếng Việt"),
    Language("ur", "اردو", right_to_left=True),
)
ENGLISH = LANGUAGES[0]

#: A test language: every sentence 40% longer and in brackets, so clipped or untranslated text stands out.
#: It is built from the template at compile time and never offered in the menu.
PSEUDO = Language("pseudo", "[Ƥşéûđö]")

#: Languages people write for ``--language`` or in ``LANG`` that mean one we ship.
_ALIASES = {"pt": "pt_BR", "zh": "zh_CN", "zh_hans": "zh_CN", "zh_sg": "zh_CN"}


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name
    """Marks ``message`` for the extractor without translating it (module constants, library errors)."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - gettext-style marker
    """Marks a singular and plural pair for the extractor, for a later :func:`ngettext` (tables of sentences)."""
    return singular, plural


def find(tag: str | None) -> Language | None:
    """The shipped language a locale name or tag means: ``pt-BR``, ``pt_BR.UTF-8``, ``zh-Hans-CN``, ``ar_EG``.

    A region we do not ship falls back to the language (``es_MX`` is Spanish); ``C`` and ``POSIX`` mean none.
    """
    if not tag:
        return None
    text = tag.split(".")[0].split("@")[0].replace("-", "_").strip()
    if text.lower() in ("c", "posix", ""):
        return None
    if text.lower() == PSEUDO.code:
        return PSEUDO
    by_code = {language.code.lower(): language for language in LANGUAGES}
    parts = [part.lower() for part in text.split("_")]
    if parts[0] == "zh" and {"tw", "hk", "mo", "hant"} & set(parts[1:]):
        return None  # Traditional Chinese: we do not ship it, and English is safer than Simplified
    for key in (f"{parts[0]}_{parts[-1]}", parts[0]):
        language = by_code.get(_ALIASES.get(key, key).lower())
        if language is not None:
            return language
    return None


def from_environment(environ: Mapping[str, str] | None = None) -> Language:
    """The language the environment asks for, as gettext reads it: ``LANGUAGE`` (a list), ``LC_ALL``,
    ``LC_MESSAGES``, then ``LANG``; English when none names a language we ship."""
    env = os.environ if environ is None else environ
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        if not value:
            continue
        for part in value.split(":"):
            language = find(part)
            if language is not None:
                return language
        if variable != "LANGUAGE":
            break  # the first of LC_ALL / LC_MESSAGES / LANG that is set decides, even when it is "C"
    return ENGLISH


class _State:
    language: Language = ENGLISH
    translation: gettext.NullTranslations = gettext.NullTranslations()


def use(language: Language) -> Language:
    """Makes ``language`` the one every later call of :func:`_` speaks. Returns it."""
    if language is ENGLISH:
        translation: gettext.NullTranslations = gettext.NullTranslations()
    else:
        translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language.code], fallback=True)
    _State.language, _State.translation = language, translation
    return language


def current() -> Language:
    return _State.language


def _(message: str) -> str:
    """``message`` in the current language (the English text when no translation exists)."""
    return _State.translation.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The plural form the current language's catalogue chooses for ``n`` (Arabic has six, Chinese one)."""
    return _State.translation.ngettext(singular, plural, n)


def translate_error(error: BaseException) -> str:
    """The sentence of a library error in the current language.

    Errors of ``hashing`` and ``client_api`` with fields keep their English ``template`` and its ``params``
    apart, so the template is translated here and then filled in; other errors are looked up whole (their
    messages are in the catalogue: ``tools/translations.py`` finds them without any marker in the libraries).
    """
    template: str | None = getattr(error, "template", None)
    params: Mapping[str, Any] = getattr(error, "params", None) or {}
    if template:
        # A field may itself be a sentence of the catalogue (a reason); numbers and names pass unchanged.
        fields = {name: _(value) if isinstance(value, str) else value for name, value in params.items()}
        return _(template).format(**fields)
    message = getattr(error, "message", None) or str(error)
    return _(message)
