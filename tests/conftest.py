import os
import socket

import pytest

os.environ.setdefault("AIGC_TL_MODE", "quick")


class NetworkBlocked(RuntimeError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    "Make every attempt to open a network connection fail loudly (quick mode must never need one)."
    def refuse(*args, **kwargs):
        raise NetworkBlocked(f"network access attempted: {args[:2]}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield


@pytest.fixture
def fresh_home(tmp_path, monkeypatch):
    "An empty AIGC_TL_HOME (cache) for the duration of a test."
    monkeypatch.setenv("AIGC_TL_HOME", str(tmp_path / "home"))
    return tmp_path / "home"
