"""The connection layer (intake/connections.py) on an ordinary connection; slow and idle sockets are in
test_slow_clients.py, which the quick loop leaves out."""

from __future__ import annotations

import socket

import httpx

from intake import ServerHandle


def test_answers_leave_without_waiting_for_the_clients_acknowledgement(server: ServerHandle,
                                                                       client: httpx.Client) -> None:
    """Every accepted connection has TCP_NODELAY. Without it Nagle's algorithm held each answer's body until
    the client acknowledged its headers, which a client delays by about 40 ms: every request on loopback took
    about 45 ms, where it now takes one or two."""
    assert client.get("/healthz").status_code == 200  # the connection stays open (keep-alive)
    connections = server._server.server_state.connections  # noqa: SLF001 - the server's own open connections
    sockets = [protocol.transport.get_extra_info("socket") for protocol in connections]
    assert sockets
    assert all(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for sock in sockets)
