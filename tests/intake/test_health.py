"""``/healthz`` and ``/readyz``: fixed bodies that say nothing about cases; readiness follows the database."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from intake import Settings, Storage, serve_in_thread


def test_health_and_readiness_carry_no_data(empty_db_url: str, tmp_path) -> None:  # noqa: ANN001
    settings = Settings(database_url=empty_db_url, port=0, secret_file=str(tmp_path / "intake.secret"))
    with serve_in_thread(settings) as server, httpx.Client(base_url=server.url) as client:
        health, ready = client.get("/healthz"), client.get("/readyz")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
        assert "/healthz" not in client.get("/openapi.json").text  # outside the documented API

        storage = Storage(empty_db_url)
        try:
            with storage.engine.begin() as conn:
                conn.execute(sa.text("DROP TABLE alembic_version"))  # as if the database were replaced under it
        finally:
            storage.dispose()
        unready = client.get("/readyz")
        assert (unready.status_code, unready.json()) == (503, {"status": "unavailable"})
        assert unready.headers["retry-after"] == "5"
        assert client.get("/healthz").status_code == 200  # alive, just not ready
