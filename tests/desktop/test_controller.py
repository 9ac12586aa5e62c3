"""The controller's logic on a stand-in backend: fingerprinting, cancelling, sending with retries, starting over."""

from __future__ import annotations

from pathlib import Path

from desktop.controller import Controller, Mode
from desktop.models import FileState


def _files(tmp_path: Path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(b"x" * 10)
        paths.append(path)
    return paths


def _add(qtbot, controller: Controller, paths: list[Path]) -> None:
    with qtbot.waitSignal(controller.files_added, timeout=5000), qtbot.assertNotEmitted(controller.files_failed):
        controller.add_paths(paths)


def test_broken_file_fails_alone_and_others_are_ready(qtbot, stub_backend, tmp_path):
    controller = Controller(stub_backend)
    _add(qtbot, controller, _files(tmp_path, "a.jpg", "broken.jpg", "c.jpg"))
    with qtbot.waitSignal(controller.hashing_finished, timeout=5000) as finished:
        controller.start_hashing()
    assert finished.args == [2, 1]
    states = {e.name: e.state for e in controller.files.entries}
    assert states == {"a.jpg": FileState.READY, "broken.jpg": FileState.FAILED, "c.jpg": FileState.READY}
    broken = next(e for e in controller.files.entries if e.name == "broken.jpg")
    assert "damaged" in broken.message and "broken.jpg" not in broken.message


def test_cancel_stops_running_and_waiting_files(qtbot, stub_backend, tmp_path):
    controller = Controller(stub_backend)
    _add(qtbot, controller, _files(tmp_path, "slow-1.mp4", "slow-2.mp4", "slow-3.mp4"))
    with qtbot.waitSignal(controller.hashing_progressed, timeout=5000, check_params_cb=lambda d, t, f: 0 < f < 1):
        controller.start_hashing()
    with qtbot.waitSignal(controller.hashing_finished, timeout=5000) as finished:
        controller.cancel_hashing()
    assert finished.args == [0, 3]
    assert all(e.state is FileState.STOPPED for e in controller.files.entries)
    # Fingerprinting again picks the stopped files up.
    stub_backend.release_slow.set()
    with qtbot.waitSignal(controller.hashing_finished, timeout=5000) as finished:
        assert controller.start_hashing() == 3
    assert finished.args == [3, 0]


def test_failed_send_keeps_everything_and_retry_repeats_the_same_request(qtbot, stub_backend, tmp_path):
    stub_backend.failures_before_success = 1
    controller = Controller(stub_backend)
    controller.choose_program(stub_backend.program("adult"))
    _add(qtbot, controller, _files(tmp_path, "a.jpg", "b.jpg"))
    with qtbot.waitSignal(controller.hashing_finished, timeout=5000):
        controller.start_hashing()
    with qtbot.waitSignal(controller.send_failed, timeout=5000) as failed, qtbot.assertNotEmitted(controller.sent):
        controller.send()
    assert "cannot reach" in failed.args[0]
    assert controller.credentials is None
    assert all(e.state is FileState.READY for e in controller.files.entries)
    with qtbot.waitSignal(controller.sent, timeout=5000), qtbot.assertNotEmitted(controller.send_failed):
        controller.send()
    first, second = (args for name, args in stub_backend.calls if name == "create_case")
    assert first == second  # same case key, same idempotency key, same items: never a second case
    assert controller.credentials.case_number == "ABC-DEF-GH23"
    assert all(e.state is FileState.SENT and e.fingerprints is None for e in controller.files.entries)


def test_add_more_to_a_checked_case_uses_its_credentials(qtbot, stub_backend, tmp_path):
    controller = Controller(stub_backend)
    with qtbot.waitSignal(controller.status_loaded, timeout=5000):
        controller.check_case("ABC-DEF-GH23", "ABCDEFGHJKMNPQRSTVWXYZ0123")
    controller.add_more_to_case()
    assert controller.mode is Mode.ADD_TO_CASE
    _add(qtbot, controller, _files(tmp_path, "more.jpg"))
    with qtbot.waitSignal(controller.hashing_finished, timeout=5000):
        controller.start_hashing()
    with qtbot.waitSignal(controller.sent, timeout=5000):
        controller.send()
    assert [name for name, _ in stub_backend.calls] == ["status", "add_items"]


def test_start_over_drops_everything_and_ignores_late_results(qtbot, stub_backend, tmp_path):
    controller = Controller(stub_backend)
    controller.choose_program(stub_backend.program("under18"))
    _add(qtbot, controller, _files(tmp_path, "slow.mp4", "a.jpg"))
    with qtbot.waitSignal(controller.was_reset, timeout=5000), qtbot.assertNotEmitted(
        controller.hashing_finished, wait=300
    ):
        controller.start_hashing()
        controller.start_over()
    assert controller.files.rowCount() == 0
    assert controller.program is None and controller.credentials is None and controller.case_status is None
    assert not controller.hashing


def test_a_half_sent_case_keeps_its_number_and_key_and_retry_finishes_it(qtbot, stub_backend, tmp_path):
    stub_backend.incomplete_before_success = 1
    controller = Controller(stub_backend)
    controller.choose_program(stub_backend.program("adult"))
    _add(qtbot, controller, _files(tmp_path, "a.jpg"))
    with qtbot.waitSignal(controller.hashing_finished, timeout=5000):
        controller.start_hashing()
    with qtbot.waitSignal(controller.send_failed, timeout=5000), qtbot.assertNotEmitted(controller.sent):
        controller.send()
    assert controller.credentials.case_number == "ABC-DEF-GH23"  # kept even though sending stopped
    with qtbot.waitSignal(controller.sent, timeout=5000):
        controller.send()
    first, second = (args for name, args in stub_backend.calls if name == "create_case")
    assert first == second


def test_keyring_failures_reach_the_signal_of_what_was_asked(qtbot, stub_backend):
    stub_backend.keyring_broken = True
    controller = Controller(stub_backend)
    with qtbot.waitSignal(controller.status_loaded, timeout=5000):
        controller.check_case("ABC-DEF-GH23", "ABCDEFGHJKMNPQRSTVWXYZ0123")
    with qtbot.waitSignal(controller.recall_failed, timeout=5000) as failed, qtbot.assertNotEmitted(
        controller.status_failed
    ), qtbot.assertNotEmitted(controller.recalled):
        controller.recall_cases()
    assert "password store" in failed.args[0]
    with qtbot.waitSignal(controller.forget_failed, timeout=5000) as failed, qtbot.assertNotEmitted(
        controller.remember_failed
    ):
        controller.forget_case()
    assert "password store" in failed.args[0]
    with qtbot.waitSignal(controller.remember_failed, timeout=5000), qtbot.assertNotEmitted(controller.remembered):
        controller.remember_case()
