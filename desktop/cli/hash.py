"""``takeback hash``: fingerprint photos and videos on this computer and print the fingerprints.

Nothing is sent anywhere and nothing is written to disk unless ``--tmk-dir`` asks for it. With ``--json`` each
file gets one JSON object on its own line, in the order given, printed as soon as that file is done:

- photo: ``{"path", "kind": "image", "md5", "sha256", "pdq": [{"hash", "quality", "orientation"}],
  "pdq_dihedral": [{"transform", "hash", "quality"}], "phash", "warnings"}``, plus ``"vpdq"`` (as for videos)
  when the photo is an animation. ``pdq_dihedral`` is the displayed picture's PDQ turned or mirrored, what a
  platform computes on such a copy; ``transform`` is one of ``rotate90`` (a quarter turn anticlockwise),
  ``rotate180``, ``rotate270``, ``flip_horizontal`` (mirrored left to right), ``flip_vertical``,
  ``transpose`` and ``transverse`` (mirrored across a diagonal), as Pillow's ``Image.Transpose`` names them;
- video: ``{"path", "kind": "video", "md5", "sha256", "duration_s", "frame_count",
  "vpdq": [{"frame", "timestamp", "quality", "hash"}], "warnings"}``, plus ``"tmk"`` (base64) when computed;
- failure: ``{"path", "kind": "error", "code", "message"}``.

``warnings`` is a list of ``{"code", "message"}``. Exit status: 0 when every file was fingerprinted, 1 when
any could not be (the others are still printed), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # hashing loads numpy and Pillow: only ``run`` needs it, not every ``takeback`` command
    from hashing import HashingError, ImageFingerprints, VideoFingerprints, VpdqFrame

from ..i18n import _, ngettext, translate_error
from ._terminal import STOPPED, printable

__all__ = ["add_parser", "fingerprint_record", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "hash",
        help=_("fingerprint photos and videos (nothing is sent)"),
        description=_(
            "Compute the fingerprints of photos and videos on this computer and print them. "
            "Folders are searched for photos and videos. Nothing is sent anywhere."
        ),
    )
    parser.add_argument("--json", action="store_true", help=_("print one JSON object per file, one per line"))
    parser.add_argument(
        "--vpdq-every",
        type=_seconds,
        default=1.0,
        metavar="SECONDS",
        help=_("videos: seconds between fingerprinted frames; 0 fingerprints every frame (default: 1)"),
    )
    parser.add_argument("--no-tmk", action="store_true", help=_("videos: skip the TMK+PDQF fingerprint"))
    parser.add_argument(
        "--tmk-dir", type=Path, metavar="DIR", help=_("videos: also save each TMK fingerprint as DIR/NAME.tmk")
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help=_("photo, video or folder"))
    parser.set_defaults(run=run, _parser=parser)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a number of seconds: {text}").format(text=repr(text))) from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(_("must be 0 or more seconds, got {text}").format(text=repr(text)))
    return value


def run(args: argparse.Namespace) -> int:
    from hashing import HashingError, VideoFingerprints, hash_file, iter_media_paths

    if args.tmk_dir is not None:
        if args.no_tmk:
            args._parser.error(_("--tmk-dir needs the TMK fingerprint; leave out --no-tmk"))
        try:
            args.tmk_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            args._parser.error(_("cannot use {folder} for TMK files: {reason}").format(
                folder=printable(args.tmk_dir), reason=exc.strerror or exc))
    show_progress = not args.json and sys.stderr.isatty()
    report = _JsonReport(sys.stdout) if args.json else _TableReport(sys.stdout)
    tmk_files = _TmkFiles(args.tmk_dir) if args.tmk_dir is not None else None
    progress = _ProgressLine(sys.stderr) if show_progress else None
    failed = done = unsaved = 0
    try:
        for number, path in enumerate(iter_media_paths(args.paths), start=1):
            if progress is not None:
                progress.start(number)
            try:
                result = hash_file(
                    path,
                    vpdq_every=args.vpdq_every,
                    tmk=not args.no_tmk,
                    progress=progress.update if progress is not None else None,
                )
            except HashingError as error:
                failed += 1
                if progress is not None:
                    progress.clear()
                report.failure(path, error)
                continue
            done += 1
            if progress is not None:
                progress.clear()
            report.success(path, result)
            if tmk_files is not None and isinstance(result, VideoFingerprints) and result.tmk is not None:
                try:
                    tmk_files.save(path, result.tmk.to_bytes())
                except OSError as exc:
                    unsaved += 1
                    print(_("Could not save a TMK file in {folder}: {reason}").format(
                        folder=printable(args.tmk_dir), reason=exc.strerror or exc), file=sys.stderr)
    except KeyboardInterrupt:
        if progress is not None:
            progress.clear()
        print(_("Stopped. Nothing was sent."), file=sys.stderr)
        return STOPPED
    report.finish(done, failed)
    if done + failed == 0:
        print(_("No photos or videos were found there."), file=sys.stderr)
        return 1
    return 1 if failed or unsaved else 0


def fingerprint_record(path: Path, result: ImageFingerprints | VideoFingerprints) -> dict[str, Any]:
    """The JSON object ``takeback hash --json`` prints for one fingerprinted file."""
    from hashing import ImageFingerprints

    record: dict[str, Any] = {"path": printable(path), "kind": result.kind.value, "md5": result.md5,
                              "sha256": result.sha256}
    if isinstance(result, ImageFingerprints):
        record["pdq"] = [
            {"hash": pdq.hash.hex, "quality": pdq.hash.quality, "orientation": pdq.orientation.value}
            for pdq in result.pdq
        ]
        record["pdq_dihedral"] = [
            {"transform": item.transform.value, "hash": item.hash.hex, "quality": item.hash.quality}
            for item in result.dihedral
        ]
        record["phash"] = result.phash
        if result.vpdq:
            record["vpdq"] = [_frame(frame) for frame in result.vpdq]
    else:
        record["duration_s"] = result.duration_s
        record["frame_count"] = result.frame_count
        record["vpdq"] = [_frame(frame) for frame in result.vpdq]
        if result.tmk is not None:
            record["tmk"] = base64.b64encode(result.tmk.to_bytes()).decode("ascii")
    record["warnings"] = [{"code": warning.code.value, "message": warning.message} for warning in result.warnings]
    return record


def _frame(frame: VpdqFrame) -> dict[str, Any]:
    return {"frame": frame.frame, "timestamp": frame.timestamp, "quality": frame.quality, "hash": frame.hash.hex}


class _JsonReport:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def success(self, path: Path, result: ImageFingerprints | VideoFingerprints) -> None:
        self._line(fingerprint_record(path, result))

    def failure(self, path: Path, error: HashingError) -> None:
        self._line({"path": printable(path), "kind": "error", "code": error.code, "message": error.message})

    def finish(self, done: int, failed: int) -> None:
        pass

    def _line(self, record: dict[str, Any]) -> None:
        self.out.write(json.dumps(record) + "\n")
        self.out.flush()


class _TableReport:
    """One row per file: what it is, how good its fingerprint is, the fingerprint itself, and the file."""

    _ROW = "{status:<7} {kind:<6} {quality:>7}  {fingerprint:<64}  {path}"

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._header_done = False

    def success(self, path: Path, result: ImageFingerprints | VideoFingerprints) -> None:
        from hashing import ImageFingerprints

        if isinstance(result, ImageFingerprints):
            first = result.pdq[0].hash
            quality, fingerprint = str(first.quality), first.hex
            extras = [_("also as stored (rotation ignored): {hash}").format(hash=pdq.hash.hex) for pdq in result.pdq[1:]]
            if result.vpdq:
                extras.append(ngettext("animation: {n} frame fingerprinted", "animation: {n} frames fingerprinted",
                                       len(result.vpdq)).format(n=len(result.vpdq)))
        else:
            qualities = [frame.quality for frame in result.vpdq]
            quality = f"{round(sum(qualities) / len(qualities))}" if qualities else "-"
            fingerprint = ngettext(
                "{n} frame fingerprint over {seconds} s", "{n} frame fingerprints over {seconds} s", len(result.vpdq)
            ).format(n=len(result.vpdq), seconds=f"{result.duration_s:.1f}")
            extras = [_("TMK+PDQF fingerprint computed")] if result.tmk is not None else []
        self._row("ok", result.kind.value, quality, fingerprint, path)
        for line in extras:
            self._note(line)
        for warning in result.warnings:
            self._note(_("note: {message}").format(message=translate_error(warning)))

    def failure(self, path: Path, error: HashingError) -> None:
        self._row("FAILED", "-", "-", f"({error.code})", path)
        self._note(translate_error(error))

    def finish(self, done: int, failed: int) -> None:
        if done + failed:
            if failed:
                summary = _("{done} fingerprinted, {failed} could not be. Nothing was sent.")
            else:
                summary = _("{done} fingerprinted. Nothing was sent.")
            self.out.write(f"\n{summary.format(done=done, failed=failed)}\n")
            self.out.flush()

    def _row(self, status: str, kind: str, quality: str, fingerprint: str, path: Path) -> None:
        if not self._header_done:
            self.out.write(self._ROW.format(status="STATUS", kind="KIND", quality="QUALITY",
                                            fingerprint="FINGERPRINT (PDQ)", path="FILE") + "\n")
            self._header_done = True
        self.out.write(self._ROW.format(status=status, kind=kind, quality=quality, fingerprint=fingerprint,
                                        path=printable(path)) + "\n")
        self.out.flush()

    def _note(self, text: str) -> None:
        self.out.write(f"{'':<23}{text}\n")
        self.out.flush()


class _TmkFiles:
    """Writes ``DIR/NAME.tmk``; two videos with the same name in one run get ``NAME-2.tmk`` and so on."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._used: set[str] = set()

    def save(self, video: Path, data: bytes) -> None:
        name, number = video.stem or "video", 1
        while (candidate := name if number == 1 else f"{name}-{number}") in self._used:
            number += 1
        self._used.add(candidate)
        (self.folder / f"{candidate}.tmk").write_bytes(data)


class _ProgressLine:
    """``Fingerprinting file 3: 45%`` on a terminal's stderr, redrawn at most ten times a second."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self._lock = threading.Lock()
        self._number = 0
        self._last = 0.0

    def start(self, number: int) -> None:
        self._number = number
        self._last = 0.0
        self.update(0.0)

    def update(self, fraction: float) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last < 0.1 and fraction < 1.0:
                return
            self._last = now
            self.err.write("\r" + _("Fingerprinting file {number}: {percent}").format(
                number=self._number, percent=f"{fraction:4.0%}"))
            self.err.flush()

    def clear(self) -> None:
        with self._lock:
            self.err.write("\r\033[K")
            self.err.flush()
