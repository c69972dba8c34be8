"""A line echo server and its client, on 127.0.0.1."""

from __future__ import annotations

import socket
import socketserver
import threading


class _Echo(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.wfile.write(self.rfile.readline())


def start() -> socketserver.TCPServer:
    server = socketserver.TCPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def ask(port: int, text: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(text.encode() + b"\n")
        return connection.makefile().readline().strip()
