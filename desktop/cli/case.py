"""``takeback submit``, ``status``, ``withdraw`` and ``bundle``: cases from the command line.

The case key never comes from the command line, where other users of the computer can see it (``ps``, shell
history): it comes from a hidden prompt or the ``TAKEBACK_CASE_KEY`` environment variable. Nothing is written
to disk except a bundle file the person names. Files that cannot be fingerprinted are reported one by one and
skipped; if none could be, nothing is sent.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from client_api import (
    CaseCredentials,
    CaseStatus,
    ClientError,
    IncompleteSubmission,
    IntakeClient,
    Item,
    Program,
    ServiceUnavailable,
    format_case_key,
    load_bundle,
    new_case_key,
    new_idempotency_key,
    normalise_case_number,
    save_bundle,
    status_to_json,
)
from client_api.bundle import MAX_BUNDLE_ITEMS

from ..about import __version__
from ..i18n import N_, _, ngettext, translate_error
from ..messages import describe_status
from ._terminal import STOPPED, printable

__all__ = ["add_parser"]

KEY_VARIABLE = "TAKEBACK_CASE_KEY"

_PROGRAM_HELP = N_(
    "which programme the photos and videos belong to: 'under18' if you were under 18 in any of them "
    "(NCMEC's Take It Down), 'adult' otherwise (StopNCII). Default: adult"
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    submit = subparsers.add_parser(
        "submit",
        help=_("fingerprint photos and videos and send only the fingerprints, opening a case"),
        description=_(
            "Fingerprint photos and videos on this computer and send only the fingerprints to the intake "
            "service. Prints a case number and a secret case key: keep both to check or withdraw the case."
        ),
    )
    _add_intake(submit)
    _add_program(submit)
    _add_json(submit)
    _add_remember(submit)
    _add_no_dihedral(submit)
    _add_paths(submit)
    submit.set_defaults(run=_run_submit)

    status = subparsers.add_parser(
        "status",
        help=_("show what has happened with a case"),
        description=_(
            "Show a case's state and what platforms reported. The case key is asked for (typing is "
            "hidden) unless the {variable} environment variable holds it."
        ).format(variable=KEY_VARIABLE),
    )
    _add_intake(status)
    status.add_argument("case_number", metavar="CASE_NUMBER")
    _add_json(status)
    status.set_defaults(run=_run_status)

    withdraw = subparsers.add_parser(
        "withdraw",
        help=_("withdraw a case: platforms are told to delete its fingerprints"),
        description=_(
            "Withdraw a case. Platforms are told to delete its fingerprints; this cannot be undone. "
            "The case key is asked for (typing is hidden) unless {variable} holds it."
        ).format(variable=KEY_VARIABLE),
    )
    _add_intake(withdraw)
    withdraw.add_argument("case_number", metavar="CASE_NUMBER")
    withdraw.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    _add_json(withdraw)
    withdraw.set_defaults(run=_run_withdraw)

    bundle = subparsers.add_parser(
        "bundle",
        help=_("save fingerprints to a file to send later or from another computer"),
        description=_(
            "Offline bundles: a file holding only fingerprints (no names, no pictures), for sending "
            "later, or from another computer."
        ),
    )
    actions = bundle.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)
    save = actions.add_parser("save", help=_("fingerprint files and save the fingerprints to OUT"))
    _add_program(save)
    _add_no_dihedral(save)
    save.add_argument("out", metavar="OUT", help=_("the file to write (it is replaced if it exists)"))
    _add_paths(save)
    save.set_defaults(run=_run_bundle_save)
    send = actions.add_parser("submit", help=_("send a saved bundle, opening a case"))
    _add_intake(send)
    _add_json(send)
    _add_remember(send)
    send.add_argument("file", metavar="FILE", help=_("a bundle written by 'takeback bundle save'"))
    send.set_defaults(run=_run_bundle_submit)


def _add_intake(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--intake", required=True, metavar="URL", help=_("the intake service's address (https://...)")
    )


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print one JSON object instead of text"))


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help=_("photos, videos, or folders of them"))


def _add_remember(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--remember",
        action="store_true",
        help=_(
            "also keep the case number and key in this computer's password store (keyring). Off by default: "
            "on a shared or watched computer, a remembered case can be found by others"
        ),
    )


def _add_program(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--program", choices=[p.value for p in Program], default=Program.ADULT.value, help=_(_PROGRAM_HELP)
    )


# -- fingerprinting ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Failure:
    path: str
    code: str
    message: str


def _add_no_dihedral(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-dihedral",
        action="store_true",
        help=_(
            "photos: leave out the fingerprints of the picture turned and mirrored (they are sent by default, "
            "so copies that were mirrored or turned are caught too)"
        ),
    )


def _fingerprint(paths: Sequence[str], err: TextIO, *, dihedral: bool = True) -> tuple[list[Item], list[_Failure]]:
    # Imported here: status and withdraw never need the decoders, and loading them takes a while.
    from hashing import HashingError, hash_file, iter_media_paths

    from ..fingerprints import to_item

    files = list(iter_media_paths(paths))
    items: list[Item] = []
    failures: list[_Failure] = []
    for number, path in enumerate(files, 1):
        print(_("Fingerprinting {number} of {total}…").format(number=number, total=len(files)), file=err, flush=True)
        try:
            result = hash_file(path, dihedral=dihedral)
        except HashingError as exc:
            failures.append(_Failure(printable(path), exc.code, str(exc)))
            print(_("Skipped {path}: {reason}").format(path=printable(path), reason=translate_error(exc)),
                  file=err, flush=True)
            continue
        items.append(to_item(result, dihedral=dihedral))
    return items, failures


# -- the key, from a hidden prompt or the environment ---------------------------------------------------------


def _read_key(stdin: TextIO, err: TextIO) -> str | None:
    from_env = os.environ.get(KEY_VARIABLE)
    if from_env:
        return from_env
    if stdin.isatty():
        return getpass.getpass(_("Case key (what you type is hidden): "), stream=err)
    # Piped in (echo ... | takeback status): still not on the command line.
    print(_("Case key: {key}").format(key=""), end="", file=err, flush=True)
    line = stdin.readline()
    print(file=err)  # what was piped in is not echoed, so end the prompt's line here
    return line.strip() or None


def _credentials(args: argparse.Namespace, err: TextIO) -> CaseCredentials | None:
    """The case's credentials, or ``None`` after telling the person what is wrong."""
    try:
        number = normalise_case_number(args.case_number)
        key = _read_key(sys.stdin, err)
        if not key:
            print(_("No case key was given. Type it when asked, or set {variable}.").format(variable=KEY_VARIABLE),
                  file=err)
            return None
        return CaseCredentials(number, key)
    except ClientError as exc:  # InvalidCaseNumber, InvalidCaseKey
        print(translate_error(exc), file=err)
        return None
    except (KeyboardInterrupt, EOFError):
        print("\n" + _("Stopped. Nothing was changed."), file=err)
        return None


