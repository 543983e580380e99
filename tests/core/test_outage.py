"""The database away: a friendly page in the respondent's language, quickly, with
what they typed still in the form; never Werkzeug's "Internal Server Error"."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time

import pytest
from conftest import FIXTURE_QUESTIONNAIRES, Respondent, unused_port

from survey import create_app
from survey.config import Defaults


@contextlib.contextmanager
def silent_server():
    """Accepts connections and never says a word (a database server that hangs); yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def outage_app(port: int):
    return create_app(
        {
            "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{port}/none",
            "SECRET_KEY": "test",
            "QUESTIONNAIRE_DIR": FIXTURE_QUESTIONNAIRES,
            "TRANSLATIONS_DIR": Defaults.TRANSLATIONS_DIR,
            "DB_CONNECT_TIMEOUT": 2,
        }
    )


def assert_outage_page(response, language: str = "de") -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:300]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Retry-After"] == "60"
    assert f'lang="{language}"' in html
    assert "Internal Server Error" not in html and "Traceback" not in html
    return html


@pytest.mark.parametrize("hanging", [False, True], ids=["refused", "hanging"])
def test_every_page_answers_503_in_the_visitors_language(hanging):
    with silent_server() if hanging else contextlib.nullcontext(unused_port()) as port:
        app = outage_app(port)
        client = app.test_client()
        assert_outage_page(client.get("/s/sometoken"))  # the first also loads the catalogs
        started = time.monotonic()
        html = assert_outage_page(client.get("/s/othertoken"))
        waited = time.monotonic() - started
        assert "Bitte versuchen Sie es in einer Minute noch einmal" in html
        assert waited < (4 if hanging else 1), waited
        arabic = client.get("/s/sometoken", headers={"Accept-Language": "ar"})
        assert "Bitte versuchen" not in assert_outage_page(arabic, "ar")
    app.extensions["survey_db"].engine.dispose()


def test_a_step_sent_while_the_database_is_away_comes_back_filled_in(app, links):
    # The respondent answered page 1 while the database was there…
    person = Respondent(app.test_client(), links["families"])
    person.start()
    person.open("/1")
    cookie = person.client.get_cookie("mitwirken").value
    # …then it goes away (same process, so it knows which questionnaire the link has).
    away = outage_app(unused_port())
    client = away.test_client()
    client.set_cookie("mitwirken", cookie)
    posted = {
        "welcome": "4",
        "info_channel": ["1", "98"],
        "info_channel_other": "beim Bäcker",
        "info_enough": "0",
        "csrf_token": person.csrf,
        "action": "next",
    }
    html = assert_outage_page(client.post(f"/s/{person.token}/1", data=posted))
    assert "Was Sie eingegeben haben, steht noch da" in html
    assert re.search(r'name="welcome" value="4" checked', html)
    assert re.search(r'name="info_channel" value="98" checked', html)
    assert 'value="beim Bäcker"' in html
    assert f'action="/s/{person.token}/1"' in html  # sent again to the same place
    # A post elsewhere (start) can be sent again as it was.
    html = assert_outage_page(
        client.post(f"/s/{person.token}/start", data={"csrf_token": person.csrf})
    )
    assert "Noch einmal senden" in html and 'name="csrf_token"' in html
    away.extensions["survey_db"].engine.dispose()


def test_the_outage_is_logged_without_token_or_address(links, caplog):
    app = outage_app(unused_port())
    app.test_client().get(f"/s/{links['families']}", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "database unavailable on /s/<token> [GET]: OperationalError" in logged
    assert links["families"] not in logged and "203.0.113.9" not in logged
    app.extensions["survey_db"].engine.dispose()


class Proxy:
    """A TCP proxy to the test database that can be cut and restored."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.listener: socket.socket | None = None
        self.conns: list[socket.socket] = []

    def up(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def down(self) -> None:
        assert self.listener is not None
        with contextlib.suppress(OSError):  # wakes the accept() blocked in its thread
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self.conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client = listener.accept()[0]
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def test_the_app_recovers_by_itself_when_the_database_is_back(database_url, links):
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a database server to cut off: PostgreSQL only")
    port = unused_port()
    proxy = Proxy(port, (url.host or "127.0.0.1", url.port or 5432))
    proxy.up()
    app = create_app(
        {
            "DATABASE_URL": url.set(host="127.0.0.1", port=port).render_as_string(False),
            "SECRET_KEY": "test",
            "QUESTIONNAIRE_DIR": FIXTURE_QUESTIONNAIRES,
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    try:
        assert client.get(f"/s/{links['families']}").status_code == 200
        proxy.down()  # the database goes away, pooled connections with it
        assert client.get(f"/s/{links['families']}").status_code == 503
        proxy.up()  # and comes back: no restart needed
        assert client.get(f"/s/{links['families']}").status_code == 200
    finally:
        proxy.down()
        app.extensions["survey_db"].engine.dispose()
