"""Both sides of the wire state each protocol fact once, and this test keeps the two statements equal.

``intake`` imports none of our packages, so the client (``client_api``, with ``hashing`` for the ``.tmk``
format) and the service (``intake``) each define a fact once, and ``intake/openapi.json`` is the contract
between them. Here both sides are compared with each other and with that document: a change on one side
alone fails here, not in the field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from pathlib import Path

import pytest

import hashing
import intake.identifiers
import intake.schemas
from client_api import CaseStatus, Feedback, status_to_json
from client_api import client as client_module
from client_api import keys as client_keys
from client_api import models as client_models
from client_api._wire import status_from_json
from client_api.models import FeedbackValue as ClientFeedback
from intake.errors import IntakeErrorCode
from intake.model import CaseState as IntakeCaseState
from intake.model import FeedbackValue
from intake.model import Program as IntakeProgram
from intake.settings import Settings

OPENAPI = json.loads((Path(intake.__file__).parent / "openapi.json").read_text(encoding="utf-8"))
SCHEMAS = OPENAPI["components"]["schemas"]


def test_the_tmk_file_is_the_same_size_and_magic_everywhere(data_dir):
    assert client_models.TMK_FILE_BYTES == intake.schemas.TMK_FILE_BYTES == hashing.TMK_FILE_SIZE
    assert client_models.TMK_MAGIC == intake.schemas.TMK_MAGIC
    reference = hashing.read_tmk(data_dir / "expected" / "tmk" / "chair-19-sd-bar.tmk").to_bytes()
    assert len(reference) == hashing.TMK_FILE_SIZE and reference.startswith(client_models.TMK_MAGIC)
    base64_length = 4 * -(-client_models.TMK_FILE_BYTES // 3)
    assert SCHEMAS["VideoItem"]["properties"]["tmk"]["anyOf"][0]["maxLength"] >= base64_length


def test_count_and_size_limits_agree():
    assert client_models.MAX_VPDQ_FRAMES_PER_VIDEO == intake.schemas.MAX_VPDQ_FRAMES_PER_VIDEO
    assert SCHEMAS["VideoItem"]["properties"]["vpdq"]["maxItems"] == client_models.MAX_VPDQ_FRAMES_PER_VIDEO
    assert client_models.MAX_PDQ_PER_IMAGE == intake.schemas.MAX_PDQ_PER_IMAGE
    assert SCHEMAS["ImageItem"]["properties"]["pdq"]["maxItems"] == client_models.MAX_PDQ_PER_IMAGE
    frame = SCHEMAS["VpdqEntry"]["properties"]
    assert frame["frame"]["maximum"] == client_models.MAX_VPDQ_FRAME_NUMBER
    assert frame["timestamp"]["maximum"] == client_models.MAX_VPDQ_TIMESTAMP
    assert client_module.MAX_ITEMS_PER_REQUEST == intake.schemas.MAX_ITEMS_PER_REQUEST
    for request in ("CreateCaseRequest", "AddItemsRequest"):
        assert SCHEMAS[request]["properties"]["items"]["maxItems"] == client_module.MAX_ITEMS_PER_REQUEST
    assert client_module.MAX_BODY_BYTES == Settings(database_url="sqlite://").max_body_bytes


def test_programmes_and_case_states_have_the_same_names():
    assert {p.value for p in client_models.Program} == {p.value for p in IntakeProgram}
    assert {s.value for s in client_models.CaseState} == {s.value for s in IntakeCaseState}


def test_the_service_codes_the_client_recognises_exist():
    for code in ("case_not_found", "case_withdrawn"):
        assert code in IntakeErrorCode.__members__.values()


def test_case_numbers_are_read_and_written_alike_on_both_sides():
    assert client_keys.CASE_NUMBER_ALPHABET == intake.identifiers.CASE_NUMBER_ALPHABET
    assert client_keys.CASE_NUMBER_LENGTH == intake.identifiers.CASE_NUMBER_LENGTH
    assert client_keys._SEPARATORS == intake.identifiers._SEPARATORS
    for _ in range(200):
        compact = intake.identifiers.new_case_number()
        shown = intake.identifiers.format_case_number(compact)
        assert client_keys.normalise_case_number(compact) == shown
        assert client_keys.case_number_check_character(compact[:-1]) == intake.identifiers.check_character(
            compact[:-1]
        )
        typed = " \u2013".join((shown[:3].lower(), shown[4:7], shown[8:]))
        assert intake.identifiers.normalise_case_number(typed) == compact
        assert client_keys.normalise_case_number(typed) == shown


def test_case_keys_are_read_alike_on_both_sides():
    assert client_keys.CROCKFORD_ALPHABET == intake.identifiers.CASE_KEY_ALPHABET
    assert client_keys.CASE_KEY_LENGTH == intake.identifiers.CASE_KEY_LENGTH
    for _ in range(50):
        key = client_keys.new_case_key()
        grouped = client_keys.format_case_key(key).lower().replace("0", "o").replace("1", "l")
        assert intake.identifiers.normalise_case_key(grouped) == client_keys.normalise_case_key(grouped) == key


@pytest.fixture
def status() -> CaseStatus:
    return CaseStatus(
        case_number="ABC-DEF-GH2" + client_keys.case_number_check_character("ABCDEFGH2"),
        program=client_models.Program.UNDER_18,
        state=client_models.CaseState.WITHDRAWN,
        created_on=dt.date(2026, 1, 2),
        updated_on=dt.date(2026, 3, 4),
        item_count=3,
        fingerprint_count=9,
        feedback=(Feedback(ClientFeedback.BLOCKED, 2), Feedback(ClientFeedback.PENDING_REVIEW, 1)),
    )


def test_the_case_status_has_the_same_fields_on_both_sides():
    client_fields = [field.name for field in dataclasses.fields(CaseStatus)]
    assert client_fields == list(intake.schemas.CaseStatusBody.model_fields)
    assert client_fields == list(SCHEMAS["CaseStatusBody"]["properties"])


def test_the_clients_case_status_json_is_the_services_body(status):
    from jsonschema import Draft202012Validator  # here: importing it builds an IRI grammar, a second or two

    document = status_to_json(status)
    schema = {"$ref": "#/components/schemas/CaseStatusBody", "components": OPENAPI["components"]}
    Draft202012Validator(schema).validate(document)
    served = intake.schemas.CaseStatusBody.model_validate(document).model_dump(mode="json")
    assert served == document
    assert status_from_json(served) == status


def test_feedback_values_have_the_same_names():
    assert {v.value for v in ClientFeedback} == {v.value for v in FeedbackValue}


def test_random_bodies_round_trip_between_the_sides():
    rng = random.Random(10)
    for _ in range(20):
        body = intake.schemas.CaseStatusBody(
            case_number=intake.identifiers.format_case_number(intake.identifiers.new_case_number()),
            program=rng.choice(list(IntakeProgram)),
            state=rng.choice(list(IntakeCaseState)),
            created_on=dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300)),
            updated_on=dt.date(2026, 11, 1),
            item_count=rng.randrange(1000),
            fingerprint_count=rng.randrange(5000),
            feedback=[intake.schemas.FeedbackCount(value=v, platforms=rng.randrange(1, 9))
                      for v in rng.sample(list(FeedbackValue), 3)],
        ).model_dump(mode="json")
        assert status_to_json(status_from_json(body)) == body