# -- output ------------------------------------------------------------------------------------------------


def _print_case(credentials: CaseCredentials, sent: int, failures: list[_Failure], as_json: bool) -> None:
    if as_json:
        document = {
            "case_number": credentials.case_number,
            "case_key": credentials.case_key,
            "items": sent,
            "failed": [{"path": f.path, "code": f.code, "message": f.message} for f in failures],
        }
        print(json.dumps(document))
        return
    print(ngettext(
        "The fingerprints of {n} file were sent. Keep these two codes safe: you need both to check on your case "
        "or to withdraw it. The key is shown only this once and nobody can recover it for you.",
        "The fingerprints of {n} files were sent. Keep these two codes safe: you need both to check on your case "
        "or to withdraw it. The key is shown only this once and nobody can recover it for you.",
        sent,
    ).format(n=sent))
    print()
    print("  " + _("Case number: {number}").format(number=credentials.case_number))
    print("  " + _("Case key: {key}").format(key=format_case_key(credentials.case_key)))
    print()
    if failures:
        print(ngettext(
            "{n} file could not be fingerprinted and was not sent (see the messages above).",
            "{n} files could not be fingerprinted and were not sent (see the messages above).",
            len(failures),
        ).format(n=len(failures)))


def _report(exc: ClientError, err: TextIO) -> int:
    print(translate_error(exc), file=err)
    return 1


# -- commands ------------------------------------------------------------------------------------------------


def _connect(url: str) -> IntakeClient | None:
    """A client for ``url``, checked before any file is fingerprinted so a wrong address fails at once."""
    try:
        return IntakeClient(url, client_version=__version__)
    except ClientError as exc:  # InsecureConnection, InvalidServiceAddress
        print(translate_error(exc), file=sys.stderr)
        return None


def _remember(credentials: CaseCredentials) -> bool:
    from client_api import keystore  # only when asked

    try:
        keystore.remember(credentials)
    except ClientError as exc:
        print(translate_error(exc), file=sys.stderr)
        return False
    print(_("The case number and key are also kept in this computer's password store."), file=sys.stderr)
    return True


def _open_case(
    client: IntakeClient,
    program: Program,
    items: list[Item],
    failures: list[_Failure],
    *,
    as_json: bool,
    remember: bool,
) -> int:
    case_key = new_case_key()
    try:
        with client:
            status = client.create_case(program, items, case_key=case_key, idempotency_key=new_idempotency_key())
    except IncompleteSubmission as exc:
        # The case exists: the person must get its number and key even though some fingerprints are unsent.
        _print_case(exc.credentials, exc.sent, failures, as_json)
        print(translate_error(exc), file=sys.stderr)
        if remember:
            _remember(exc.credentials)
        return 1
    except ServiceUnavailable as exc:
        print(translate_error(exc), file=sys.stderr)
        print(_("To send them later or from another computer, save them with 'takeback bundle save'."),
              file=sys.stderr)
        return 1
    except ClientError as exc:
        return _report(exc, sys.stderr)
    except KeyboardInterrupt:
        print("\n" + _("Stopped while sending. No case number was received, so start again to get one; "
                       "the photos and videos on this computer are unchanged."), file=sys.stderr)
        return STOPPED
    credentials = CaseCredentials(status.case_number, case_key)
    _print_case(credentials, len(items), failures, as_json)
    remembered = _remember(credentials) if remember else True
    return 1 if failures or not remembered else 0


