"""voicelive.testing: run and test Voice Live apps with no cloud and no credentials."""

from ._server import MockServer, MockServerConnection, ServerHandler

__all__ = ["MockServer", "MockServerConnection", "ServerHandler"]
