"""Issue #12's attacks on the real intake service, on loopback, bounded in count and time.

Starts the service (``intake.serve``) in a subprocess on a free port with a SQLite file, then measures:

* the owner's status check (p50/p99) alone, under a flood of wrong-key requests on the same case number, and
  under a flood on other case numbers (``--flood-rate`` requests per second, ``--seconds`` each);
* case creation by one flooder as fast as it can (cases per second, seconds of CPU per case), and what one
  honest person's client spends per case;
* slow sockets: how long connections dripping one byte every 2 s stay open, and whether a real request gets
  through while ``--hogs`` of them are open;
* bytes the service writes to stderr while 200 malformed requests arrive.

Run it against another checkout (main, to get the "before" figures) with ``--source PATH``: the service then
runs from that tree, the client side from this one.

    .venv/bin/python benchmarks/bench_abuse.py [--seconds 10] [--flood-rate 100] [--source /work/main]
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from client_api.proof_of_work import ProofOfWork  # noqa: E402

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

SERVE = """
import logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
from intake import Settings, serve
serve(Settings(database_url=sys.argv[1], port=int(sys.argv[2])))
"""


def _key() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(26))


def _item(seed: str) -> dict:
    import hashlib

    h = hashlib.sha256(seed.encode()).hexdigest()
    return {"kind": "image", "md5": h[:32], "sha256": h, "pdq": [{"hash": h[::-1], "quality": 90}]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    def __init__(self, source: Path, folder: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stderr_path = folder / "stderr.log"
        env = {**os.environ, "PYTHONPATH": str(source)}
        self._stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE, f"sqlite:///{folder}/intake.sqlite3", str(self.port)],
            cwd=source, env=env, stdout=subprocess.DEVNULL, stderr=self._stderr,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/openapi.json", timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the service did not start")

    def stderr_bytes(self) -> int:
        self._stderr.flush()
        return self.stderr_path.stat().st_size

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._stderr.close()


def create(client: httpx.Client, items: int = 1) -> tuple[str, str]:
    key = _key()
    body = {"program": "adult", "client": "takeback/bench", "case_key": key,
            "items": [_item(uuid.uuid4().hex) for _ in range(items)]}
    r = client.post("/v1/cases", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    r.raise_for_status()
    return r.json()["case_number"], key


def _percentiles(samples: list[float]) -> str:
    if not samples:
        return "no answers"
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"


def owner_under_flood(url: str, number: str, key: str, *, targets: list[str], rate: float, seconds: float) -> dict:
    """The owner checks once every 0.2 s while flooders send ``rate`` wrong-key requests/s at ``targets``."""
    stop = threading.Event()
    answers: dict[int, int] = {}
    lock = threading.Lock()

    def flood(worker: int, workers: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as c:
            start, sent = time.monotonic(), 0
            while not stop.is_set():
                due = start + sent * workers / rate
                if (pause := due - time.monotonic()) > 0 and stop.wait(pause):
                    break
                try:
                    code = c.get(f"/v1/cases/{targets[sent % len(targets)]}",
                                 headers={"Authorization": f"Bearer {_key()}"}).status_code
                except httpx.TransportError:
                    code = 0
                with lock:
                    answers[code] = answers.get(code, 0) + 1
                sent += 1

    workers = 16 if rate > 0 else 0
    threads = [threading.Thread(target=flood, args=(i, workers), daemon=True) for i in range(workers)]
    for t in threads:
        t.start()
    owner: list[float] = []
    owner_codes: dict[int, int] = {}
    with httpx.Client(base_url=url, timeout=30) as c:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t0 = time.perf_counter()
            code = c.get(f"/v1/cases/{number}", headers={"Authorization": f"Bearer {key}"}).status_code
            owner.append(time.perf_counter() - t0)
            owner_codes[code] = owner_codes.get(code, 0) + 1
            time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(30)
    total = sum(answers.values())
    return {"owner": _percentiles(owner), "owner_codes": owner_codes, "flood_rate": total / seconds,
            "flood_codes": answers}


def flood_creation(url: str, seconds: float, items: int) -> dict:
    made, cpu0, wall0 = 0, time.process_time(), time.monotonic()
    with httpx.Client(base_url=url, timeout=30, auth=ProofOfWork()) as c:
        while time.monotonic() - wall0 < seconds:
            create(c, items)
            made += 1
    wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
    return {"cases": made, "per_second": made / wall, "client_cpu_per_case": cpu / max(made, 1)}


def slow_sockets(url: str, hogs: int, limit: float) -> dict:
    """``hogs`` connections drip a header byte every 2 s; how long do they live, and does a real request pass?"""
    port = int(url.rsplit(":", 1)[1])
    socks, opened = [], time.monotonic()
    for _ in range(hogs):
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.sendall(b"G")
        socks.append(s)
    t0 = time.perf_counter()
    try:
        real = httpx.get(f"{url}/openapi.json", timeout=5).status_code
    except httpx.TransportError as exc:
        real = type(exc).__name__
    real_time = time.perf_counter() - t0
    alive = list(socks)
    lifetimes: list[float] = []
    while alive and time.monotonic() - opened < limit:
        time.sleep(2)
        for s in list(alive):
            try:
                s.sendall(b"E")
                s.setblocking(False)
                if s.recv(4096) == b"":
                    raise ConnectionResetError
            except BlockingIOError:
                continue
            except OSError:
                lifetimes.append(time.monotonic() - opened)
                alive.remove(s)
            finally:
                s.setblocking(True)
    for s in socks:
        s.close()
    return {"closed": len(lifetimes), "still_open_after_limit": len(alive),
            "longest_closed_s": round(max(lifetimes), 1) if lifetimes else None,
            "real_request_while_open": real, "real_request_s": round(real_time, 2)}


def garbage_logs(service: Service, count: int) -> dict:
    before = service.stderr_bytes()
    for _ in range(count):
        with socket.create_connection(("127.0.0.1", service.port), timeout=5) as s:
            s.sendall(b"NOT HTTP\r\n\r\n")
            try:
                while s.recv(4096):
                    pass
            except OSError:
                pass
    time.sleep(0.5)
    return {"requests": count, "stderr_bytes": service.stderr_bytes() - before}


def scrypt_seconds() -> float:
    """One try of the proof of work (scrypt n=1024, r=8), averaged over 300."""
    import hashlib

    t0 = time.perf_counter()
    for i in range(300):
        hashlib.scrypt(b"%d" % i, salt=b"challenge", n=1024, r=8, p=1, maxmem=16 * 1024 * 1024, dklen=32)
    return (time.perf_counter() - t0) / 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--flood-rate", type=float, default=100.0)
    parser.add_argument("--hogs", type=int, default=14)
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout the service runs from")
    args = parser.parse_args()
    print(f"service from {args.source}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        service = Service(args.source, Path(folder))
        try:
            with httpx.Client(base_url=service.url, timeout=30, auth=ProofOfWork()) as c:
                t0 = time.perf_counter()
                number, key = create(c)
                print(f"honest person, one case of 1 item: {time.perf_counter() - t0:.2f} s")
                t0 = time.perf_counter()
                create(c, 100)
                print(f"honest person, one case of 100 items: {time.perf_counter() - t0:.2f} s")
                others = [create(c)[0] for _ in range(3)]
            alone = owner_under_flood(service.url, number, key, targets=[number], rate=0, seconds=args.seconds / 2)
            print(f"owner's status alone: {alone['owner']} {alone['owner_codes']}")
            same = owner_under_flood(service.url, number, key, targets=[number], rate=args.flood_rate,
                                     seconds=args.seconds)
            print(f"owner's status under {same['flood_rate']:.0f} wrong-key req/s on the same number: "
                  f"{same['owner']} {same['owner_codes']}; flood answered {same['flood_codes']}")
            other = owner_under_flood(service.url, number, key, targets=others, rate=args.flood_rate,
                                      seconds=args.seconds)
            print(f"owner's status under {other['flood_rate']:.0f} wrong-key req/s on other numbers: "
                  f"{other['owner']} {other['owner_codes']}; flood answered {other['flood_codes']}")
            offer = httpx.get(f"{service.url}/v1/challenge").json() if args.source == ROOT else None
            if offer:
                one = scrypt_seconds()
                for items in (1, 500):
                    tries = offer["work"] + offer["work_per_item"] * items
                    print(f"expected cost of a {items}-item case: {tries} scrypt tries x {one * 1000:.1f} ms = "
                          f"{tries * one:.2f} s; 10,000 such cases: {tries * one * 10_000 / 3600:.1f} CPU-hours")
            flood = flood_creation(service.url, args.seconds, 1)
            print(f"one flooder, 1-item cases: {flood['per_second']:.2f} cases/s, "
                  f"{flood['client_cpu_per_case']:.2f} s client CPU per case "
                  f"-> 10,000 cases: {flood['client_cpu_per_case'] * 10_000 / 3600:.1f} CPU-hours")
            flood = flood_creation(service.url, args.seconds, 500)
            print(f"one flooder, 500-item cases: {flood['per_second']:.2f} cases/s, "
                  f"{flood['client_cpu_per_case']:.2f} s client CPU per case")
            hogs = slow_sockets(service.url, args.hogs, 30)
            print(f"slow sockets ({args.hogs}, one byte per 2 s, watched 30 s): {hogs}")
            print(f"malformed requests: {garbage_logs(service, 200)}")
        finally:
            service.stop()


if __name__ == "__main__":
    main()
