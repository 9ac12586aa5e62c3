"""Keeps the translation catalogues in step with the code: extract, update, compile, and report completeness.

    python tools/translations.py extract   # the template desktop/locale/takeback.pot, from the source
    python tools/translations.py update    # merges the template into every language's .po
    python tools/translations.py compile   # .po -> .mo (never committed), plus the pseudo-locale
    python tools/translations.py stats     # translated / total for each language

Babel does the work (it is in the ``test`` and ``build`` extras); the app itself reads ``.mo`` files with the
standard library's ``gettext``. ``scripts/setup`` and ``packaging/build.py`` run ``compile``.
"""

from __future__ import annotations

import argparse
import ast
import io
import math
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the libraries are imported to find their sentences
LOCALE_DIR = REPO / "desktop" / "locale"
TEMPLATE = LOCALE_DIR / "takeback.pot"
DOMAIN = "takeback"
#: The app and the command line mark their sentences with ``_``, ``N_``, ``ngettext`` and ``NP_``.
SOURCES = ("desktop",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "NP_": (1, 2)}
#: The libraries stay free of any translation code: their sentences are found by what they are. Every error
#: class's ``default_message`` and ``template``, a message written as a plain literal where an error class or
#: ``FingerprintWarning`` is called, and module-level ``*_MESSAGE`` and ``*_TEMPLATE`` constants. A message with
#: fields is never an f-string: it is a ``*_TEMPLATE`` given to ``Error.from_template(template, **fields)``
#: (``unbuilt_library_messages`` finds any that is not, and a test fails on it). The desktop translates them where it shows them
#: (``desktop.i18n.translate_error``).
LIBRARIES = ("hashing", "client_api")
#: Module constants with these name endings are sentences (``*_TEMPLATE``: a whole sentence with named fields).
_CONSTANTS = ("_MESSAGE", "_TEMPLATE")
#: Which argument of a call is the sentence: the first for error classes, the second for warnings.
_MESSAGE_ARGUMENT = {"FingerprintWarning": 1}
PSEUDO_CODE = "pseudo"
PSEUDO_GROWTH = 0.4

#: ``{name}`` fields of str.format and printf's ``%s`` / ``%(name)s``: translations must keep every one.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}|%(?:\([A-Za-z_]+\))?[sdif]")

_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķļɱñöƥɋŕşţûʋŵẋýžÀƁÇĐÉƑĜĤÎĴĶĻṀÑÖƤɊŔŞŢÛṼŴẊÝŽ",
)


def placeholders(text: str) -> list[str]:
    """The fields ``text`` fills in, sorted (translations may reorder them, never drop or rename them)."""
    return sorted(PLACEHOLDER.findall(text))


def pseudo(text: str) -> str:
    """The pseudo-locale's version of ``text``: accented, 40% longer, bracketed; fields and newlines kept."""
    if not text:
        return text
    pieces = PLACEHOLDER.split(text)
    fields = PLACEHOLDER.findall(text)
    out = [pieces[0].translate(_ACCENTED)]
    for field, piece in zip(fields, pieces[1:]):
        out += [field, piece.translate(_ACCENTED)]
    padding = "~" * max(1, math.ceil(len(text) * PSEUDO_GROWTH) - 3)  # brackets and space count too
    return f"[{''.join(out)} {padding}]"


def catalogues() -> Iterator[tuple[str, Path]]:
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        yield po.parent.parent.name, po


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def _error_classes() -> list[type]:
    """Every error class of the libraries, found by walking their roots' subclasses."""
    from client_api.errors import ClientError
    from hashing.errors import HashingError

    found, todo = [], [HashingError, ClientError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda cls: (cls.__module__, cls.__qualname__))


def library_sentences() -> list[tuple[str, str, int]]:
    """(sentence, file, line) for every sentence of the libraries a person may read."""
    classes = _error_classes()
    callables = {cls.__name__: 0 for cls in classes} | _MESSAGE_ARGUMENT
    sentences = []
    for cls in classes:
        for attribute in ("default_message", "template"):
            value = cls.__dict__.get(attribute)
            if isinstance(value, str) and value:
                source = Path(sys.modules[cls.__module__].__file__ or "").relative_to(REPO).as_posix()
                sentences.append((value, source, 0))
    for library in LIBRARIES:
        for path in sorted((REPO / library).rglob("*.py")):
            source = path.relative_to(REPO).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=source)
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                    names = [t.id for t in node.targets if isinstance(t, ast.Name) and t.id.endswith(_CONSTANTS)]
                    if names and isinstance(node.value.value, str):
                        sentences.append((node.value.value, source, node.lineno))
                elif isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    index = callables.get(name or "")
                    if index is not None and len(node.args) > index:
                        argument = node.args[index]
                        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                            sentences.append((argument.value, source, node.lineno))
    return sentences


