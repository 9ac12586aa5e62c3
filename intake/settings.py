"""The service's configuration: one frozen dataclass, filled from the environment and arguments in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa

__all__ = ["Settings", "load_settings"]

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service can be told.

    Args:
        database_url: ``sqlite:///path`` (default deployments) or ``postgresql://...``.
        host: address to bind; loopback unless told otherwise.
        port: TCP port; 0 picks a free one.
        max_body_bytes: larger bodies are refused before they are read.
        secret_file: the server secret (made on first start). Default: beside a SQLite database file; required
            for PostgreSQL, and best kept apart from the database's backups (see docs/intake.md).
        scrypt_concurrency: scrypt calls at once (proofs of work, and keys of cases from before keyed hashing,
            each up to ~16 MiB); more requests wait.
        proof_of_work / proof_of_work_per_item: expected scrypt calls a client spends per request that opens a
            case or adds items, and per item in it (about 3 ms each); 1 and 0 make it free (tests).
        challenge_lifetime: seconds a proof-of-work challenge stays valid.
        header_timeout: seconds from a connection's first byte (or the end of its last answer) to the end of the
            request's headers.
        body_timeout: seconds from the end of the headers to the end of the body.
        keep_alive_timeout: seconds an idle connection is kept open between requests.
        max_connections: open connections at once; more are turned away with a JSON 503 at once.
        default_page_size / max_page_size / page_byte_budget: FetchHashes paging.
    """

    database_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 4 * MIB
    secret_file: str | None = None
    scrypt_concurrency: int = field(default_factory=lambda: max(2, os.cpu_count() or 2))
    proof_of_work: int = 256
    proof_of_work_per_item: int = 1
    challenge_lifetime: int = 600
    header_timeout: float = 10.0
    body_timeout: float = 60.0
    keep_alive_timeout: float = 5.0
    max_connections: int = 200
    default_page_size: int = 800
    max_page_size: int = 2000
    page_byte_budget: int = 8 * MIB

    def __post_init__(self) -> None:
        if not self.database_url:
            raise ValueError("database_url is required")
        if not 0 <= self.port <= 65535:
            raise ValueError("port must be between 0 and 65535")
        if self.scrypt_concurrency < 1:
            raise ValueError("scrypt_concurrency must be at least 1")
        if self.max_body_bytes < 1024:
            raise ValueError("max_body_bytes must be at least 1024")
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise ValueError("default_page_size must be between 1 and max_page_size")
        if self.proof_of_work < 1 or self.proof_of_work_per_item < 0 or self.challenge_lifetime < 10:
            raise ValueError("proof_of_work must be at least 1, its per-item cost not negative, challenges live >= 10 s")
        if min(self.header_timeout, self.body_timeout, self.keep_alive_timeout) <= 0 or self.max_connections < 1:
            raise ValueError("timeouts must be positive and max_connections at least 1")

    def secret_path(self) -> Path | None:
        """Where the server secret lives; None for an in-memory database, whose secret dies with the process.

        Raises:
            ValueError: a database other than a SQLite file, and no ``secret_file``.
        """
        if self.secret_file:
            return Path(self.secret_file).expanduser()
        url = sa.engine.make_url(self.database_url)
        if url.get_backend_name() != "sqlite":
            raise ValueError("set TAKEBACK_INTAKE_SECRET_FILE or pass --secret-file: the server secret lives in a file")
        if url.database in (None, "", ":memory:"):
            return None
        database = Path(url.database).expanduser()
        return database.with_name(database.name + ".secret")


#: Environment variables the service reads, and the setting each fills.
ENVIRONMENT = {
    "TAKEBACK_INTAKE_DB": "database_url",
    "TAKEBACK_INTAKE_HOST": "host",
    "TAKEBACK_INTAKE_PORT": "port",
    "TAKEBACK_INTAKE_SECRET_FILE": "secret_file",
    "TAKEBACK_INTAKE_PROOF_OF_WORK": "proof_of_work",
}


def load_settings(
    overrides: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    default_database_url: str | None = None,
) -> Settings:
    """Build the settings: explicit ``overrides`` (command-line arguments) win over the environment.

    Raises:
        ValueError: a value is missing or malformed; the message names the variable.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for variable, name in ENVIRONMENT.items():
        if environ.get(variable):
            values[name] = environ[variable]
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    for name, variable in (("port", "TAKEBACK_INTAKE_PORT"), ("proof_of_work", "TAKEBACK_INTAKE_PROOF_OF_WORK")):
        if name in values:
            try:
                values[name] = int(values[name])  # type: ignore[arg-type]
            except ValueError:
                raise ValueError(f"{variable} must be a whole number") from None
    values.setdefault("database_url", default_database_url or "")
    if not values["database_url"]:
        raise ValueError("set TAKEBACK_INTAKE_DB or pass --db with the database URL")
    return replace(Settings(database_url=str(values.pop("database_url"))), **values)

