"""``takeback intake``: run the intake service, and register platforms that fetch its hash list."""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import sys
from pathlib import Path

from ..about import APP_ID, APP_NAME

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
        help="run the intake service or register a platform",
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
    serve.set_defaults(run=_run_serve)

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


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _run_serve(args: argparse.Namespace) -> int:
    from ..intake_host import IntakeError, serve

    try:
        settings = _settings(args)
        settings.secret_path()
    except ValueError as exc:
        print(f"takeback intake serve: {exc}", file=sys.stderr)
        return 2
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    if not _is_loopback(settings.host):
        log.warning(
            "listening on %s over plain HTTP: put a TLS-terminating proxy in front (clients refuse http:// "
            "except to loopback)",
            settings.host,
        )
    try:
        serve(settings)
    except (IntakeError, OSError, ValueError) as exc:  # the database, or the secret file
        print(f"takeback intake serve: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # uvicorn has already shut down cleanly; it re-raises Ctrl+C only to report how it ended.
        pass
    return 0


def _run_add_platform(args: argparse.Namespace) -> int:
    from ..intake_host import IntakeError, SignalType, Storage

    try:
        settings = _settings(args)
    except ValueError as exc:
        print(f"takeback intake add-platform: {exc}", file=sys.stderr)
        return 2
    names = [part.strip() for part in args.signal_types.split(",") if part.strip()]
    unknown = [name for name in names if name not in {t.value for t in SignalType}]
    if unknown:
        known = ", ".join(t.value for t in SignalType)
        print(f"takeback intake add-platform: unknown signal type {unknown[0]}; choose from {known}", file=sys.stderr)
        return 2
    extras = [SignalType(name) for name in names]
    storage = Storage(settings.database_url)
    try:
        storage.create_schema()
        keys = storage.add_platform(args.name, extras)
    except (ValueError, IntakeError) as exc:
        print(f"takeback intake add-platform: {exc}", file=sys.stderr)
        return 1
    finally:
        storage.dispose()
    print(json.dumps(keys.to_json(), indent=2))
    return 0
