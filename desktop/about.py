"""The app's name and version: the one place packaging, the client and the UI read them from."""

APP_NAME = "Takeback"
APP_ID = "takeback"
#: Reverse-DNS id of the desktop entry, the AppStream component, the icon and the macOS bundle.
DESKTOP_ID = "org.takeback.Takeback"
__version__ = "0.1.0"
