"""``takeback gui``: opens the app (also what ``takeback`` with no command does)."""

from __future__ import annotations

import argparse
from typing import Any

from ..i18n import _

__all__ = ["add_parser"]


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "gui",
        help=_("open the Takeback window (the default when no command is given)"),
        description=_("Open the Takeback window."),
    )
    parser.add_argument(
        "--shared",
        action="store_true",
        help=_("shared-computer mode: keep nothing on this computer (no settings, no keyring, no recent files)"),
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=_("try the whole journey offline: run a throw-away intake service inside the app, on this computer"),
    )
    parser.add_argument("--intake", metavar="URL", help=_("address of the intake service to send fingerprints to"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..app import DEFAULT_INTAKE_URL
    from ..app import run as run_app
    from ..i18n import find

    language = find(getattr(args, "language", None))

    if args.demo:
        if args.intake:
            raise SystemExit(_("takeback gui: --demo runs its own intake service; leave out --intake"))
        from ..intake_host import embedded_intake

        with embedded_intake() as url:
            return run_app(intake_url=url, shared=args.shared, language=language)
    return run_app(intake_url=args.intake or DEFAULT_INTAKE_URL, shared=args.shared, language=language)
