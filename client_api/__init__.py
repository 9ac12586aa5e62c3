"""Talks to the intake service: cases, status, withdrawal, offline bundles. No Qt."""
