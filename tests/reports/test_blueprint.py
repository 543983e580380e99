"""Report and data downloads in the staff area: who gets what, and every download logged."""

from __future__ import annotations

import csv
import http.cookiejar
import io
import os
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import openpyxl
import pytest
from report_factories import World, make_responses, random_family
from sqlalchemy import select
from staff import CSRF, PASSWORD, make_account, make_campaign, make_school, signed_in
from werkzeug.serving import make_server

from survey.core.audit import AuditEntry
from survey.core.logging import QuietRequestHandler
from survey.extensions import db
from survey.reports.figures import TIDY_COLUMNS


@pytest.fixture
def reports(app):
    """A closed campaign of two schools in two districts (40 and 12 families), an open one
    of school A, and an account per role."""
    rnd = random.Random(3)
    with app.app_context():
        a = make_school("100001", "Grundschule A", "Nord")
        b = make_school("100002", "Grundschule B", "Süd")
        closed = make_campaign([a, b], "zu", state="closed", audiences=("families",))
        still_open = make_campaign([a], "offen", state="open", audiences=("families",))
        for campaign in (closed, still_open):
            world = World(campaign, {"A": a, "B": b})
            make_responses(db.session, world, "A", [random_family(rnd) for _ in range(40)])
            make_responses(db.session, world, "B", [random_family(rnd) for _ in range(12)])
        make_account("analyse@test.invalid", "analyst")
        make_account("a@test.invalid", "coordinator", [a])
        make_account("b@test.invalid", "coordinator", [b])
        db.session.commit()
        return {"closed": closed.id, "open": still_open.id, "a": a.id, "b": b.id,
                "nord": a.district_id}  # fmt: skip


def _downloads(app) -> list[str]:
    with app.app_context():
        return [
            e.detail
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            if e.action == "download"
        ]


def _get(client, path: str):
    """The reply, read and closed (as a server closes it: the data file is closed then)."""
    with client.get(path) as reply:
        reply.data  # noqa: B018 (read before the file closes)
        return reply


def _csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_a_coordinator_gets_the_own_schools_report_of_a_closed_campaign(app, reports):
    client, _token = signed_in(app, "a@test.invalid")
    page = client.get(f"/kampagnen/{reports['closed']}/berichte")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"/berichte/schulen/{reports['a']}/csv" in html
    assert f"/berichte/schulen/{reports['b']}/" not in html
    assert "/daten/" not in html and "/sozialraeume/" not in html
    r = client.get(f"/kampagnen/{reports['closed']}/berichte/schulen/{reports['a']}/csv")
    assert r.status_code == 200
    assert "zu_school_100001.csv" in r.headers["Content-Disposition"]
    rows = _csv(r.data)
    assert rows[0] == TIDY_COLUMNS
    assert {row[1] for row in rows[1:]} == {"100001"}
    r = client.get(f"/kampagnen/{reports['closed']}/berichte/schulen/{reports['a']}/xlsx")
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.data))
    assert "Codebuch" in book.sheetnames
    assert _downloads(app) == ["Bericht school 100001 (csv)", "Bericht school 100001 (xlsx)"]


def test_a_coordinator_meets_404_for_another_school_and_409_for_an_open_campaign(app, reports):
    client, _token = signed_in(app, "a@test.invalid")
    closed, still_open = reports["closed"], reports["open"]
    assert client.get(f"/kampagnen/{closed}/berichte/schulen/{reports['b']}/csv").status_code == 404
    for fmt in ("csv", "xlsx"):
        refused = client.get(f"/kampagnen/{still_open}/berichte/schulen/{reports['a']}/{fmt}")
        assert refused.status_code == 409 and refused.mimetype == "text/html"
        assert "Der Bericht kommt nach der Befragung" in refused.get_data(as_text=True)
    # in the coordinator's language: tests/documents/test_blueprint.py
    assert _downloads(app) == []
    page = client.get(f"/kampagnen/{still_open}/berichte").get_data(as_text=True)
    assert "/berichte/schulen/" not in page and "sobald die Kampagne geschlossen ist" in page
    other, _t = signed_in(app, "b@test.invalid")
    assert other.get(f"/kampagnen/{still_open}/berichte").status_code == 404
    # districts, the municipality and the data are not for coordinators
    assert (
        client.get(f"/kampagnen/{closed}/berichte/sozialraeume/{reports['nord']}/csv").status_code
        == 403
    )
    assert client.get(f"/kampagnen/{closed}/berichte/kommune/csv").status_code == 403
    for fmt in ("csv", "xlsx", "sav", "dta", "codebook"):
        assert _get(client, f"/kampagnen/{closed}/daten/families/{fmt}").status_code == 403
    assert _downloads(app) == []


