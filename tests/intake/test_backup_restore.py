"""docs/intake.md's backup and restore, done: pg_dump of a serving database, pg_restore into a new one, and
``takeback intake serve`` serves the restored cases and hash list."""

from __future__ import annotations

import glob
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from intake_testkit import bearer, create_case, image_item, person_client
from service_processes import secret_for, service_processes

from intake import Settings, serve_in_thread
from intake.storage import database_url

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # real service processes: full run only


def postgres_program(name: str) -> str:
    """pg_dump / pg_restore of the same installation as the test server (scripts/postgres-for-tests)."""
    try:
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        if Path(bindir, name).exists():
            return str(Path(bindir, name))
    except (OSError, subprocess.CalledProcessError):
        pass
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        pytest.fail(f"{name} is not installed (scripts/setup installs PostgreSQL)")
    return found[-1]


@contextmanager
def new_database(postgres_url: str) -> Iterator[str]:
    """A new, empty database on the test server (a libpq URL), dropped afterwards."""
    admin = sa.create_engine(database_url(postgres_url), isolation_level="AUTOCOMMIT")
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin.url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_a_pg_dump_restored_into_a_new_database_is_served(postgres_url: str, tmp_path: Path) -> None:
    dump = tmp_path / "intake.dump"
    with new_database(postgres_url) as original, new_database(postgres_url) as restored:
        settings = Settings(database_url=original, port=0, secret_file=str(secret_for(restored)), proof_of_work=1)
        with serve_in_thread(settings) as server:
            with person_client(server.url, timeout=60) as client:
                number, key, status = create_case(client, [image_item("backed up"), image_item("also")])
            platform = server.storage.add_platform("Restored platform", [])
            headers = {"Ocp-Apim-Subscription-Key": platform.subscription_key, "x-functions-key": platform.function_key}
            before = httpx.get(f"{server.url}/v1/FetchHashes", headers=headers).json()
            # The documented backup, taken while the service runs.
            subprocess.run(
                [postgres_program("pg_dump"), "--format=custom", "--no-unlogged-table-data", f"--file={dump}", original],
                check=True,
                capture_output=True,
            )
        subprocess.run(
            [postgres_program("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)],
            check=True,
            capture_output=True,
        )
        # The secret file travels beside the dump (backed up apart from it): the restored keys still open cases.
        with service_processes(restored, 1) as (service,), person_client(service.url, timeout=60) as client:
            assert client.get(f"/v1/cases/{number}", headers=bearer(key)).json() == status
            assert client.get("/v1/FetchHashes", headers=headers).json() == before
            assert before["count"] == 2
            # And it takes new cases where the original left off.
            assert create_case(client, [image_item("after the restore")])[0] != number
