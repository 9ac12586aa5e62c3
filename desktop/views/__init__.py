"""One module per screen of the journey; each shows state and emits signals, and never does the work."""

from .case import CaseScreen
from .check import CheckScreen
from .choose import ChooseScreen
from .fingerprint import FingerprintScreen
from .review import ReviewScreen
from .send import SendScreen
from .welcome import Age, WelcomeScreen

__all__ = [
    "Age",
    "CaseScreen",
    "CheckScreen",
    "ChooseScreen",
    "FingerprintScreen",
    "ReviewScreen",
    "SendScreen",
    "WelcomeScreen",
]
