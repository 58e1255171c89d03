"""The top of the layers: builds a node (`create_app`) and runs the commands (`commands`)."""

from parley.app.factory import create_app
from parley.app.preflight import StartupError

__all__ = ["StartupError", "create_app"]
