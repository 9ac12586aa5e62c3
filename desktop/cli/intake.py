"""``takeback intake``: run the intake service, migrate its database, and register platforms."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..about import APP_ID, APP_NAME

if TYPE_CHECKING:  # the service is imported only when a command runs (desktop/intake_host.py)
    from ..intake_host import Storage

__all__ = ["add_parser", "default_database_url", "user_data_dir"]

log = logging.getLogger(__name__)


def user_data_dir() -> Path:
    """Where this user's application data belongs on this platform (no Qt needed)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / APP_ID


def default_database_url() -> str:
    """A SQLite file in the user data folder, created (private to the user) on first use."""
    folder = user_data_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return f"sqlite:///{folder / 'intake.sqlite3'}"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "intake",
        help="run the intake service, migrate its database or register a platform",
        description="The intake service receives fingerprints from people and serves the hash list to platforms.",
    )
    commands = parser.add_subparsers(dest="intake_command", metavar="ACTION", required=True)

    serve = commands.add_parser("serve", help="run the service until interrupted")
    _add_db_option(serve)
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1, this computer only)")
    serve.add_argument("--port", type=int, help="TCP port (default 8000)")
    serve.add_argument(
        "--secret-file",
        metavar="PATH",
        help="the server secret that case keys are checked with, made on first start "
        "(default $TAKEBACK_INTAKE_SECRET_FILE, else beside a SQLite database; required for PostgreSQL)",
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="service processes sharing the port (default 1); they share all state through the database, "
        "so use PostgreSQL for more than one",
    )
    serve.set_defaults(run=_run_serve)

    migrate = commands.add_parser(
        "migrate",
        help="create the database's tables or upgrade them to this version (back up first)",
        description="Creates the intake database's tables, or upgrades them to this version of the service. "
        "Safe to repeat; run it once per upgrade, before starting the new version's service processes.",
    )
    _add_db_option(migrate)
    migrate.set_defaults(run=_run_migrate)

    platform = commands.add_parser("add-platform", help="register a platform and print its keys as JSON")
    platform.add_argument("name", help="the platform's name, shown to other platforms with its feedback")
    platform.add_argument(
        "--signal-types",
        default="",
        help="extra signal types this platform gets by default, comma-separated "
        "(ImageMD5, ImageSHA256, VideoSHA256, VideoVPDQ); ImagePDQ, VideoMD5, VideoTMK always",
    )
    _add_db_option(platform)
    platform.set_defaults(run=_run_add_platform)

    rotate = commands.add_parser(
        "rotate-platform-keys",
        help="give a platform new keys and print them as JSON; its old keys stop working at once",
    )
    rotate.add_argument("name", help="the platform's name, as registered")
    _add_db_option(rotate)
    rotate.set_defaults(run=_run_rotate_platform_keys)


def _add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL: sqlite:///PATH or postgresql://USER@HOST/DB "
        "(default $TAKEBACK_INTAKE_DB, else a SQLite file in your user data folder)",
    )


def _settings(args: argparse.Namespace):  # noqa: ANN202 - intake_host.Settings, imported late
    from ..intake_host import load_settings

    overrides = {
        "database_url": args.db,
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "secret_file": getattr(args, "secret_file", None),
    }
    environ_has_db = bool(os.environ.get("TAKEBACK_INTAKE_DB"))
    default = None if args.db or environ_has_db else default_database_url()
    return load_settings(overrides, default_database_url=default)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def _run_serve(args: argparse.Namespace) -> int:
    from client_api import is_loopback_host

    from ..intake_host import IntakeError, serve

    try:
        settings = _settings(args)
        settings.secret_path()
    except ValueError as exc:
        print(f"takeback intake serve: {exc}", file=sys.stderr)
        return 2
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    if not is_loopback_host(settings.host):  # the hosts our clients reach over plain http
        log.warning(
            "listening on %s over plain HTTP: put a TLS-terminating proxy in front (clients refuse http:// "
            "except to loopback)",
            settings.host,
        )
    try:
        serve(settings, workers=args.workers)
    except (IntakeError, OSError, ValueError) as exc:  # the database, or the secret file
        print(f"takeback intake serve: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # uvicorn has already shut down cleanly; it re-raises Ctrl+C only to report how it ended.
        pass
    return 0


def _on_database(args: argparse.Namespace, command: str, work: Callable[[Storage], str]) -> int:
    """Run ``work`` on the database the arguments name and print what it returns; report failures as
    ``takeback intake COMMAND: sentence`` with exit status 2 (bad arguments) or 1 (the database said no)."""
    from ..intake_host import IntakeError, Storage

    try:
        settings = _settings(args)
    except ValueError as exc:
        print(f"takeback intake {command}: {exc}", file=sys.stderr)
        return 2
    storage = Storage(settings.database_url)
    try:
        output = work(storage)
    except (ValueError, IntakeError) as exc:
        print(f"takeback intake {command}: {exc}", file=sys.stderr)
        return 1
    finally:
        storage.dispose()
    print(output)
    return 0


def _run_migrate(args: argparse.Namespace) -> int:
    from ..intake_host import schema_head

    def migrate(storage: Storage) -> str:
        found = storage.migrate()
        if found == schema_head():
            return f"The intake database is up to date (schema {found})."
        if found is None:
            return f"Created the intake database's tables (schema {schema_head()})."
        return f"Upgraded the intake database from schema {found} to {schema_head()}."

    return _on_database(args, "migrate", migrate)


def _run_add_platform(args: argparse.Namespace) -> int:
    from ..intake_host import SignalType

    names = [part.strip() for part in args.signal_types.split(",") if part.strip()]
    unknown = [name for name in names if name not in {t.value for t in SignalType}]
    if unknown:
        known = ", ".join(t.value for t in SignalType)
        print(f"takeback intake add-platform: unknown signal type {unknown[0]}; choose from {known}", file=sys.stderr)
        return 2

    def add(storage: Storage) -> str:
        storage.check_schema()
        return json.dumps(storage.add_platform(args.name, [SignalType(name) for name in names]).to_json(), indent=2)

    return _on_database(args, "add-platform", add)


def _run_rotate_platform_keys(args: argparse.Namespace) -> int:
    def rotate(storage: Storage) -> str:
        storage.check_schema()
        return json.dumps(storage.rotate_platform_keys(args.name).to_json(), indent=2)

    return _on_database(args, "rotate-platform-keys", rotate)
