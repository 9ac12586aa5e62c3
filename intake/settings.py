"""The service's configuration: one frozen dataclass, filled from the environment and arguments in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .secrets_store import ScryptParams

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
        scrypt: cost of case-key hashing.
        scrypt_concurrency: case-key hashes computed at once (each takes ~16 MiB); more requests wait.
        max_failures / failure_window_seconds: throttle of wrong case number or key per case number.
        default_page_size / max_page_size / page_byte_budget: FetchHashes paging.
    """

    database_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 4 * MIB
    scrypt: ScryptParams = field(default_factory=ScryptParams)
    scrypt_concurrency: int = field(default_factory=lambda: max(2, os.cpu_count() or 2))
    max_failures: int = 5
    failure_window_seconds: float = 15 * 60
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


#: Environment variables the service reads, and the setting each fills.
ENVIRONMENT = {
    "TAKEBACK_INTAKE_DB": "database_url",
    "TAKEBACK_INTAKE_HOST": "host",
    "TAKEBACK_INTAKE_PORT": "port",
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
    if "port" in values:
        try:
            values["port"] = int(values["port"])  # type: ignore[arg-type]
        except ValueError:
            raise ValueError("TAKEBACK_INTAKE_PORT must be a whole number") from None
    values.setdefault("database_url", default_database_url or "")
    if not values["database_url"]:
        raise ValueError("set TAKEBACK_INTAKE_DB or pass --db with the database URL")
    return replace(Settings(database_url=str(values.pop("database_url"))), **values)

