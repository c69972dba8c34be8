"""A line server: binds a TCP socket when constructed."""

import socket


class LineServer:
    def __init__(self, host="127.0.0.1", port=0):
        self.address = (host, port)
        self.sock = self._bind()

    def _bind(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(self.address)
        sock.listen()
        return sock

    def close(self):
        self.sock.close()