def test_an_analyst_gets_every_level_a_preview_and_the_data(app, reports):
    client, _token = signed_in(app, "analyse@test.invalid")
    closed, still_open = reports["closed"], reports["open"]
    html = client.get(f"/kampagnen/{closed}/berichte").get_data(as_text=True)
    assert "/sozialraeume/" in html and "/kommune/csv" in html and "/daten/families/sav" in html
    r = client.get(f"/kampagnen/{closed}/berichte/sozialraeume/{reports['nord']}/csv")
    assert r.status_code == 200 and {row[0] for row in _csv(r.data)[1:]} == {"district"}
    r = client.get(f"/kampagnen/{closed}/berichte/kommune/xlsx")
    assert (
        r.status_code == 200
        and "zu_municipality_teststadt.xlsx" in r.headers["Content-Disposition"]
    )
    # an open campaign: a preview, marked in the file name and in the workbook
    page = client.get(f"/kampagnen/{still_open}/berichte").get_data(as_text=True)
    assert "Vorschau" in page
    r = client.get(f"/kampagnen/{still_open}/berichte/schulen/{reports['a']}/xlsx")
    assert r.status_code == 200 and "_preview.xlsx" in r.headers["Content-Disposition"]
    overview = openpyxl.load_workbook(io.BytesIO(r.data)).worksheets[0]
    assert any("Vorschau" in str(c.value) for row in overview.iter_rows() for c in row if c.value)
    r = _get(client, f"/kampagnen/{closed}/daten/families/csv")
    assert r.status_code == 200 and "zu_families_daten.csv" in r.headers["Content-Disposition"]
    rows = _csv(r.data)
    assert len(rows) == 53 and rows[0][:2] == ["school", "school_type"]
    r = _get(client, f"/kampagnen/{closed}/daten/families/codebook")
    assert r.status_code == 200 and _csv(r.data)[0][0] == "variable"
    r = _get(client, f"/kampagnen/{still_open}/daten/families/dta")
    assert (
        r.status_code == 200
        and "offen_families_daten_preview.dta" in r.headers["Content-Disposition"]
    )
    assert _get(client, f"/kampagnen/{closed}/daten/staff/csv").status_code == 404
    assert _get(client, f"/kampagnen/{closed}/daten/families/pdf").status_code == 404
    assert client.get(f"/kampagnen/{closed}/berichte/sozialraeume/999999/csv").status_code == 404
    assert _downloads(app) == [
        "Bericht district Nord (csv)",
        "Bericht municipality Teststadt (xlsx)",
        "Bericht school 100001 (xlsx, Vorschau)",
        "Daten families (csv, Ebene school) über den Mitarbeiterbereich",
        "Daten families (codebook, Ebene school) über den Mitarbeiterbereich",
        "Daten families (dta, Ebene school, Vorschau) über den Mitarbeiterbereich",
    ]


def test_the_campaign_page_links_to_the_downloads(app, reports):
    client, _token = signed_in(app, "a@test.invalid")
    html = client.get(f"/kampagnen/{reports['closed']}").get_data(as_text=True)
    assert f"/kampagnen/{reports['closed']}/berichte" in html


