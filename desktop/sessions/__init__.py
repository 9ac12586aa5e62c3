"""The two halves of one person's journey: fingerprinting their files, and the case those fingerprints go to."""

from .base import Session
from .case import CaseFile, CaseSession, Mode
from .fingerprinting import FingerprintingSession, ReviewSummary

__all__ = ["CaseFile", "CaseSession", "FingerprintingSession", "Mode", "ReviewSummary", "Session"]
