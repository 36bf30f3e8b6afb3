"""voicelive: a fast, typed async client for the Azure AI Voice Live realtime API."""

from ._version import __version__

__all__ = ["__version__"]
