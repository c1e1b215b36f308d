def test_the_favicon_is_no_content_cached_for_a_day(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 204
    assert response.content == b""
    assert "max-age=86400" in response["Cache-Control"]


def test_the_favicon_refuses_writes(client):
    assert client.post("/favicon.ico").status_code == 405
