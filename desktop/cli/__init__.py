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


def take_language(arguments: list[str]) -> tuple[str | None, list[str]]:
    """Takes ``--language X`` out of ``arguments`` wherever it is (before or after the command), so its help
    and every message can be in that language from the start. Returns the value and the other arguments."""
    value, rest, skip = None, [], False
    for index, argument in enumerate(arguments):
        if skip:
            skip = False
        elif argument == "--language" and index + 1 < len(arguments):
            value, skip = arguments[index + 1], True
        elif argument.startswith("--language="):
            value = argument.split("=", 1)[1]
        else:
            rest.append(argument)
    return value, rest


def main(argv: Sequence[str] | None = None) -> int:
    asked, arguments = take_language(list(sys.argv[1:] if argv is None else argv))
    i18n.use(i18n.find(asked) or i18n.from_environment())
    if "gui" in _COMMAND_MODULES and _starts_the_app(arguments):
        arguments = ["gui", *arguments]  # ``takeback`` and ``takeback --shared`` open the app
    parser = build_parser()
    args = parser.parse_args(arguments)
    args.language = asked
    if args.command is None:
        parser.print_help()
        return 2
    return int(args.run(args))


def _starts_the_app(arguments: list[str]) -> bool:
    """No command, only options that are not the top-level ones (``--help``, ``--version``)."""
    if not arguments:
        return True
    first = arguments[0]
    return first.startswith("-") and first not in ("-h", "--help", "--version")
