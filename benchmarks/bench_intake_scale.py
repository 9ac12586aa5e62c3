"""``bench_intake.py --scale``: the intake service on PostgreSQL at 10,000, 1,000,000 (and 10,000,000) records.

See bench_intake.py's docstring for what is measured. Run: ``python benchmarks/bench_intake.py --scale``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench_intake import case_body  # noqa: E402

from client_api.proof_of_work import ProofOfWork  # noqa: E402
from intake import Program, SignalType, Storage  # noqa: E402
from intake.storage import ImportedCase, database_url, utc_today  # noqa: E402

IMAGES_PER_CASE = 5
RECORDS_PER_CASE = IMAGES_PER_CASE * 3  # MD5, SHA-256 and PDQ of each image
RECENT = 1_000  # records changed today: what an incremental sync fetches
HISTORY_DAYS = 730
ALL_IMAGE_TYPES = "ImagePDQ,ImageMD5,ImageSHA256"
#: Never verified: loaded cases only fill the list.
LOADED_KEY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


@dataclass
class Figures:
    """One size's results; latencies in ms."""

    records: int = 0
    load_seconds: float = 0.0
    create: dict[int, tuple[float, float, float]] | None = None  # workers -> (req/s, p50, p99)
    status: dict[int, tuple[float, float, float]] | None = None
    sync_records_per_s: float = 0.0
    sync_seconds: float = 0.0
    incremental_seconds: float = 0.0
    incremental_records: int = 0
    bytes_per_million: float = 0.0
    rss_mib: dict[int, tuple[float, float]] | None = None  # workers -> (largest process, all processes)


