"""Load check of the intake service on loopback with SQLite: requests per second and p99 latency.

Starts the real service (uvicorn, default settings: scrypt n=2**14) in a subprocess on a free port with a
fresh SQLite file, then runs bounded loops:

* case creation (``POST /v1/cases``, 5 images per case), one client and ``--concurrency`` clients;
* status reads (``GET /v1/cases/{n}``: one scrypt verification each);
* ``GET /v1/FetchHashes`` pages of 800 records over a list seeded with ``--seed-images`` images.

Each line also prints the ratio to ``GET /openapi.json`` (a cached document: the floor of this stack on this
machine), so numbers from different machines can be compared. Run: ``python benchmarks/bench_intake.py``.

``--scale`` measures the service at programme scale on PostgreSQL instead (issue #14): for each size (10,000
and 1,000,000 hash records; 10,000,000 with ``--ten-million``) it bulk-loads a fresh database through the
storage layer (``Storage.import_cases``: cases of 5 images spread over two years, the last 1,000 records
today), starts the real ``takeback intake serve --workers N``, and measures from several client processes:
create case and status with 1 and 4 service processes, a platform's full initial sync and its incremental
sync of the last 1,000 changes, database size per million records and the service's resident memory. It
prints each figure with its ratio to the same figure at 10,000 records. The PostgreSQL server is
``--postgres URL`` or ``$TAKEBACK_TEST_POSTGRES_URL`` (``scripts/postgres-for-tests start``); each size gets
its own database, dropped afterwards. Everything runs on loopback and stops after a fixed number of requests.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from client_api.proof_of_work import ProofOfWork  # noqa: E402
from intake.identifiers import CASE_KEY_ALPHABET  # noqa: E402
from intake.model import Program, SignalType  # noqa: E402
from intake.storage import Storage  # noqa: E402

SERVER = (
    "import sys\n"
    "from intake import Settings, serve\n"
    # The service's own throughput: a proof of work any first nonce meets (bench_abuse.py measures its cost).
    "serve(Settings(database_url=sys.argv[1], port=int(sys.argv[2]), proof_of_work=1, proof_of_work_per_item=0))\n"
)


def _hex(seed: str, chars: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:chars]


def image(seed: str) -> dict:
    return {
        "kind": "image",
        "md5": _hex(seed + "m", 32),
        "sha256": _hex(seed + "s", 64),
        "pdq": [{"hash": _hex(seed + "p", 64), "quality": 90}],
    }


def case_body(images: int) -> dict:
    key = "".join(secrets.choice(CASE_KEY_ALPHABET) for _ in range(26))
    return {
        "program": "adult",
        "client": "takeback/bench",
        "case_key": key,
        "items": [image(secrets.token_hex(8)) for _ in range(images)],
    }


def measure(label: str, count: int, call: Callable[[], None], concurrency: int = 1) -> tuple[float, float]:
    latencies: list[float] = []

    def one() -> None:
        start = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - start)

    began = time.perf_counter()
    if concurrency == 1:
        for _ in range(count):
            one()
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            for future in [pool.submit(one) for _ in range(count)]:
                future.result()
    elapsed = time.perf_counter() - began
    rps = count / elapsed
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) >= 2 else latencies[0]
    print(f"{label:<44} {count:>5} requests  {rps:>8.1f} req/s  p50 {statistics.median(latencies) * 1000:>7.1f} ms  p99 {p99 * 1000:>7.1f} ms")
    return rps, p99


def main() -> None:
    if "--scale" in sys.argv[1:]:
        from bench_intake_scale import main as scale_main

        scale_main([a for a in sys.argv[1:] if a != "--scale"])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100, help="case creations per loop")
    parser.add_argument("--images-per-case", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed-images", type=int, default=20_000, help="images in the list FetchHashes pages over")
    parser.add_argument("--pages", type=int, default=40, help="FetchHashes pages to time")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    url = f"sqlite:///{folder / 'intake.sqlite3'}"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, url, str(port)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the intake server did not start") from None
                time.sleep(0.1)
        print(f"intake on {base}, SQLite, default scrypt; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
        with httpx.Client(base_url=base, timeout=60, auth=ProofOfWork()) as client:
            floor_rps, _ = measure("GET /openapi.json (floor)", 300, lambda: client.get("/openapi.json").raise_for_status())

            def create() -> None:
                r = client.post("/v1/cases", json=case_body(args.images_per_case), headers={"Idempotency-Key": secrets.token_hex(16)})
                r.raise_for_status()

            rps, _ = measure(f"POST /v1/cases ({args.images_per_case} images), 1 client", args.cases, create)
            print(f"{'':<44} ratio to floor: {floor_rps / rps:.1f}x slower")
            rps, _ = measure(
                f"POST /v1/cases, {args.concurrency} clients", args.cases, create, concurrency=args.concurrency
            )

            body = case_body(1)
            created = client.post("/v1/cases", json=body, headers={"Idempotency-Key": secrets.token_hex(16)}).json()
            auth = {"Authorization": f"Bearer {body['case_key']}"}
            rps, _ = measure("GET /v1/cases/{n} (status)", args.cases, lambda: client.get(f"/v1/cases/{created['case_number']}", headers=auth).raise_for_status())
            print(f"{'':<44} ratio to floor: {floor_rps / rps:.1f}x slower")

        # Seed the list straight through the storage layer (what many cases over weeks would leave behind).
        storage = Storage(url)
        batch = 500
        for start in range(0, args.seed_images, batch):
            signals = []
            for i in range(start, min(start + batch, args.seed_images)):
                item = image(f"seed{i}")
                signals.append(
                    [
                        (SignalType.IMAGE_MD5, item["md5"]),
                        (SignalType.IMAGE_SHA256, item["sha256"]),
                        (SignalType.IMAGE_PDQ, item["pdq"][0]["hash"]),
                    ]
                )
            storage.create_case(
                program=Program.ADULT,
                key_hash="scrypt$2$1$1$AA==$AA==",  # never verified: these seed cases are only for the list
                signals_per_item=signals,
                idempotency_key=secrets.token_hex(16),
                request_digest="seed",
            )
        keys = storage.add_platform("bench", [])
        storage.dispose()
        headers = {"Ocp-Apim-Subscription-Key": keys.subscription_key, "x-functions-key": keys.function_key}
        with httpx.Client(base_url=base, timeout=60, headers=headers) as platform:
            token = [""]
            records = [0]

            def page() -> None:
                params = {"pageSize": 800, "startTimestamp": 10}
                if token[0]:
                    params["nextPageToken"] = token[0]
                r = platform.get("/v1/FetchHashes", params=params)
                r.raise_for_status()
                data = r.json()
                records[0] += data["count"]
                token[0] = data["nextPageToken"] if data["hasMoreRecords"] else ""

            rps, _ = measure(f"GET /v1/FetchHashes (800/page, {args.seed_images} images)", args.pages, page)
            print(f"{'':<44} {rps * 800:,.0f} records/s; ratio to floor: {floor_rps / rps:.1f}x slower")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
