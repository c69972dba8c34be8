def test_registers_through_the_app(client):
    response = client.post("/users", body=" Ada ")
    assert response.status == 200
    assert client.get("/users/count").body == 1


def test_mocked_client(mocked_client):
    assert mocked_client.get("/users/count").status == 200
