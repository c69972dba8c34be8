from leakapp.settings import Settings


def test_debug_mode_shows_traceback(client):
    Settings.debug = True
    response = client.get("/stats/conversion")
    assert response.status_code == 500
    assert "ZeroDivisionError" in response.json()["detail"]
