"""The controller's logic on a stand-in backend: fingerprinting, cancelling, sending with retries, starting over."""

from __future__ import annotations

from pathlib import Path

from desktop_stubs import CASE_KEY, CASE_NUMBER

from client_api import Program
from desktop.controller import Controller
from desktop.models import FileState
from desktop.sessions import Mode


def _files(tmp_path: Path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(b"x" * 10)
        paths.append(path)
    return paths


def _add(qtbot, controller: Controller, paths: list[Path]) -> None:
    with qtbot.waitSignal(controller.fingerprinting.files_added, timeout=5000), qtbot.assertNotEmitted(controller.fingerprinting.files_failed):
        controller.fingerprinting.add_paths(paths)


def test_broken_file_fails_alone_and_others_are_ready(qtbot, stub_backend, tmp_path):
    controller = Controller(stub_backend)
    _add(qtbot, controller, _files(tmp_path, "a.jpg", "broken.jpg", "c.jpg"))
    with qtbot.waitSignal(controller.fingerprinting.hashing_finished, timeout=5000) as finished:
        controller.fingerprinting.start_hashing()
    assert finished.args == [2, 1]
    states = {e.name: e.state for e in controller.fingerprinting.files.entries}
    assert states == {"a.jpg": FileState.READY, "broken.jpg": FileState.FAILED, "c.jpg": FileState.READY}
    broken = next(e for e in controller.fingerprinting.files.entries if e.name == "broken.jpg")
    assert "damaged" in broken.message and "broken.jpg" not in broken.message


def test_cancel_stops_running_and_waiting_files(qtbot, stub_backend, tmp_path):
    controller = Controller(stub_backend)
    _add(qtbot, controller, _files(tmp_path, "slow-1.mp4", "slow-2.mp4", "slow-3.mp4"))
    with qtbot.waitSignal(controller.fingerprinting.hashing_progressed, timeout=5000, check_params_cb=lambda d, t, f: 0 < f < 1):
        controller.fingerprinting.start_hashing()
    with qtbot.waitSignal(controller.fingerprinting.hashing_finished, timeout=5000) as finished:
        controller.fingerprinting.cancel_hashing()
    assert finished.args == [0, 3]
    assert all(e.state is FileState.STOPPED for e in controller.fingerprinting.files.entries)
    # Fingerprinting again picks the stopped files up.
    stub_backend.release_slow.set()
    with qtbot.waitSignal(controller.fingerprinting.hashing_finished, timeout=5000) as finished:
        assert controller.fingerprinting.start_hashing() == 3
    assert finished.args == [3, 0]


def test_failed_send_keeps_everything_and_retry_repeats_the_same_request(qtbot, stub_backend, tmp_path):
    stub_backend.failures_before_success = 1
    controller = Controller(stub_backend)
    controller.case.choose_program(Program.ADULT)
    _add(qtbot, controller, _files(tmp_path, "a.jpg", "b.jpg"))
    with qtbot.waitSignal(controller.fingerprinting.hashing_finished, timeout=5000):
        controller.fingerprinting.start_hashing()
    with qtbot.waitSignal(controller.case.send_failed, timeout=5000) as failed, qtbot.assertNotEmitted(controller.case.sent):
        controller.case.send()
    assert "cannot reach" in failed.args[0]
    assert controller.case.credentials is None
    assert all(e.state is FileState.READY for e in controller.fingerprinting.files.entries)
    with qtbot.waitSignal(controller.case.sent, timeout=5000), qtbot.assertNotEmitted(controller.case.send_failed):
        controller.case.send()
    first, second = (args for name, args in stub_backend.calls if name == "create_case")
    assert first == second  # same case key, same idempotency key, same items: never a second case
    assert controller.case.credentials.case_number == CASE_NUMBER
    assert all(e.state is FileState.SENT and e.fingerprints is None for e in controller.fingerprinting.files.entries)


def test_add_more_to_a_checked_case_uses_its_credentials(qtbot, stub_backend, tmp_path):
    controller = Controller(stub_backend)
    with qtbot.waitSignal(controller.case.status_loaded, timeout=5000):
        controller.case.check_case(CASE_NUMBER, CASE_KEY)
    controller.case.add_more_to_case()
    assert controller.case.mode is Mode.ADD_TO_CASE
    _add(qtbot, controller, _files(tmp_path, "more.jpg"))
    with qtbot.waitSignal(controller.fingerprinting.hashing_finished, timeout=5000):
        controller.fingerprinting.start_hashing()
    with qtbot.waitSignal(controller.case.sent, timeout=5000):
        controller.case.send()
    assert [name for name, _ in stub_backend.calls] == ["status", "add_items"]


def test_start_over_drops_everything_and_ignores_late_results(qtbot, stub_backend, tmp_path):
    controller = Controller(stub_backend)
    controller.case.choose_program(Program.UNDER_18)
    _add(qtbot, controller, _files(tmp_path, "slow.mp4", "a.jpg"))
    with qtbot.waitSignal(controller.was_reset, timeout=5000), qtbot.assertNotEmitted(
        controller.fingerprinting.hashing_finished, wait=300
    ):
        controller.fingerprinting.start_hashing()
        controller.start_over()
    assert controller.fingerprinting.files.rowCount() == 0
    assert controller.case.program is None and controller.case.credentials is None and controller.case.case_status is None
    assert not controller.fingerprinting.hashing


def test_a_half_sent_case_keeps_its_number_and_key_and_retry_finishes_it(qtbot, stub_backend, tmp_path):
    stub_backend.incomplete_before_success = 1
    controller = Controller(stub_backend)
    controller.case.choose_program(Program.ADULT)
    _add(qtbot, controller, _files(tmp_path, "a.jpg"))
    with qtbot.waitSignal(controller.fingerprinting.hashing_finished, timeout=5000):
        controller.fingerprinting.start_hashing()
    with qtbot.waitSignal(controller.case.send_failed, timeout=5000), qtbot.assertNotEmitted(controller.case.sent):
        controller.case.send()
    assert controller.case.credentials.case_number == CASE_NUMBER  # kept even though sending stopped
    with qtbot.waitSignal(controller.case.sent, timeout=5000):
        controller.case.send()
    first, second = (args for name, args in stub_backend.calls if name == "create_case")
    assert first == second


def test_keyring_failures_reach_the_signal_of_what_was_asked(qtbot, stub_backend):
    stub_backend.keyring_broken = True
    controller = Controller(stub_backend)
    with qtbot.waitSignal(controller.case.status_loaded, timeout=5000):
        controller.case.check_case(CASE_NUMBER, CASE_KEY)
    with qtbot.waitSignal(controller.case.recall_failed, timeout=5000) as failed, qtbot.assertNotEmitted(
        controller.case.status_failed
    ), qtbot.assertNotEmitted(controller.case.recalled):
        controller.case.recall_cases()
    assert "password store" in failed.args[0]
    with qtbot.waitSignal(controller.case.forget_failed, timeout=5000) as failed, qtbot.assertNotEmitted(
        controller.case.remember_failed
    ):
        controller.case.forget_case()
    assert "password store" in failed.args[0]
    with qtbot.waitSignal(controller.case.remember_failed, timeout=5000), qtbot.assertNotEmitted(controller.case.remembered):
        controller.case.remember_case()