# --- database ---


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new database on the server, dropped afterwards."""
    name = f"bench_intake_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(database_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _hex(chars: int) -> str:
    return secrets.token_hex(chars // 2)


def load(storage: Storage, records: int, batch_cases: int = 400) -> float:
    """Fill the list with ``records`` hash records through ``Storage.import_cases``; returns the seconds taken.

    History (all but the last ``RECENT`` records) is spread evenly over two years before today; the rest is
    today's, so an incremental sync from today's checkpoint fetches those.
    """
    began = time.perf_counter()
    today = utc_today()
    history_cases = max(0, records - RECENT) // RECORDS_PER_CASE
    recent_cases = (records - history_cases * RECORDS_PER_CASE) // RECORDS_PER_CASE
    batches = [(start, min(batch_cases, history_cases - start)) for start in range(0, history_cases, batch_cases)]
    for index, (_start, count) in enumerate(batches):
        day = today - dt.timedelta(days=HISTORY_DAYS - (index * HISTORY_DAYS) // max(1, len(batches)))
        storage.import_cases([_loaded_case() for _ in range(count)], day=day)
        if index % 50 == 0:
            done = (_start + count) * RECORDS_PER_CASE
            print(f"  loaded {done:>11,} records ({time.perf_counter() - began:.0f} s)", flush=True)
    for _ in range(recent_cases):  # one by one, as people create them today
        storage.import_cases([_loaded_case()], day=today)
    return time.perf_counter() - began


def _loaded_case() -> ImportedCase:
    items = [
        [(SignalType.IMAGE_MD5, _hex(32)), (SignalType.IMAGE_SHA256, _hex(64)), (SignalType.IMAGE_PDQ, _hex(64))]
        for _ in range(IMAGES_PER_CASE)
    ]
    return ImportedCase(Program.ADULT, LOADED_KEY_HASH, items)


def database_bytes(url: str) -> int:
    engine = sa.create_engine(database_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one()
    finally:
        engine.dispose()


def analyze(url: str) -> None:
    """What autovacuum does within a minute of a bulk load; measuring before it would time the planner's guess."""
    engine = sa.create_engine(database_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()


# --- the service ---


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def service(url: str, workers: int) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "intake", "serve", "--db", url, "--port", str(port), "--workers", str(workers),
         "--secret-file", str(Path(tempfile.gettempdir()) / "bench-intake-scale.secret")],
        cwd=REPO,
        # The service's own throughput: a proof of work any first nonce meets (bench_abuse.py measures its cost).
        env={**os.environ, "PYTHONPATH": str(REPO), "TAKEBACK_INTAKE_PROOF_OF_WORK": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the intake service did not start")
            time.sleep(0.2)
        yield base, process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()


def rss_mib(pid: int) -> tuple[float, float]:
    """Resident memory of the service's processes (the supervisor and its workers): largest, and all together."""
    pids = [pid] + [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(int(p.name)) == pid]
    sizes = []
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except OSError:
            pass
    return max(sizes), sum(sizes)


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


# --- clients (separate processes) ---


def _create_client(base: str, count: int, results: multiprocessing.Queue) -> None:
    latencies = []
    with httpx.Client(base_url=base, timeout=120, auth=ProofOfWork()) as client:
        for _ in range(count):
            body = case_body(IMAGES_PER_CASE)
            began = time.perf_counter()
            response = client.post("/v1/cases", json=body, headers={"Idempotency-Key": secrets.token_hex(16)})
            latencies.append(time.perf_counter() - began)
            response.raise_for_status()
    results.put(latencies)


def _status_client(base: str, count: int, results: multiprocessing.Queue) -> None:
    latencies = []
    with httpx.Client(base_url=base, timeout=120, auth=ProofOfWork()) as client:
        body = case_body(1)
        created = client.post("/v1/cases", json=body, headers={"Idempotency-Key": secrets.token_hex(16)}).json()
        auth = {"Authorization": f"Bearer {body['case_key']}"}
        for _ in range(count):
            began = time.perf_counter()
            response = client.get(f"/v1/cases/{created['case_number']}", headers=auth)
            latencies.append(time.perf_counter() - began)
            response.raise_for_status()
    results.put(latencies)


def run_clients(target: Callable, base: str, clients: int, per_client: int) -> tuple[float, float, float]:
    """``clients`` processes, each making ``per_client`` requests in a row; returns (req/s, p50 ms, p99 ms)."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=target, args=(base, per_client, results)) for _ in range(clients)]
    began = time.perf_counter()
    for process in processes:
        process.start()
    latencies = [latency for _ in processes for latency in results.get(timeout=600)]
    elapsed = time.perf_counter() - began
    for process in processes:
        process.join(60)
        if process.exitcode != 0:
            raise SystemExit("a client process failed")
    quantiles = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, quantiles[98] * 1000


def sync(base: str, headers: dict[str, str], start: int, page_size: int = 2000) -> tuple[int, float]:
    """A platform's sync from ``start`` to the end of the list; returns (records, seconds)."""
    records, began = 0, time.perf_counter()
    params: dict[str, object] = {"startTimestamp": start, "pageSize": page_size, "signalTypes": ALL_IMAGE_TYPES}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as platform:
        while True:
            response = platform.get("/v1/FetchHashes", params=params)
            response.raise_for_status()
            page = response.json()
            records += page["count"]
            if not page["hasMoreRecords"]:
                return records, time.perf_counter() - began
            params = {"pageSize": page_size, "nextPageToken": page["nextPageToken"]}


# --- one size ---


def measure(admin_url: str, records: int, args: argparse.Namespace) -> Figures:
    figures = Figures(records=records, create={}, status={}, rss_mib={})
    with fresh_database(admin_url) as url:
        storage = Storage(url)
        try:
            storage.migrate()
            empty = database_bytes(url)
            keys = storage.add_platform("bench", [SignalType.IMAGE_MD5, SignalType.IMAGE_SHA256])
            print(f"{records:,} records: loading", flush=True)
            figures.load_seconds = load(storage, records)
        finally:
            storage.dispose()
        analyze(url)
        figures.bytes_per_million = (database_bytes(url) - empty) / records * 1_000_000
        headers = {"Ocp-Apim-Subscription-Key": keys.subscription_key, "x-functions-key": keys.function_key}
        for workers in (1, 4):
            with service(url, workers) as (base, process):
                figures.create[workers] = run_clients(_create_client, base, args.clients, args.requests)
                figures.status[workers] = run_clients(_status_client, base, args.clients, args.requests)
                if workers == 1:
                    count, seconds = sync(base, headers, 0)
                    figures.sync_records_per_s, figures.sync_seconds = count / seconds, seconds
                    today = int(dt.datetime.combine(utc_today(), dt.time(), dt.timezone.utc).timestamp())
                    figures.incremental_records, figures.incremental_seconds = sync(base, headers, today)
                figures.rss_mib[workers] = rss_mib(process.pid)
            print(f"  {workers} process(es) measured", flush=True)
    return figures


def report(all_figures: list[Figures]) -> None:
    base = all_figures[0]
    sizes = "".join(f"{_size(f.records):>14}" for f in all_figures)
    ratios = "".join(f"{_size(f.records) + '/' + _size(base.records):>14}" for f in all_figures[1:])
    print(f"\n{'figure':<46}{sizes}{ratios}   target (1M)")

    def row(label: str, values: list[float], fmt: str, target: str = "", lower_is_better: bool = True) -> None:
        cells = "".join(f"{format(v, fmt):>14}" for v in values)
        ratio = "".join(
            f"{(v / values[0] if lower_is_better else values[0] / v) if values[0] and v else float('nan'):>13.2f}x"
            for v in values[1:]
        )
        print(f"{label:<46}{cells}{ratio}   {target}")

    for workers in (1, 4):
        row(f"create case (5 images), {workers} proc: req/s", [f.create[workers][0] for f in all_figures], ",.1f", lower_is_better=False)
        row(f"create case, {workers} proc: p50 ms", [f.create[workers][1] for f in all_figures], ",.0f")
        row(f"create case, {workers} proc: p99 ms", [f.create[workers][2] for f in all_figures], ",.0f", "< 250 ms (4 proc)" if workers == 4 else "")
        row(f"status, {workers} proc: req/s", [f.status[workers][0] for f in all_figures], ",.1f", lower_is_better=False)
        row(f"status, {workers} proc: p50 ms", [f.status[workers][1] for f in all_figures], ",.0f")
        row(f"status, {workers} proc: p99 ms", [f.status[workers][2] for f in all_figures], ",.0f")
    row("full sync: records/s", [f.sync_records_per_s for f in all_figures], ",.0f", ">= 20,000", lower_is_better=False)
    row("full sync: seconds", [f.sync_seconds for f in all_figures], ",.1f")
    row("incremental sync (today's changes): seconds", [f.incremental_seconds for f in all_figures], ",.3f", "< 1 s")
    row("incremental sync: records", [f.incremental_records for f in all_figures], ",.0f")
    row("database MiB per million records (over empty)", [f.bytes_per_million / 2**20 for f in all_figures], ",.0f")
    for workers in (1, 4):
        row(f"service RSS MiB, {workers} proc: largest process", [f.rss_mib[workers][0] for f in all_figures], ",.0f")
        row(f"service RSS MiB, {workers} proc: all processes", [f.rss_mib[workers][1] for f in all_figures], ",.0f")
    row("bulk load seconds", [f.load_seconds for f in all_figures], ",.0f")


def _size(records: int) -> str:
    return f"{records // 1_000_000}M" if records >= 1_000_000 else f"{records // 1000}k"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_intake.py --scale", description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("TAKEBACK_TEST_POSTGRES_URL"), metavar="URL")
    parser.add_argument("--records", type=int, default=1_000_000, help="the large size (default 1,000,000)")
    parser.add_argument("--ten-million", action="store_true", help="also measure 10,000,000 records")
    parser.add_argument("--clients", type=int, default=4, help="client processes (default 4)")
    parser.add_argument("--requests", type=int, default=50, help="requests per client process per figure")
    args = parser.parse_args(argv)
    if not args.postgres:
        raise SystemExit("give --postgres URL or set TAKEBACK_TEST_POSTGRES_URL (scripts/postgres-for-tests start)")
    sizes = [10_000, args.records] + ([10_000_000] if args.ten_million else [])
    print(
        f"intake scale benchmark: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; "
        f"Python {sys.version.split()[0]}; {args.clients} client processes x {args.requests} requests per figure"
    )
    results = [measure(args.postgres, size, args) for size in sizes]
    report(results)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (other work on this machine shares its cores)")
