"""Remembering cases in the keyring: only when asked, and a missing keyring is a kind message.

There is no OS keyring service (Secret Service, Keychain, Credential Manager) on the test machine, so these
tests run keyring's API against keyrings.alt's file-backed ``PlaintextKeyring`` in a temporary folder: a real
third-party backend going through the same ``keyring`` calls, and one whose storage we can inspect.
"""

import keyring
import keyring.backends.fail
import pytest
from keyrings.alt.file import PlaintextKeyring

from client_api import CaseCredentials, KeystoreUnavailable, new_case_key
from client_api import keystore
from client_api.keys import case_number_check_character


def _credentials(body: str) -> CaseCredentials:
    return CaseCredentials(body + case_number_check_character(body), new_case_key())


@pytest.fixture
def keyring_file(tmp_path):
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    keyring.set_keyring(backend)
    yield tmp_path / "keyring.cfg"
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_remember_recall_forget(keyring_file):
    first, second = _credentials("ABC234DEF"), _credentials("XYZ987MNP")
    keystore.remember(first)
    keystore.remember(second)
    assert keystore.recall() == [first, second]
    keystore.forget(first.case_number.lower().replace("-", ""))
    assert keystore.recall() == [second]
    keystore.forget(second.case_number)
    keystore.forget(second.case_number)  # twice is fine
    assert keystore.recall() == []


def test_remembering_again_replaces_the_key_without_duplicating_the_case(keyring_file):
    old = _credentials("ABC234DEF")
    new = CaseCredentials(old.case_number, new_case_key())
    keystore.remember(old)
    keystore.remember(new)
    assert keystore.recall() == [new]


def test_an_entry_removed_outside_takeback_is_skipped(keyring_file):
    kept, removed = _credentials("ABC234DEF"), _credentials("XYZ987MNP")
    keystore.remember(kept)
    keystore.remember(removed)
    keyring.delete_password(keystore.KEYRING_SERVICE, removed.case_number)
    assert keystore.recall() == [kept]


def test_nothing_is_written_until_the_person_asks(keyring_file, intake_server, some_items, tmp_path):
    """A whole journey through the library (open, check, save a bundle, withdraw) leaves the keyring untouched."""
    import client_api

    case_key = new_case_key()
    with client_api.IntakeClient(intake_server.url) as client:
        status = client.create_case(client_api.Program.ADULT, some_items, case_key=case_key,
                                    idempotency_key=client_api.new_idempotency_key())
        credentials = CaseCredentials(status.case_number, case_key)
        client.status(credentials)
        client_api.save_bundle(tmp_path / "case.takeback", client_api.Program.ADULT, some_items)
        client.withdraw(credentials)
    assert not keyring_file.exists()
    keystore.remember(credentials)
    assert keyring_file.exists()


def test_without_a_keyring_every_call_is_a_kind_message(no_keyring):
    credentials = _credentials("ABC234DEF")
    with pytest.raises(KeystoreUnavailable, match="Write down your case number and key"):
        keystore.remember(credentials)
    with pytest.raises(KeystoreUnavailable, match="wrote your case number and key down"):
        keystore.recall()
    with pytest.raises(KeystoreUnavailable, match="system's password manager"):
        keystore.forget(credentials.case_number)
