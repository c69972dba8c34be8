from unittest import mock

from profapp import echo


def test_gateway_is_mocked():
    with mock.patch.object(echo, "ask", return_value="pong"):
        assert echo.ask(9, "ping") == "pong"
