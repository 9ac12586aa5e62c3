"""Reads the running app through AT-SPI, as Orca does: run with the system Python that has ``pyatspi``.

    atspi_reader.py PYTHON -- ARGS...   starts ``PYTHON -m desktop ARGS`` and prints what it finds

Started by ``test_atspi.py`` inside ``dbus-run-session`` and ``xvfb-run``, so the app, the accessibility
bus and this reader share one throw-away session. Prints one ``role<TAB>name`` line per accessible object
of the app's window, then ``FOUND`` lines for the three things a screen-reader user must hear first, and
exits 0 only when all three were found. Then it presses "I already have a case: check it" and "Check" with
the fields empty, through AT-SPI actions as a screen reader's user would, and prints the announcement the app
makes (``ANNOUNCED ...``), which is what Orca speaks without moving focus.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pyatspi

WANTED = {
    "heading": ("label", "Take back control of your photos and videos"),
    "age question": ("panel", "How old were you in these photos or videos?"),
    "quick exit": ("push button", "Quick exit"),
}


def walk(node, depth=0, out=None):
    out = [] if out is None else out
    try:
        out.append((node.getRoleName(), node.name or "", depth))
        for child in node:
            if child is not None:
                walk(child, depth + 1, out)
    except Exception:  # an object that went away while we read it
        pass
    return out


def find_app(deadline: float):
    while time.monotonic() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            if app is not None and (app.name or "").lower() in ("takeback", "python3", "python"):
                if app.childCount:
                    return app
        time.sleep(0.3)
    return None


def press(app, name: str) -> bool:
    """Presses the push button called ``name`` through its AT-SPI action."""
    def matches(node) -> bool:
        return node.getRoleName() == "push button" and node.name == name
    button = pyatspi.findDescendant(app, matches)
    if button is None:
        return False
    button.queryAction().doAction(0)
    return True


def hear_announcement(app, buttons: list[str], seconds: float = 8.0) -> list[str]:
    """Presses ``buttons`` in turn and returns what the app announced meanwhile."""
    from gi.repository import GLib

    heard: list[str] = []

    def on_event(event) -> None:
        if event.any_data:
            heard.append(str(event.any_data))
            pyatspi.Registry.stop()

    pyatspi.Registry.registerEventListener(on_event, "object:announcement")

    def act() -> bool:
        for name in buttons:
            press(app, name)
            time.sleep(0.3)
        return False

    GLib.timeout_add(300, act)
    GLib.timeout_add(int(seconds * 1000), lambda: pyatspi.Registry.stop() or False)
    pyatspi.Registry.start()
    pyatspi.Registry.deregisterEventListener(on_event, "object:announcement")
    return heard


def main() -> int:
    python, args = sys.argv[1], sys.argv[sys.argv.index("--") + 1:]
    env = dict(os.environ, QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1", QT_QPA_PLATFORM="xcb", QT_ACCESSIBILITY="1")
    app_process = subprocess.Popen([python, "-m", "desktop", *args], env=env)
    try:
        app = find_app(time.monotonic() + 40)
        if app is None:
            print("NOT FOUND: the app never appeared on the accessibility bus")
            return 1
        deadline, found = time.monotonic() + 20, {}
        while time.monotonic() < deadline and len(found) < len(WANTED):
            nodes = walk(app)
            for key, (role, name) in WANTED.items():
                if any(r == role and n == name for r, n, _ in nodes):
                    found[key] = (role, name)
            time.sleep(0.3)
        for role, name, depth in nodes:
            if name:
                print(f"{'  ' * depth}{role}\t{name}")
        for key, (role, name) in found.items():
            print(f"FOUND {key}: {role} \"{name}\"")
        missing = sorted(set(WANTED) - set(found))
        if missing:
            print(f"MISSING: {', '.join(missing)}")
        combo = pyatspi.findDescendant(app, lambda node: node.getRoleName() == "combo box")
        if combo is not None:
            labels = [
                relation.getTarget(i).name
                for relation in combo.getRelationSet()
                if relation.getRelationType() == pyatspi.RELATION_LABELLED_BY
                for i in range(relation.getNTargets())
            ]
            print(f"FOUND language menu: combo box \"{combo.name}\" labelled by {labels}")
        for text in hear_announcement(app, ["I already have a case: check it", "Check"]):
            print(f"ANNOUNCED {text}")
        return 0 if not missing else 1
    finally:
        app_process.terminate()
        try:
            app_process.wait(10)
        except subprocess.TimeoutExpired:
            app_process.kill()


if __name__ == "__main__":
    sys.exit(main())
