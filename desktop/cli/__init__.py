"""The ``takeback`` command: one sub-command module per job, each adding its own parser.

Exit status: 0 when everything asked for succeeded, 1 when some file or request failed (the rest still ran),
2 on bad usage (argparse's own convention).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .. import i18n
from ..about import APP_NAME, __version__
from ..i18n import _

__all__ = ["build_parser", "main"]

#: Modules in this package that each define ``add_parser(subparsers)``; the parser they add sets ``run``,
#: a function taking the parsed arguments and returning the exit status.
_COMMAND_MODULES = ("hash", "intake", "case", "gui")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="takeback",
        description=_(
            "{app}: fingerprint photos and videos on this computer and ask platforms to remove copies. "
            "Only fingerprints ever leave this computer."
        ).format(app=APP_NAME),
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--language",
        metavar="LANG",
        help=_("the language for messages, such as es, pt-BR or ar (default: from LANGUAGE, LC_ALL or LANG)"),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").add_parser(subparsers)
    return parser


def choose_language(arguments: list[str]) -> i18n.Language:
    """``--language`` (read before the parser exists, so its help is translated too), else the environment."""
    for index, argument in enumerate(arguments):
        value = None
        if argument == "--language" and index + 1 < len(arguments):
            value = arguments[index + 1]
        elif argument.startswith("--language="):
            value = argument.split("=", 1)[1]
        if value is not None:
            return i18n.find(value) or i18n.from_environment()
    return i18n.from_environment()


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    i18n.use(choose_language(arguments))
    if "gui" in _COMMAND_MODULES and _starts_the_app(arguments):
        # ``takeback`` and ``takeback --shared`` open the app; a leading --language stays the top level's.
        lead = 2 if arguments[:1] == ["--language"] else 1 if arguments[:1] and arguments[0].startswith("--language=") else 0
        arguments = [*arguments[:lead], "gui", *arguments[lead:]]
    parser = build_parser()
    args = parser.parse_args(arguments)
    if args.command is None:
        parser.print_help()
        return 2
    return int(args.run(args))


def _starts_the_app(arguments: list[str]) -> bool:
    """No command, only options that are not the top-level ones (``--help``, ``--version``)."""
    if not arguments:
        return True
    first = arguments[0]
    if first == "--language" or first.startswith("--language="):
        rest = arguments[2:] if first == "--language" else arguments[1:]
        return _starts_the_app(rest)
    return first.startswith("-") and first not in ("-h", "--help", "--version")
