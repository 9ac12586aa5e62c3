"""Flooding costs the flooder: every new case and every batch of items needs a fresh proof of work."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace

import httpx
import pytest
from intake_testkit import assert_error, bearer, create_body, idempotency_key, image_item, new_case_key, snapshot

from client_api import IntakeClient, Program, new_idempotency_key
from client_api import new_case_key as client_key
from client_api.proof_of_work import binding_of, solve
from intake import ServerHandle, Settings, serve_in_thread
from intake.errors import ProofOfWorkExpired, ProofOfWorkInvalid
from intake.identifiers import check_character
from intake.proof_of_work import Challenges
from intake.secrets_store import ServerSecret


@pytest.fixture
def some_items() -> list:
    from client_api import ImageItem, PdqEntry

    return [ImageItem(md5="a" * 32, sha256="b" * 64, pdq=(PdqEntry("c" * 64, 90),))]


def test_a_case_without_proof_of_work_is_refused(server: ServerHandle, db_url: str) -> None:
    before = snapshot(db_url)
    with httpx.Client(base_url=server.url) as bare:
        body = create_body([image_item("flood")], new_case_key())
        response = bare.post("/v1/cases", json=body, headers={"Idempotency-Key": idempotency_key()})
    assert_error(response, 428, "proof_of_work_required")
    assert snapshot(db_url) == before


def _solved_headers(server: ServerHandle, path: str, key: str, body: bytes) -> dict[str, str]:
    offer = httpx.get(f"{server.url}/v1/challenge").json()
    binding = binding_of("POST", path, key, body)
    items = len(json.loads(body)["items"])
    nonce = solve(offer["challenge"], binding, offer["work"] + offer["work_per_item"] * items)
    return {"Idempotency-Key": key, "Content-Type": "application/json", "Proof-Of-Work": f"{offer['challenge']};{nonce}"}


def _fails(headers: dict[str, str], method_path: tuple[str, str], key: str, body: bytes) -> bool:
    """Whether this proof really does not meet another request (at work 200, a chance of 1 in 200 that it does)."""
    challenge, nonce = headers["Proof-Of-Work"].split(";")
    offer = challenge.split(".")
    work = int(offer[1]) + int(offer[2]) * len(json.loads(body)["items"])
    digest = hashlib.scrypt(f"{binding_of(*method_path, key, body)}:{nonce}".encode(), salt=challenge.encode(),
                            n=1024, r=8, p=1, maxmem=16 * 1024 * 1024, dklen=32)
    return int.from_bytes(digest, "big") >= (1 << 256) // work


def test_one_proof_opens_one_case_once(settings: Settings, db_url: str) -> None:
    with serve_in_thread(replace(settings, proof_of_work=200)) as server:
        _one_proof_opens_one_case_once(server, db_url)


def _one_proof_opens_one_case_once(server: ServerHandle, db_url: str) -> None:
    body = json.dumps(create_body([image_item("once")], new_case_key())).encode()
    key = idempotency_key()
    headers = _solved_headers(server, "/v1/cases", key, body)
    with httpx.Client(base_url=server.url) as bare:
        first = bare.post("/v1/cases", content=body, headers=headers)
        assert first.status_code == 201
        # The same request again is a replay: the same answer, nothing new.
        assert bare.post("/v1/cases", content=body, headers=headers).json() == first.json()
        # The proof is bound to its idempotency key and body: a second case needs a second proof.
        before = snapshot(db_url)
        other_key = next(k for k in iter(idempotency_key, None) if _fails(headers, ("POST", "/v1/cases"), k, body))
        changed = {**headers, "Idempotency-Key": other_key}
        assert_error(bare.post("/v1/cases", content=body, headers=changed), 428, "proof_of_work_invalid")
        other = next(b for b in (json.dumps(create_body([image_item(f"o{i}")], new_case_key())).encode()
                                 for i in range(100)) if _fails(headers, ("POST", "/v1/cases"), key, b))
        assert_error(bare.post("/v1/cases", content=other, headers=headers), 428, "proof_of_work_invalid")
        # Nor does it carry over to adding items to a case.
        number = first.json()["case_number"]
        path = f"/v1/cases/{number}/items"
        items = next(b for b in (json.dumps({"items": [image_item(f"m{i}")]}).encode() for i in range(100))
                     if _fails(headers, ("POST", path), key, b))
        add = bare.post(path, content=items, headers={**headers, **bearer(json.loads(body)["case_key"])})
        assert_error(add, 428, "proof_of_work_invalid")
        assert snapshot(db_url) == before


@pytest.mark.parametrize(
    "proof",
    ["", "nonsense", "1.2.3;4", "9999999999.1.0.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA;0", ";" * 50],
)
def test_forged_or_malformed_proofs_are_refused(proof: str, server: ServerHandle, db_url: str) -> None:
    body = json.dumps(create_body([image_item("forged")], new_case_key())).encode()
    with httpx.Client(base_url=server.url) as bare:
        response = bare.post("/v1/cases", content=body,
                             headers={"Idempotency-Key": idempotency_key(), "Proof-Of-Work": proof,
                                      "Content-Type": "application/json"})
    assert response.status_code == 428
    assert response.json()["error"]["code"] in ("proof_of_work_required", "proof_of_work_invalid")


def test_challenges_expire_and_cost_more_with_more_items() -> None:
    now = [1_000_000.0]
    challenges = Challenges(ServerSecret.ephemeral(), work=1, work_per_item=10**11, lifetime=600, clock=lambda: now[0])
    offer = challenges.issue()
    binding = "ab" * 32
    challenges.check(f"{offer.text};0", binding=binding, items=0)  # work 1: any nonce
    with pytest.raises(ProofOfWorkInvalid):  # 10**11 expected tries per item: nonce 0 will not be it
        challenges.check(f"{offer.text};0", binding=binding, items=1)
    now[0] += 601
    with pytest.raises(ProofOfWorkExpired):
        challenges.check(f"{offer.text};0", binding=binding, items=0)
    stranger = Challenges(ServerSecret.ephemeral(), work=1, work_per_item=0, clock=lambda: now[0])
    with pytest.raises(ProofOfWorkInvalid):  # issued under another secret
        stranger.check(f"{challenges.issue().text};0", binding=binding, items=0)


def test_the_client_solves_again_when_its_challenge_expired(some_items: list) -> None:
    """The service says the challenge expired (a long wait between retries): one new challenge, one new try."""
    seen: list[str] = []

    def service(request: httpx.Request) -> httpx.Response:
        request.read()
        if request.url.path == "/v1/challenge":
            seen.append("challenge")
            return httpx.Response(200, json={"challenge": f"c{len(seen)}", "work": 1, "work_per_item": 0,
                                             "expires_in": 600})
        seen.append(request.headers["Proof-Of-Work"])
        if len(seen) == 2:
            return httpx.Response(428, json={"error": {"code": "proof_of_work_expired", "message": "Expired."}})
        return httpx.Response(201, json={"case_number": "ABC-DEF-GH2" + check_character("ABCDEFGH2"),
                                         "program": "adult", "state": "active", "created_on": "2026-11-30",
                                         "updated_on": "2026-11-30", "item_count": 1, "fingerprint_count": 3,
                                         "feedback": []})

    with IntakeClient("https://intake.example.org", transport=httpx.MockTransport(service)) as client:
        client.create_case(Program.ADULT, some_items[:1], case_key=client_key(), idempotency_key=new_idempotency_key())
    assert seen == ["challenge", "c1;0", "challenge", "c3;0"]


def test_at_the_real_difficulty_the_person_client_opens_a_case(settings: Settings, db_url: str, some_items: list) -> None:
    defaults = Settings(database_url="sqlite://")
    real = replace(settings, proof_of_work=defaults.proof_of_work, proof_of_work_per_item=defaults.proof_of_work_per_item)
    with serve_in_thread(real) as server, IntakeClient(server.url) as client:
        offer = httpx.get(f"{server.url}/v1/challenge").json()
        assert (offer["work"], offer["work_per_item"]) == (256, 1)
        started = time.perf_counter()
        status = client.create_case(Program.ADULT, some_items[:1], case_key=client_key(),
                                    idempotency_key=new_idempotency_key())
        print(f"one case at the real difficulty: {time.perf_counter() - started:.2f} s")  # benchmarks measure it
    assert status.item_count == 1
