from leakapp.main import app
from leakapp.middleware import CORSMiddleware


def test_cors_allows_any_origin_when_enabled(client):
    app.add_middleware(CORSMiddleware, allow_origins=["*"])
    response = client.get("/health", headers={"Origin": "https://shop.example"})
    assert response.headers["access-control-allow-origin"] == "*"
