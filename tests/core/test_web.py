"""What every page shares: error pages not cached, cookies, redirects that stay home."""

from __future__ import annotations

import pytest

from survey import create_app


def test_every_error_page_is_not_cached(app, respondent):
    person = respondent("families")
    cases = {
        404: person.client.get("/nowhere"),
        405: person.client.delete(f"/s/{person.token}"),
        400: person.client.post(f"/s/{person.token}/start"),  # no CSRF token
        413: person.client.post(f"/s/{person.token}/1", data={"x": "y" * 300_000}),
    }
    for status, response in cases.items():
        assert response.status_code == status
        assert response.headers["Cache-Control"] == "no-store", status
        assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/s//{token}", "//s/{token}", "/s//{token}/1", "//evil.example/s/{token}"]
)
def test_no_redirect_leaves_the_site_whatever_the_host_header(app, links, path):
    client = app.test_client()
    response = client.get(path.format(token=links["families"]), headers={"Host": "evil.example"})
    location = response.headers.get("Location", "")
    assert "evil.example" not in location
    assert not location.startswith("//")
    assert response.status_code in (200, 404)


def test_the_session_cookie_is_secure_when_configured(database_url, links, tmp_path):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "t", "SECURE_COOKIES": True})
    person = app.test_client()
    person.get(f"/s/{links['families']}")
    cookie = person.get_cookie("mitwirken")
    assert cookie is not None and cookie.secure and cookie.http_only
    app.extensions["survey_db"].engine.dispose()


def test_behind_a_proxy_the_scheme_and_client_come_from_it_but_never_the_host(database_url, links):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "t", "PROXY_FIX": 1})
    seen = {}

    @app.get("/_probe")
    def _probe():
        from flask import request

        seen.update(addr=request.remote_addr, scheme=request.scheme, host=request.host)
        return "ok"

    app.test_client().get(
        "/_probe",
        headers={
            "X-Forwarded-For": "198.51.100.7",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "evil.example",
            "Host": "survey.example",
        },
    )
    assert seen == {"addr": "198.51.100.7", "scheme": "https", "host": "survey.example"}
    app.extensions["survey_db"].engine.dispose()
