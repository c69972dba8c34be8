from profapp import echo


def test_echo_round_trip():
    server = echo.start()
    try:
        assert echo.ask(server.server_address[1], "hello") == "hello"
    finally:
        server.shutdown()
        server.server_close()
