from app.settings import get_settings


def test_settings_name():
    assert get_settings()["name"] == "app-reach"