def _hash_or_stop(paths: Sequence[str], *, dihedral: bool = True) -> tuple[list[Item], list[_Failure]] | int:
    """The items and failures, or the exit status when there is nothing to send."""
    try:
        items, failures = _fingerprint(paths, sys.stderr, dihedral=dihedral)
    except KeyboardInterrupt:
        print("\n" + _("Stopped. Nothing was sent or saved."), file=sys.stderr)
        return STOPPED
    if not items:
        print(_("None of these files could be fingerprinted, so nothing was sent or saved."), file=sys.stderr)
        return 1
    return items, failures


def _run_submit(args: argparse.Namespace) -> int:
    client = _connect(args.intake)
    if client is None:
        return 1
    hashed = _hash_or_stop(args.paths, dihedral=not args.no_dihedral)
    if isinstance(hashed, int):
        client.close()
        return hashed
    items, failures = hashed
    return _open_case(client, Program(args.program), items, failures, as_json=args.json, remember=args.remember)


def _run_bundle_save(args: argparse.Namespace) -> int:
    hashed = _hash_or_stop(args.paths, dihedral=not args.no_dihedral)
    if isinstance(hashed, int):
        return hashed
    items, failures = hashed
    if len(items) > MAX_BUNDLE_ITEMS:
        print(_("One fingerprint file holds at most {limit} files' fingerprints, and these are {count}. Nothing "
                "was saved. Save them in smaller groups, for example one folder at a time.").format(
                    limit=f"{MAX_BUNDLE_ITEMS:,}", count=f"{len(items):,}"), file=sys.stderr)
        return 1
    try:
        save_bundle(args.out, Program(args.program), items)
    except ClientError as exc:
        return _report(exc, sys.stderr)
    out = printable(args.out)
    print(ngettext(
        "The fingerprints of {n} file were saved to {path}. It holds only fingerprints: no names or pictures.",
        "The fingerprints of {n} files were saved to {path}. It holds only fingerprints: no names or pictures.",
        len(items),
    ).format(n=len(items), path=out))
    print(_("To send them: {command}").format(command=f"takeback bundle submit --intake URL {out}"))
    return 1 if failures else 0


def _run_bundle_submit(args: argparse.Namespace) -> int:
    client = _connect(args.intake)
    if client is None:
        return 1
    try:
        bundle = load_bundle(args.file)
    except ClientError as exc:
        client.close()
        return _report(exc, sys.stderr)
    return _open_case(client, bundle.program, list(bundle.items), [], as_json=args.json, remember=args.remember)


def _with_case(args: argparse.Namespace, call: Callable[[IntakeClient, CaseCredentials], CaseStatus],
               confirm: Callable[[CaseCredentials], bool] | None = None) -> int:
    client = _connect(args.intake)
    if client is None:
        return 1
    with client:
        credentials = _credentials(args, sys.stderr)
        if credentials is None:
            return 1
        if confirm is not None and not confirm(credentials):
            print(_("Nothing was changed."), file=sys.stderr)
            return 1
        try:
            status = call(client, credentials)
        except ClientError as exc:
            return _report(exc, sys.stderr)
        except KeyboardInterrupt:
            print("\n" + _("Stopped. Run the command again to see whether anything changed."), file=sys.stderr)
            return STOPPED
    if args.json:
        print(json.dumps(status_to_json(status)))
    else:
        text = describe_status(status)
        print(_("Case {number}").format(number=status.case_number))
        for line in (text.summary, text.dates, *text.feedback):
            print(line)
    return 0


def _run_status(args: argparse.Namespace) -> int:
    return _with_case(args, lambda client, credentials: client.status(credentials))


def _confirm_withdrawal(credentials: CaseCredentials) -> bool:
    print(
        _("Withdraw case {number}? Platforms will be told to delete its fingerprints, and this cannot be "
          "undone.").format(number=credentials.case_number),
        file=sys.stderr,
    )
    # Translators: the word the person types to confirm; "yes" and "y" are always accepted too.
    yes = _("yes")
    print(_("Type {yes} to withdraw: ").format(yes=yes), end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    if not sys.stdin.isatty():
        print(file=sys.stderr)
    return answer.strip().casefold() in {"yes", "y", yes.casefold()}


def _run_withdraw(args: argparse.Namespace) -> int:
    return _with_case(
        args, lambda client, credentials: client.withdraw(credentials),
        confirm=None if args.yes else _confirm_withdrawal,
    )
