"""The app's name and version: the one place packaging, the client and the UI read them from."""

APP_NAME = "Takeback"
APP_ID = "takeback"
__version__ = "0.1.0"
