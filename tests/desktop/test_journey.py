"""The whole journey on real widgets, with real fingerprinting and the real intake service on loopback."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.backend import IntakeBackend
from desktop.models import FileState
from desktop.window import MainWindow, Page

HASHING_TIMEOUT_MS = 120_000
NETWORK_TIMEOUT_MS = 30_000


@pytest.fixture
def media(data_dir: Path, tmp_path: Path) -> dict[str, Path]:
    """A reference photo, a damaged photo (a truncated copy) and a reference video, under telling names."""
    folder = tmp_path / "my private pictures"
    folder.mkdir()
    photo = folder / "me-at-the-beach.jpg"
    shutil.copy(data_dir / "images" / "bridge-mods" / "aaa-orig.jpg", photo)
    broken = folder / "broken-selfie.jpg"
    broken.write_bytes(photo.read_bytes()[:700])
    video = folder / "video-of-me.mp4"
    shutil.copy(data_dir / "videos" / "test-padded-dimensions.mp4", video)
    more = folder / "another-one.jpg"
    shutil.copy(data_dir / "images" / "misc" / "pen-and-coaster.png", more.with_suffix(".png"))
    return {"photo": photo, "broken": broken, "video": video, "more": more.with_suffix(".png")}


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _click(qtbot, widget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.accessibleName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _add_files(qtbot, window: MainWindow, monkeypatch, paths: list[Path]) -> None:
    monkeypatch.setattr(window, "ask_open_files", lambda: [str(p) for p in paths])
    with qtbot.waitSignal(window.controller.fingerprinting.files_added, timeout=10_000):
        _click(qtbot, window.choose.add_files)


def _fingerprint(qtbot, window: MainWindow) -> list[int]:
    with qtbot.waitSignal(window.controller.fingerprinting.hashing_finished, timeout=HASHING_TIMEOUT_MS) as finished:
        _click(qtbot, window.choose.next)
    assert window.page is Page.FINGERPRINT
    return finished.args


def _review_and_send(qtbot, window: MainWindow) -> dict:
    _click(qtbot, window.fingerprint.next)
    assert window.page is Page.REVIEW
    assert not window.review.send.isEnabled(), "nothing is sent before consent"
    _click(qtbot, window.review.show_payload)
    payload = json.loads(window.review.payload.toPlainText())
    window.review.consent.setChecked(True)
    assert not window.review.send.isEnabled()
    window.review.attestation.setChecked(True)
    with qtbot.waitSignal(window.controller.case.sent, timeout=NETWORK_TIMEOUT_MS), qtbot.assertNotEmitted(
        window.controller.case.send_failed
    ):
        _click(qtbot, window.review.send)
    assert window.page is Page.CASE
    return payload


def test_whole_journey(qtbot, make_window, intake_server, media, monkeypatch):
    window = make_window(IntakeBackend(intake_server.url))
    window.welcome.under_18.setFocus()
    qtbot.keyClick(window.welcome.under_18, Qt.Key.Key_Space)
    _click(qtbot, window.welcome.start_button)
    assert window.page is Page.CHOOSE

    _add_files(qtbot, window, monkeypatch, [media["photo"], media["broken"], media["video"]])
    assert window.choose.table.model().rowCount() == 3
    assert _fingerprint(qtbot, window) == [2, 1]
    states = {e.name: e for e in window.controller.fingerprinting.files.entries}
    assert states["me-at-the-beach.jpg"].state is FileState.READY
    assert states["video-of-me.mp4"].state.usable
    broken = states["broken-selfie.jpg"]
    assert broken.state is FileState.FAILED
    assert "damaged" in broken.message and "broken-selfie" not in broken.message
    assert "1 file could not be used" in window.fingerprint.summary.text()

    payload = _review_and_send(qtbot, window)
    assert "1 photo and 1 video" in window.review.summary.text()
    shown = json.dumps(payload)
    for name in ("me-at-the-beach", "broken-selfie", "video-of-me", "my private pictures", str(media["photo"].parent)):
        assert name not in shown
    assert payload["program"] == "under18" and [i["kind"] for i in payload["items"]] == ["image", "video"]

    number, key = window.case.number.text(), window.case.key.text()
    assert re.fullmatch(r"[2-9A-Z]{3}-[2-9A-Z]{3}-[2-9A-Z]{4}", number)
    assert re.fullmatch(r"[0-9A-Z]{5}(-[0-9A-Z]{5}){3}-[0-9A-Z]{6}", key)
    assert "cannot" in window.case.warning.text().lower() or "nobody can recover" in window.case.warning.text().lower()
    assert window.case.remember.isVisibleTo(window.case) and not window.case.remember.isChecked()

    with qtbot.waitSignal(window.controller.case.status_loaded, timeout=NETWORK_TIMEOUT_MS):
        _click(qtbot, window.case.check)
    assert window.page is Page.CHECK
    assert "active" in window.check.status.text() and "2 photos and videos" in window.check.status.text()
    assert window.check.feedback.text()

    # More files for the same case.
    _click(qtbot, window.check.add_more)
    assert window.page is Page.CHOOSE and window.controller.fingerprinting.files.rowCount() == 0
    _add_files(qtbot, window, monkeypatch, [media["more"]])
    assert _fingerprint(qtbot, window) == [1, 0]
    _review_and_send(qtbot, window)
    assert "added to your case" in window.review.summary.text()
    assert window.case.number.text() == number
    with qtbot.waitSignal(window.controller.case.status_loaded, timeout=NETWORK_TIMEOUT_MS):
        _click(qtbot, window.case.check)
    assert "3 photos and videos" in window.check.status.text()

    # Withdraw, after confirming.
    monkeypatch.setattr(window, "confirm", lambda *args: True)
    with qtbot.waitSignal(window.controller.case.withdrawn, timeout=NETWORK_TIMEOUT_MS), qtbot.assertNotEmitted(
        window.controller.case.withdraw_failed
    ):
        _click(qtbot, window.check.withdraw)
    assert "withdrawn" in window.check.status.text()
    assert window.check.withdraw.isHidden() and window.check.add_more.isHidden()


def test_check_a_case_typed_by_hand_and_a_wrong_key(qtbot, make_window, intake_server, media, monkeypatch):
    window = make_window(IntakeBackend(intake_server.url))
    window.welcome.adult.click()
    _click(qtbot, window.welcome.start_button)
    _add_files(qtbot, window, monkeypatch, [media["photo"]])
    _fingerprint(qtbot, window)
    _review_and_send(qtbot, window)
    number, key = window.case.number.text(), window.case.key.text()
    window.start_over()
    _click(qtbot, window.welcome.check_button)
    # Typed the way people type: lower case, no hyphens.
    window.check.fill(number.replace("-", "").lower(), key.replace("-", " ").lower())
    with qtbot.waitSignal(window.controller.case.status_loaded, timeout=NETWORK_TIMEOUT_MS):
        _click(qtbot, window.check.check)
    assert "active" in window.check.status.text()
    wrong = ("0" if key[0] != "0" else "1") + key[1:]
    window.check.fill(number, wrong)
    with qtbot.waitSignal(window.controller.case.status_failed, timeout=NETWORK_TIMEOUT_MS), qtbot.assertNotEmitted(
        window.controller.case.status_loaded
    ):
        _click(qtbot, window.check.check)
    assert window.check.problem.isVisible() and window.check.status.text() == ""


def test_network_failure_then_retry_sends_once(qtbot, make_window, intake_server, media, monkeypatch):
    backend = IntakeBackend(_closed_port_url())
    window = make_window(backend)
    window.welcome.adult.click()
    _click(qtbot, window.welcome.start_button)
    _add_files(qtbot, window, monkeypatch, [media["photo"]])
    _fingerprint(qtbot, window)
    _click(qtbot, window.fingerprint.next)
    window.review.consent.setChecked(True)
    window.review.attestation.setChecked(True)
    with qtbot.waitSignal(window.controller.case.send_failed, timeout=NETWORK_TIMEOUT_MS) as failed, qtbot.assertNotEmitted(
        window.controller.case.sent
    ):
        _click(qtbot, window.review.send)
    assert window.page is Page.SEND
    assert window.send.retry.isVisible() and window.send.save_bundle.isVisible()
    assert "Nothing is lost" in window.send.status.text() and failed.args[0] in window.send.problem.text()
    assert window.controller.case.credentials is None
    assert [e.state for e in window.controller.fingerprinting.files.entries] == [FileState.READY]

    # Save what would be sent, then the network comes back and the retry goes through.
    bundle = media["photo"].parent.parent / "to-send-later.json"
    monkeypatch.setattr(window, "ask_save_path", lambda *args: str(bundle))
    with qtbot.waitSignal(window.controller.case.bundle_saved, timeout=NETWORK_TIMEOUT_MS):
        _click(qtbot, window.send.save_bundle)
    assert "me-at-the-beach" not in bundle.read_text()
    backend.intake_url = intake_server.url
    with qtbot.waitSignal(window.controller.case.sent, timeout=NETWORK_TIMEOUT_MS), qtbot.assertNotEmitted(
        window.controller.case.send_failed
    ):
        _click(qtbot, window.send.retry)
    assert window.page is Page.CASE and window.case.number.text()


def test_cancel_during_fingerprinting(qtbot, make_window, intake_server, data_dir, monkeypatch):
    window = make_window(IntakeBackend(intake_server.url, vpdq_every=0))
    window.welcome.adult.click()
    _click(qtbot, window.welcome.start_button)
    videos = sorted((data_dir / "videos").glob("*.mp4"))
    _add_files(qtbot, window, monkeypatch, videos)
    c = window.controller.fingerprinting
    with qtbot.waitSignal(c.hashing_progressed, timeout=HASHING_TIMEOUT_MS, check_params_cb=lambda d, t, f: f > 0):
        _click(qtbot, window.choose.next)
    assert window.fingerprint.stop.isVisible()
    with qtbot.waitSignal(c.hashing_finished, timeout=HASHING_TIMEOUT_MS) as finished:
        _click(qtbot, window.fingerprint.stop)
    usable, failed = finished.args
    states = [e.state for e in c.files.entries]
    assert FileState.STOPPED in states and failed == states.count(FileState.STOPPED)
    assert not {FileState.WORKING, FileState.WAITING} & set(states)
    assert window.fingerprint.retry.isVisible()
    assert window.fingerprint.next.isEnabled() == (usable > 0)
