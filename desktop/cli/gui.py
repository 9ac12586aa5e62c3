"""``takeback gui``: opens the app (also what ``takeback`` with no command does)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_parser"]


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "gui",
        help="open the Takeback window (the default when no command is given)",
        description="Open the Takeback window.",
    )
    parser.add_argument(
        "--shared",
        action="store_true",
        help="shared-computer mode: keep nothing on this computer (no settings, no keyring, no recent files)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="try the whole journey offline: run a throw-away intake service inside the app, on this computer",
    )
    parser.add_argument("--intake", metavar="URL", help="address of the intake service to send fingerprints to")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..app import DEFAULT_INTAKE_URL
    from ..app import run as run_app

    if args.demo:
        if args.intake:
            raise SystemExit("takeback gui: --demo runs its own intake service; leave out --intake")
        from ..intake_host import embedded_intake

        with embedded_intake() as url:
            return run_app(intake_url=url, shared=args.shared)
    return run_app(intake_url=args.intake or DEFAULT_INTAKE_URL, shared=args.shared)