def test_downloads_over_real_http(app, reports):
    """Signed in through a real server on a real socket: the coordinator's school report,
    the analyst's data, and the refusals."""
    port = int(os.environ.get("SURVEY_TEST_HTTP_PORT", "0"))
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.port}"

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def opener(email: str):
        jar = http.cookiejar.CookieJar()
        found = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        page = found.open(base + "/anmelden").read().decode()
        token = CSRF.search(page).group(1)
        form = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
        try:
            found.open(base + "/anmelden", data=form.encode())
        except urllib.error.HTTPError as exc:
            assert exc.code == 302
        return found

    def status(found, path: str) -> tuple[int, bytes, dict]:
        try:
            with found.open(base + path) as reply:
                return reply.status, reply.read(), dict(reply.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, b"", {}

    try:
        closed, still_open = reports["closed"], reports["open"]
        coordinator = opener("a@test.invalid")
        code, body, headers = status(
            coordinator, f"/kampagnen/{closed}/berichte/schulen/{reports['a']}/csv"
        )
        assert code == 200 and headers["Content-Type"].startswith("text/csv")
        assert _csv(body)[0] == TIDY_COLUMNS
        assert (
            status(coordinator, f"/kampagnen/{still_open}/berichte/schulen/{reports['a']}/csv")[0]
            == 409
        )
        assert (
            status(coordinator, f"/kampagnen/{closed}/berichte/schulen/{reports['b']}/csv")[0]
            == 404
        )
        assert status(coordinator, f"/kampagnen/{closed}/daten/families/sav")[0] == 403
        analyst = opener("analyse@test.invalid")
        code, body, headers = status(analyst, f"/kampagnen/{closed}/daten/families/sav")
        assert code == 200 and body[:4] == b"$FL2"  # an SPSS system file
        assert "zu_families_daten.sav" in headers["Content-Disposition"]
    finally:
        server.shutdown()
        thread.join(5)
    assert _downloads(app) == [
        "Bericht school 100001 (csv)",
        "Daten families (sav, Ebene school) über den Mitarbeiterbereich",
    ]


def test_every_download_is_refused_to_signed_out_visitors(app, reports):
    client = app.test_client()
    for path in (f"/kampagnen/{reports['closed']}/berichte",
                 f"/kampagnen/{reports['closed']}/daten/families/csv",
                 f"/kampagnen/{reports['closed']}/berichte/schulen/{reports['a']}/csv"):  # fmt: skip
        r = client.get(path)
        assert r.status_code == 302 and "/anmelden" in r.location


def test_a_district_named_beyond_latin_1_downloads(app, reports):
    rnd = random.Random(5)
    with app.app_context():
        school = make_school("100003", "Grundschule C", "Gülüşlü")
        campaign = make_campaign([school], "c3", state="closed", audiences=("families",))
        world = World(campaign, {"C": school})
        make_responses(db.session, world, "C", [random_family(rnd) for _ in range(9)])
        db.session.commit()
        ids = (campaign.id, school.district_id)
    client, _token = signed_in(app, "analyse@test.invalid")
    r = client.get(f"/kampagnen/{ids[0]}/berichte/sozialraeume/{ids[1]}/csv")
    assert r.status_code == 200
    disposition = r.headers["Content-Disposition"]
    assert 'filename="c3_district_guelue_lue.csv"' in disposition  # ü spelled out, ş not Latin-1
    assert "filename*=UTF-8''c3_district_guelue%C5%9Flue.csv" in disposition
    assert {row[1] for row in _csv(r.data)[1:]} == {"Gülüşlü"}


def test_breakdowns_follow_the_rules_of_the_reports(app, reports):
    from survey.reports.breakdowns import BREAKDOWN_COLUMNS

    closed, still_open = reports["closed"], reports["open"]
    coordinator, _t = signed_in(app, "a@test.invalid")
    html = coordinator.get(f"/kampagnen/{closed}/berichte").get_data(as_text=True)
    assert f"/berichte/schulen/{reports['a']}/breakdowns" in html
    r = coordinator.get(f"/kampagnen/{closed}/berichte/schulen/{reports['a']}/breakdowns")
    assert r.status_code == 200
    assert "zu_school_100001_breakdowns.csv" in r.headers["Content-Disposition"]
    rows = _csv(r.data)
    header = [*BREAKDOWN_COLUMNS[:5], "group_label", *BREAKDOWN_COLUMNS[5:]]
    assert rows[0] == header and len(rows) > 1
    assert {row[1] for row in rows[1:]} == {"100001"}
    assert {(row[3], row[4], row[5]) for row in rows[1:]} == {("language", "de", "Deutsch")}
    # another school: not found; an open campaign: not yet; the levels above: forbidden
    path = f"/kampagnen/{closed}/berichte/schulen/{reports['b']}/breakdowns"
    assert coordinator.get(path).status_code == 404
    path = f"/kampagnen/{still_open}/berichte/schulen/{reports['a']}/breakdowns"
    assert coordinator.get(path).status_code == 409
    assert coordinator.get(f"/kampagnen/{closed}/berichte/kommune/breakdowns").status_code == 403
    analyst, _t = signed_in(app, "analyse@test.invalid")
    r = analyst.get(f"/kampagnen/{closed}/berichte/kommune/breakdowns")
    assert r.status_code == 200
    rows = _csv(r.data)
    assert {row[3] for row in rows[1:]} >= {"language", "school_type"}
    assert ("school_type", "Grundschule", "Grundschule") in {(r[3], r[4], r[5]) for r in rows}
    assert _downloads(app) == [
        "Bericht school 100001 (breakdowns)",
        "Bericht municipality Teststadt (breakdowns)",
    ]


def test_breakdowns_are_computed_beside_the_request_and_kept(app, reports):
    """A download that does not wait for the computation gets a page that asks again by
    itself (202); the thread keeps the breakdowns, and the next request sends the file,
    the same as the command line writes."""
    from survey.reports import preparing

    closed, still_open = reports["closed"], reports["open"]
    app.config["REPORT_WAIT_SECONDS"] = 0
    store = preparing.store_folder(app)
    analyst, _t = signed_in(app, "analyse@test.invalid")
    path = f"/kampagnen/{closed}/berichte/kommune/breakdowns"
    r = analyst.get(path)
    if r.status_code == 202:  # the thread may finish before the request looks
        assert r.headers["Retry-After"] == "15"
        assert r.headers["Cache-Control"] == "no-store"
        page = r.get_data(as_text=True)
        assert '<meta http-equiv="refresh" content="15">' in page
        assert "Die Aufschlüsselungen werden berechnet" in page
        assert f'href="{path}"' in page
        for job in list(preparing._running.values()):
            job.result(timeout=60)
        assert _downloads(app) == []  # nothing was sent
        r = analyst.get(path)
    assert r.status_code == 200
    assert len(list(store.glob("breakdowns-*.csv.gz"))) == 1
    assert _downloads(app) == ["Bericht municipality Teststadt (breakdowns)"]
    # the workbook has the breakdowns' sheets from the same kept figures
    r = analyst.get(f"/kampagnen/{closed}/berichte/kommune/xlsx")
    assert r.status_code == 200
    # a preview has none: they are computed once, from the closed campaign's answers
    r = analyst.get(f"/kampagnen/{still_open}/berichte/kommune/breakdowns")
    assert r.status_code == 409
    assert "wenn die Kampagne geschlossen ist" in r.get_data(as_text=True)
    assert analyst.get(f"/kampagnen/{still_open}/berichte/kommune/xlsx").status_code == 200


def test_a_failed_computation_of_breakdowns_answers_503(app, reports, tmp_path):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    app.config["REPORT_STORE"] = str(blocked / "reports")  # the store cannot be made
    analyst, _t = signed_in(app, "analyse@test.invalid")
    r = analyst.get(f"/kampagnen/{reports['closed']}/berichte/kommune/breakdowns")
    assert r.status_code == 503
    assert "noch einmal" in r.get_data(as_text=True)
    assert _downloads(app) == []


def test_closing_a_campaign_starts_on_its_breakdowns(app, reports):
    """Closed in the staff area, a campaign's breakdowns are computed at once beside the
    request, so that the first download finds them kept."""
    from survey.reports import preparing

    app.config["REPORT_PREPARE_ON_CLOSE"] = True
    app.config["REPORT_WAIT_SECONDS"] = 0
    still_open = reports["open"]
    analyst, token = signed_in(app, "analyse@test.invalid")
    r = analyst.post(f"/kampagnen/{still_open}/schliessen", data={"csrf_token": token})
    assert r.status_code == 302
    kept = preparing.store_folder(app)
    deadline = time.monotonic() + 60
    while not list(kept.glob("breakdowns-*.csv.gz")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(list(kept.glob("breakdowns-*.csv.gz"))) == 1
    # the first download finds them: no page that asks again
    r = analyst.get(f"/kampagnen/{still_open}/berichte/schulen/{reports['a']}/breakdowns")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"].startswith("attachment")