def _built(node: ast.AST) -> bool:
    """Whether an expression builds text (an f-string, ``.format``, ``%`` or ``+`` on a literal)."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.JoinedStr):
            return True
        if isinstance(inner, ast.Call) and getattr(inner.func, "attr", None) == "format":
            return True
        if isinstance(inner, ast.BinOp) and any(
            isinstance(side, (ast.Constant, ast.JoinedStr)) and isinstance(getattr(side, "value", ""), str)
            for side in (inner.left, inner.right)
        ):
            return True
    return False


def unbuilt_library_messages() -> list[str]:
    """``file:line`` of every message of a library error built from pieces instead of given as a template.

    Such a message reaches the person in English whatever their language, because the catalogue cannot hold
    it: a message with fields must be a ``*_TEMPLATE`` constant passed to ``Error.from_template`` (or
    ``self._fill`` in the class), which keeps the English template and its fields apart for the app. Checked:
    every call of a library error class or ``FingerprintWarning``, and ``super().__init__``, ``self.args`` and
    ``self._fill`` inside the error classes. Internal exceptions never shown to a person (``ValueError``
    subclasses for API misuse, the wire format's own errors) are not errors of the libraries' trees.
    """
    classes = {cls.__name__ for cls in _error_classes()}
    callables = classes | set(_MESSAGE_ARGUMENT) | {"from_template", "_fill"}
    found = []
    for library in LIBRARIES:
        for path in sorted((REPO / library).rglob("*.py")):
            source = path.relative_to(REPO).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=source)
            error_bodies = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef) and node.name in classes]
            checked: list[ast.AST] = []
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name in callables:
                        checked += [*node.args, *(keyword.value for keyword in node.keywords)]
            # ``_fill`` fills the template in: the one place a message is formatted.
            filling = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                       and node.name == "_fill" for inner in ast.walk(node)}
            for body in error_bodies:
                for node in ast.walk(body):
                    if id(node) in filling:
                        continue
                    if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "__init__":
                        checked += [*node.args, *(keyword.value for keyword in node.keywords)]
                    elif isinstance(node, ast.Assign) and any(
                        isinstance(target, ast.Attribute) and target.attr == "args" for target in node.targets
                    ):
                        checked.append(node.value)
            found += [f"{source}:{node.lineno}" for node in checked if _built(node)]
    return sorted(set(found))


def extract(*, write: bool = True) -> Catalog:
    catalog = Catalog(project="Takeback", domain=DOMAIN, charset="utf-8", fuzzy=False)
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            REPO / source, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("Translators:",),
            strip_comment_tags=True,
        ):
            if "/tests/" in filename:
                continue
            catalog.add(message, None, [(f"{source}/{filename}", lineno)], auto_comments=comments, context=context)
    for message, source, lineno in library_sentences():
        catalog.add(message, None, [(source, lineno)])
    if write:
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=120, omit_header=False, sort_output=False, include_lineno=False)
        _write_if_changed(TEMPLATE, buffer.getvalue())
    return catalog


_DATES = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): [^"]*"$', re.MULTILINE)


def _write_if_changed(path: Path, content: bytes) -> None:
    """Writes ``content`` unless the file already says the same apart from its dates (no churn in git)."""
    if path.exists() and _DATES.sub(b"", path.read_bytes()) == _DATES.sub(b"", content):
        return
    path.write_bytes(content)


def update() -> None:
    template = read(TEMPLATE)
    for code, po in catalogues():
        catalog = read(po, code)
        catalog.update(template, no_fuzzy_matching=True)
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=120, include_lineno=False, ignore_obsolete=True)
        _write_if_changed(po, buffer.getvalue())


def translated(message: Message) -> bool:
    if not message.id or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return all(strings)


def _replace_mo(path: Path, catalog: Catalog) -> None:
    """Writes a compiled catalogue only when it changed, and never in place: the app (or a test, or another
    build) may be reading the old file at that moment, and must see it whole or the new one whole."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    if path.exists() and path.read_bytes() == buffer.getvalue():
        return
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(buffer.getvalue())
    os.replace(partial, path)


def compile_all() -> None:
    for code, po in catalogues():
        _replace_mo(po.with_suffix(".mo"), read(po, code))
    template = read(TEMPLATE)
    fake = Catalog(locale="en", domain=DOMAIN, charset="utf-8", fuzzy=False)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            fake.add(message.id, [pseudo(message.id[0]), pseudo(message.id[1])])
        else:
            fake.add(message.id, pseudo(message.id))
    target = LOCALE_DIR / PSEUDO_CODE / "LC_MESSAGES" / f"{DOMAIN}.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    _replace_mo(target, fake)


def stats() -> dict[str, tuple[int, int]]:
    total = sum(1 for message in read(TEMPLATE) if message.id)
    result = {"en": (total, total)}
    for code, po in catalogues():
        done = sum(1 for message in read(po, code) if translated(message))
        result[code] = (done, total)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("extract", "update", "compile", "stats"))
    args = parser.parse_args(argv)
    if args.command == "extract":
        print(f"{sum(1 for m in extract() if m.id)} messages in {TEMPLATE.relative_to(REPO)}")
    elif args.command == "update":
        update()
    elif args.command == "compile":
        compile_all()
    else:
        for code, (done, total) in stats().items():
            print(f"{code:6} {done:4}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
