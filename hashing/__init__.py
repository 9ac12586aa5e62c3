"""Fingerprints of photos and videos, computed on this computer (filled in as the package grows)."""
