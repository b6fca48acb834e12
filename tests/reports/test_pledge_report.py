"""The pledge report of a campaign against a hand-counted organisation: by department and company, each person
once whatever version they signed, exempt and not signed apart, a leaver out; scoped for a head; the people
who have not signed; CSV and XLSX with the heading, every view audited; and the annual report's section, which
a later year's new version leaves as it was."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from learning import clock
from learning.audit.models import AuditEvent
from learning.campaigns import pledge_assignments
from learning.campaigns.closing import close
from learning.campaigns.models import Campaign
from learning.campaigns.pledge_models import PledgeAssignment
from learning.campaigns.services import create_campaign, launch
from learning.pledges import services as pledges
from learning.reports import annual, annual_tables
from learning.reports import pledges as report
from learning.reports.services import Scope
from tests.conftest import sign_in
from tests.factories import campaign_draft, make_department, make_user
from tests.pledges.test_signing import PASSWORD, published_pledge


def at(year, month, day):
    return datetime(year, month, day, 3, tzinfo=UTC)


def sign(db, person, version_id):
    pledges.sign(db, person, version_id, {1: True}, PASSWORD, address="10.0.0.1")
    db.commit()


@pytest.fixture
def org(db):
    """R (R-BR: A signs v1, B signs v2, C not; R-HQ: D exempt, E not) and G (G-NC: F signs, L leaves)."""
    clock.freeze(at(2026, 4, 1))
    d = {"R": make_department(db, code="R"), "G": make_department(db, code="G")}
    d["R-BR"] = make_department(db, code="R-BR", parent=d["R"])
    d["R-HQ"] = make_department(db, code="R-HQ", parent=d["R"])
    d["G-NC"] = make_department(db, code="G-NC", parent=d["G"])
    where = {"A": "R-BR", "B": "R-BR", "C": "R-BR", "D": "R-HQ", "E": "R-HQ", "F": "G-NC", "L": "G-NC"}
    people = {k: make_user(db, department=d[v], employee_no=f"P-{k}", name=f"人 {k}") for k, v in where.items()}
    version, author, approver = published_pledge(db)
    compliance = make_user(db, "compliance")  # in no department: not asked
    head = make_user(db, "manager", department=d["R-BR"], scope=d["R-BR"], employee_no="HEAD")
    db.commit()
    campaign = create_campaign(
        db,
        campaign_draft(
            [],
            module_ids=[],
            pledge_ids=[version.pledge_id],
            whole_organisation=False,
            include_ids=[d["R"].id, d["G"].id],
        ),
        author.id,
    )
    launch(db, campaign, author.id)
    db.commit()
    clock.freeze(at(2026, 5, 1))
    sign(db, people["A"], version.id)
    sign(db, people["F"], version.id)
    draft = pledges.start_draft(db, version.pledge_id, author.id)
    pledges.submit(db, draft.id, author.id)
    pledges.approve(db, draft.id, approver.id)
    db.commit()
    sign(db, people["B"], draft.id)
    sign(db, people["A"], draft.id)  # A signs the new version too: still counted once
    exempted = db.scalar(select(PledgeAssignment.id).where(PledgeAssignment.user_id == people["D"].id))
    pledge_assignments.exempt(db, exempted, "休職中", compliance.id)
    pledge_assignments.withdraw_for_leavers(None, session=db, user_ids=[people["L"].id])
    db.commit()
    return {"d": d, "people": people, "campaign": campaign, "pledge_id": version.pledge_id, "new": draft,
            "compliance": compliance, "head": head, "author": author, "approver": approver}  # fmt: skip


def figures(rows) -> dict[str, tuple]:
    return {r.code: (r.total.assigned, r.total.completed, report.not_signed(r.total), r.total.exempt) for r in rows}


def test_the_figures_against_the_hand_count(db, org):
    rows = report.by_department(db, org["campaign"].id, org["pledge_id"], Scope(None, None), "en")
    assert figures(rows) == {
        "R": (6, 2, 3, 1),
        "R-BR": (4, 2, 2, 0),  # A, B, C and the head (asked too: an active person of R-BR); A once
        "R-HQ": (2, 0, 1, 1),
        "G": (1, 1, 0, 0),  # the leaver is out
        "G-NC": (1, 1, 0, 0),
    }
    assert sorted(r.code for r in report.companies(rows)) == ["G", "R"]
    total = report.organisation_total(rows)
    assert (total.assigned, total.completed, total.exempt) == (7, 3, 1)
    assert report.signed_rate(total) == pytest.approx(3 / 6)
    unsigned = report.unsigned_people(db, org["campaign"].id, org["pledge_id"], Scope(None, None))
    assert {p.employee_no for p in unsigned} == {"HEAD", "P-C", "P-E"}


def client_of(app, user):
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 302
    return client


def rows_of(page: str) -> dict[str, list[str]]:
    found = {}
    for row in re.findall(r'<tr data-id="\d+".*?</tr>', page, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        found[cells[0].replace("▾", "").strip()] = cells[1:]
    return found


def test_the_pages_and_exports_scoped_and_audited(app, db, org):
    d, campaign, pledge_id = org["d"], org["campaign"], org["pledge_id"]
    base = f"/reports/campaigns/{campaign.id}/pledges/{pledge_id}"
    compliance = client_of(app, org["compliance"])
    page = compliance.get(base).get_data(as_text=True)
    whole = rows_of(page)
    assert whole[d["R"].name_en] == ["6", "2", "3", "1", "40.0%"]
    assert whole[d["G-NC"].name_en] == ["1", "1", "0", "0", "100.0%"]
    assert "By company" in page
    csv = compliance.get(base + ".csv")
    body = csv.get_data().decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Pledges signed by department")
    assert "Pledge on the conduct rules" in body and "The whole organisation" in body and "JST" in body
    assert "People asked to sign,Signed,Not signed,Exempt,Signed rate" in body
    assert f"R,1,{d['R'].name_en},6,2,3,1,40.0%" in body
    xlsx = compliance.get(base + "/not-signed.xlsx")
    assert xlsx.status_code == 200 and xlsx.get_data()[:2] == b"PK"
    unsigned = compliance.get(base + f"/not-signed?department={d['R-HQ'].id}").get_data(as_text=True)
    assert "P-E" in unsigned and "P-C" not in unsigned
    head = client_of(app, org["head"])
    mine = rows_of(head.get(base).get_data(as_text=True))
    assert list(mine) == [d["R-BR"].name_en]
    assert head.get(base + f"/not-signed?department={d['R-HQ'].id}").status_code == 403
    listed = head.get(base + "/not-signed").get_data(as_text=True)
    assert "P-C" in listed and "P-E" not in listed
    actions = db.execute(
        select(AuditEvent.action, AuditEvent.details).where(AuditEvent.action.in_(("report_viewed", "report_exported")))
    ).all()
    reports = [(a, re.search(r'"report": "([a-z_]+)"', det).group(1)) for a, det in actions]
    assert reports.count(("report_exported", "campaign_pledges")) == 1
    assert reports.count(("report_exported", "campaign_pledges_unsigned")) == 1
    assert reports.count(("report_viewed", "campaign_pledges")) == 2
    refused = db.scalar(select(AuditEvent).where(AuditEvent.action == "authz_fail"))
    assert refused.actor_id == org["head"].id


def test_the_annual_section_and_a_later_version_leaves_last_year_as_it_was(app, db, org):
    def section(year):
        session = app.extensions["db"].factory()  # the annual report reads in a transaction (server-side cursors)
        try:
            found = annual.annual_report(session, year, clock.now(), "en")
            every = annual_tables.sections(found, "en", lambda s, **k: s % k if k else s, str)
            return found, next(s for s in every if s.title.endswith("Pledges signed by department"))
        finally:
            session.close()

    _found, tenth = section(2026)
    assert tenth.title == "10. Pledges signed by department"
    by_code = {row[2]: row[4:8] for row in tenth.table.rows}
    assert by_code == {
        "G": [1, 1, 0, 0],
        "G-NC": [1, 1, 0, 0],
        "R": [6, 2, 3, 1],
        "R-BR": [4, 2, 2, 0],
        "R-HQ": [2, 0, 1, 1],
    }
    close(db, db.get(Campaign, org["campaign"].id))
    db.commit()
    # The next year: a third version, a new campaign, C and E sign it; FY2026 is unchanged.
    clock.freeze(at(2027, 4, 2))
    draft = pledges.start_draft(db, org["pledge_id"], org["author"].id)
    pledges.submit(db, draft.id, org["author"].id)
    pledges.approve(db, draft.id, org["approver"].id)
    nxt = create_campaign(
        db,
        campaign_draft(
            [], module_ids=[], pledge_ids=[org["pledge_id"]], opens_on=clock.tokyo_date(clock.now()),
            due_on=datetime(2027, 6, 30).date(), whole_organisation=False, include_ids=[org["d"]["R"].id],
        ),
        org["author"].id,
    )  # fmt: skip
    launch(db, nxt, org["author"].id)
    db.commit()
    sign(db, org["people"]["C"], draft.id)
    sign(db, org["people"]["E"], draft.id)
    _found, again = section(2026)
    assert {row[2]: row[4:8] for row in again.table.rows} == by_code
    _found, this_year = section(2027)
    assert {row[2]: row[4:8] for row in this_year.table.rows}["R-HQ"] == [2, 1, 1, 0]  # E signed; D asked again
