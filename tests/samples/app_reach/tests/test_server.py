from app.server import LineServer


def test_server_binds_a_port():
    server = LineServer()
    try:
        assert server.sock.getsockname()[1] > 0
    finally:
        server.close()
