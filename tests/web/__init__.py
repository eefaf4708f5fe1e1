"""HTTP tests of the web UI, and the clients the web and API tests share."""
from tests.conftest import DEMO_PASSWORD, Browser


def fresh_client(app):
    """A new cookie jar; each of its requests runs in its own app context (conftest)."""
    return app.test_client()


def logged_in(app, username: str, password: str = DEMO_PASSWORD) -> Browser:
    """A browser session of ``username`` (CSRF token carried like a form would)."""
    browser = Browser(fresh_client(app))
    response = browser.login(username, password)
    assert response.status_code == 302, f"{username} could not log in"
    return browser


class ApiUser:
    """A JSON API client holding the bearer token of one user."""

    def __init__(self, app, username: str | None = None, password: str = DEMO_PASSWORD):
        self.client = fresh_client(app)
        self.headers: dict[str, str] = {}
        if username is not None:
            response = self.client.post("/api/v1/auth/token",
                                        json={"username": username, "password": password})
            assert response.status_code == 200, response.get_json()
            self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}

    def get(self, path, **kwargs):
        return self.client.get(path, headers={**self.headers, **kwargs.pop("headers", {})},
                               **kwargs)

    def post(self, path, **kwargs):
        return self.client.post(path, headers={**self.headers, **kwargs.pop("headers", {})},
                                **kwargs)

    def case(self, case_id: int) -> dict:
        response = self.get(f"/api/v1/cases/{case_id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def act(self, case_id: int, action: str, body: dict, version: int | None):
        headers = {} if version is None else {"If-Match": f'"{version}"'}
        return self.post(f"/api/v1/cases/{case_id}/actions/{action}", json=body,
                         headers=headers)
