"""notifications (unit)."""

from medapp import services


def send_email(to, subject):
    return (to, subject)


def test_local_stub():
    assert send_email("a@example.com", "hi") == ("a@example.com", "hi")


def test_real_sender_refuses():
    import pytest

    with pytest.raises(RuntimeError):
        services.send_email("a", "b")
