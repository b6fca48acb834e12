"""The campaign report filtered by employment (issue 19 items 3 and 5): everyone, own staff or one kind of
employment, for a running and a closed period (its records and their amendments), against hand-computed figures;
the exports' heading and file name, the links that keep the filter, an unknown value ignored, the JSON with the
contractors section, and the scope of a manager, the list of a closed period's corrections included.

The world (tests/campaigns/contractor_world.py) with more employees. By 5 July, past the due date of 30 June:
G > G-NET: EG regular, completed on 1 May; ET temporary, in progress; ES secondee, exempt.
R: COMP (compliance; kind not given), not started. R > R-CC: ER temporary, completed on 2 May; EN (kind not
given), not started. Contractors: M1 (C-G, sponsored by G-NET) completed, M2 (C-G) in progress, M3 (C-R) exempt,
T1 (C-T, R-CC) not started."""

import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from learning import clock
from learning.accounts.models import User
from learning.campaigns.amendments import amend
from learning.campaigns.closing import close
from learning.campaigns.contractor_audience import Rule
from learning.campaigns.services import create_campaign, launch
from learning.reports import services
from learning.reports.completion import organisation_total
from learning.training.models import Assignment
from tests.campaigns.contractor_world import build
from tests.conftest import sign_in
from tests.exported import read_csv, read_xlsx
from tests.factories import make_user

JULY_5 = datetime(2026, 7, 5, 1, tzinfo=UTC)
TEMPORARY = "Temporary (agency) staff"
EVERYONE = services.Scope(None, None)


@pytest.fixture
def report(db):
    world = build(db)
    more = {"ET": (world.network, "temporary"), "ES": (world.network, "secondee"), "EN": (world.call_centre, None)}
    people = {**world.employees, "COMP": world.compliance}
    for number, (department, kind) in more.items():
        people[number] = make_user(db, department=department, employee_no=number, name=f"社員 {number}")
        people[number].employment_type = kind
    people["EG"].employment_type, people["ER"].employment_type = "regular", "temporary"
    rules = (Rule("company", world.meter.id), Rule("company", world.tele.id))
    campaign = create_campaign(db, world.draft(*rules, whole_organisation=True), world.compliance.id)
    launch(db, campaign, world.compliance.id)
    people |= world.staff
    by_user = {a.user_id: a for a in db.scalars(select(Assignment).where(Assignment.campaign_id == campaign.id))}
    assignment = {number: by_user[person.id] for number, person in people.items() if person.id in by_user}
    for number, status, day in (("EG", "completed", 1), ("ER", "completed", 2), ("M1", "completed", 3),
                                ("ET", "in_progress", 0), ("M2", "in_progress", 0),
                                ("ES", "exempt", 0), ("M3", "exempt", 0)):  # fmt: skip
        assignment[number].status = status
        if day:
            assignment[number].completed_at = datetime(2026, 5, day, 1, tzinfo=UTC)
        if status == "exempt":
            assignment[number].exempt_reason = "長期休業"
    db.commit()
    clock.freeze(JULY_5)
    yield world, campaign, people, {number: a.id for number, a in assignment.items()}
    clock.freeze(None)


def closed_and_amended(db, world, campaign, ids):
    """The period closed on 5 July; then ET (temporary, in progress) and M2 (contractor) amended to completed on
    20 June, EN (kind not given, not started) to exempt; ET then moves to R-CC, which the closed period ignores."""
    close(db, campaign)
    db.commit()
    db.expire_all()  # the close's bulk UPDATE froze the rows
    for number, status, day in (("ET", "completed", date(2026, 6, 20)), ("M2", "completed", date(2026, 6, 20)),
                                ("EN", "exempt", None)):  # fmt: skip
        amend(db, db.get(Assignment, ids[number]), status, "紙の記録で確認", world.compliance.id, day)
    db.get(User, db.get(Assignment, ids["ET"]).user_id).department_id = world.call_centre.id
    db.commit()


def figures(counts):
    """assigned, completed, in progress, not started, overdue, exempt; completion rate."""
    c = counts
    return (c.assigned, c.completed, c.in_progress, c.not_started, c.overdue, c.exempt, c.completion_rate)


def by_code(rows):
    return {r.code: r.total for r in rows}


def main(response) -> str:
    """The page's content (the layout's language switch names the page's own address, query and all)."""
    page = response.get_data(as_text=True)
    return page[page.index('<main id="main">') : page.index("</main>")]


def client_of(app, db, user, locale="en"):
    user.locale = locale
    db.commit()
    client = app.test_client()
    sign_in(client, user.employee_no)
    return client


def test_the_filtered_figures_of_a_running_period_against_a_hand_count(db, report):
    world, campaign, _people, _ids = report
    temporary = services.department_report(db, campaign.id, EVERYONE, "en", employment="temporary")
    # ET in progress and overdue under G-NET; ER completed on time under R-CC.
    assert figures(by_code(temporary)["G"]) == (1, 0, 1, 0, 1, 0, 0.0)
    assert figures(by_code(temporary)["R-CC"]) == (1, 1, 0, 0, 0, 0, 1.0)
    total = organisation_total(temporary)
    assert figures(total) == (2, 1, 1, 0, 1, 0, 0.5) and total.on_time_rate == 0.5
    assert (total.people, total.people_complete, total.people_overdue) == (2, 1, 1)
    regular = organisation_total(services.department_report(db, campaign.id, EVERYONE, employment="regular"))
    assert figures(regular) == (1, 1, 0, 0, 0, 0, 1.0)
    # Own staff: the six employees (the kind not given counts here); the same as everyone, contractors having no
    # department. 2 completed of 5 counted (ES exempt); COMP and EN not started and overdue.
    own = organisation_total(services.department_report(db, campaign.id, EVERYONE, employment="own"))
    assert figures(own) == (6, 2, 1, 2, 3, 1, 0.4)
    assert figures(organisation_total(services.department_report(db, campaign.id, EVERYONE))) == figures(own)
    officers = organisation_total(services.department_report(db, campaign.id, EVERYONE, employment="officer"))
    assert figures(officers) == (0, 0, 0, 0, 0, 0, None)
    assert world.staff["M1"].employment_type is None


def test_the_filtered_figures_of_a_closed_period_are_its_records_and_their_amendments(db, report):
    world, campaign, _people, ids = report
    closed_and_amended(db, world, campaign, ids)
    temporary = services.department_report(db, campaign.id, EVERYONE, "en", employment="temporary")
    # ET is counted where it was assigned (G-NET), as corrected: completed on 20 June, on time, no longer overdue.
    assert figures(by_code(temporary)["G-NET"]) == (1, 1, 0, 0, 0, 0, 1.0)
    assert figures(by_code(temporary)["R-CC"]) == (1, 1, 0, 0, 0, 0, 1.0)
    assert organisation_total(temporary).on_time_rate == 1.0
    recorded = services.department_report(db, campaign.id, EVERYONE, corrected=False, employment="temporary")
    assert figures(organisation_total(recorded)) == (2, 1, 1, 0, 1, 0, 0.5)
    # Own staff: ET completed and EN exempt by amendment (M2's amendment is a contractor's, not counted here).
    own = organisation_total(services.department_report(db, campaign.id, EVERYONE, employment="own"))
    assert figures(own) == (6, 3, 0, 1, 1, 2, 0.75)
    as_recorded = services.department_report(db, campaign.id, EVERYONE, corrected=False, employment="own")
    assert figures(organisation_total(as_recorded)) == (6, 2, 1, 2, 3, 1, 0.4)
    # The amendments listed with the filter: ET's under temporary; ET's and EN's under own staff; all three unfiltered.
    listed = {a.assignment_id for a, *_rest in services.amendments(db, campaign.id, employment="temporary")}
    assert listed == {ids["ET"]}
    listed = {a.assignment_id for a, *_rest in services.amendments(db, campaign.id, employment="own")}
    assert listed == {ids["ET"], ids["EN"]}
    assert len(services.amendments(db, campaign.id)) == 3


def test_the_page_shows_the_filter_chosen_and_every_link_keeps_it(app, db, report):
    world, campaign, _people, _ids = report
    client = client_of(app, db, world.compliance)
    page = client.get(f"/reports/campaigns/{campaign.id}?employment=temporary").get_data(as_text=True)
    assert f'aria-current="page" class="current">{TEMPORARY}</a>' in page
    assert 'aria-current="page" class="current">Everyone</a>' not in page
    assert "Completion 50.0% of 2 assignments" in page
    links = re.findall(r'href="([^"]+)"', page)
    base = f"/reports/campaigns/{campaign.id}"
    for path in (f"{base}.csv", f"{base}.xlsx", f"{base}.pdf", f"{base}.json", f"{base}/people"):
        kept = [link for link in links if link.startswith(path + "?") or link == path]
        assert kept and all("employment=temporary" in link for link in kept), (path, kept)
    print_view = [link for link in links if "print=1" in link]
    assert print_view and all("employment=temporary" in link for link in print_view)
    sorting = [link for link in links if "sort=completion_rate" in link]
    assert sorting and all("employment=temporary" in link for link in sorting)
    drill = [link for link in links if "department=" in link]
    assert f"{base}/people?employment=temporary&amp;department={world.network.id}" in drill
    # Contractors' staff have no kind: their section is left out, and the page says so.
    assert "Meter Services" not in page and "Choose Everyone to see their section" in page
    # The drill-down keeps the filter in its own links back.
    people = client.get(f"{base}/people?employment=temporary&department={world.network.id}").get_data(as_text=True)
    assert f'href="{base}?employment=temporary"' in people and "社員 ET" in people and "社員 EG" not in people
    own = client.get(f"{base}?employment=own").get_data(as_text=True)
    assert 'aria-current="page" class="current">Own staff (not contractors&#39; staff)</a>' in own
    assert "Meter Services" not in own and "Completion 40.0% of 5 assignments" in own
    everyone = client.get(base).get_data(as_text=True)
    assert 'aria-current="page" class="current">Everyone</a>' in everyone and "Meter Services" in everyone
    assert "employment=" not in " ".join(re.findall(r'href="([^"]*\.csv[^"]*)"', everyone))


def test_an_unknown_value_is_ignored_and_shows_everyone(app, db, report):
    world, campaign, _people, _ids = report
    client = client_of(app, db, world.compliance)
    base = f"/reports/campaigns/{campaign.id}"
    assert main(client.get(f"{base}?employment=intern")) == main(client.get(base))
    exported = read_csv(client.get(f"{base}.csv?employment=intern"))
    assert "Employment type" not in [line[0] for line in exported.heading]
    response = client.get(f"{base}.csv?employment=intern")
    assert "intern" not in response.headers["Content-Disposition"]
    assert client.get(f"{base}.json?employment=intern").get_json()["employment"] is None


def test_the_exports_say_the_filter_in_their_heading_and_name(app, db, report):
    world, campaign, _people, _ids = report
    client = client_of(app, db, world.compliance)
    base = f"/reports/campaigns/{campaign.id}"
    response = client.get(f"{base}.csv?employment=temporary")
    assert re.search(
        r'filename="completion-campaign\d+-all-temporary-20260705\.csv"', response.headers["Content-Disposition"]
    )
    exported = read_csv(response)
    assert exported.said("Employment type") == TEMPORARY
    top = {row["Code"]: row for row in exported.records()}
    assert (top["G"]["Assigned"], top["G"]["Completed"], top["R-CC"]["Completed"]) == ("1", "0", "1")
    workbook = client.get(f"{base}.xlsx?employment=part_time")
    assert "-all-part-time-" in workbook.headers["Content-Disposition"]
    assert read_xlsx(workbook).said("Employment type") == "Part-time"
    own = read_csv(client.get(f"{base}.csv?employment=own"))
    assert own.said("Employment type") == "Own staff (not contractors' staff)"
    pdf = client.get(f"{base}.pdf?employment=temporary")
    assert pdf.status_code == 200 and pdf.content_type == "application/pdf"
    assert re.search(
        r'filename="completion-campaign\d+-all-temporary-20260705\.pdf"', pdf.headers["Content-Disposition"]
    )
    text = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    assert "Employmenttype" + TEMPORARY.replace(" ", "") in text and "temporary" not in text
    assert "MeterServices" not in text  # the contractors' section is left out with the filter
    everyone = client.get(f"{base}.pdf")
    text = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(everyone.data)).pages))
    assert "MeterServices" in text and "Employmenttype" not in text


def test_the_json_carries_the_filter_and_the_contractors_section(app, db, report):
    world, campaign, _people, _ids = report
    client = client_of(app, db, world.compliance)
    base = f"/reports/campaigns/{campaign.id}.json"
    everyone = client.get(base).get_json()
    assert everyone["employment"] is None
    contractors = {(c["company_code"], c["sponsor_code"]): c for c in everyone["contractors"]}
    assert list(contractors) == [("K-METER", "G-NET"), ("K-METER", "R-CC"), ("K-TELE", "R-CC")]
    assert (contractors["K-METER", "G-NET"]["assigned"], contractors["K-METER", "G-NET"]["completed"]) == (2, 1)
    assert contractors["K-METER", "G-NET"]["contracts"] == ["C-G"]
    temporary = client.get(f"{base}?employment=temporary").get_json()
    assert temporary["employment"] == {"code": "temporary", "label": TEMPORARY}
    assert temporary["contractors"] == []
    top = {d["code"]: d for d in temporary["departments"]}
    assert (top["G"]["assigned"], top["R"]["assigned"], top["R"]["completion_rate"]) == (1, 1, 1.0)


def test_a_manager_sees_their_subtree_and_the_contractors_they_sponsor_and_only_their_corrections(app, db, report):
    world, campaign, _people, ids = report
    closed_and_amended(db, world, campaign, ids)
    grid_head = make_user(db, "manager", department=world.grid, scope=world.grid, employee_no="GHEAD")
    retail_head = make_user(db, "manager", department=world.retail, scope=world.retail, employee_no="RHEAD")
    db.commit()
    grid = client_of(app, db, grid_head).get(f"/reports/campaigns/{campaign.id}.json").get_json()
    assert {d["code"] for d in grid["departments"]} == {"G", "G-NET"}
    assert {(c["company_code"], c["sponsor_code"]) for c in grid["contractors"]} == {("K-METER", "G-NET")}
    assert {a["assignment_id"] for a in grid["amendments"]} == {ids["ET"], ids["M2"]}
    retail_client = client_of(app, db, retail_head)
    retail = retail_client.get(f"/reports/campaigns/{campaign.id}.json").get_json()
    assert {d["code"] for d in retail["departments"]} == {"R", "R-CC"}
    assert {c["company_code"] for c in retail["contractors"]} == {"K-METER", "K-TELE"}
    assert {a["assignment_id"] for a in retail["amendments"]} == {ids["EN"]}
    page = retail_client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    corrections = page[page.index("Corrections to the closed record") : page.index("Download:")]
    assert "社員 EN" in corrections and "社員 ET" not in corrections and "委託 M2" not in corrections
    filtered = retail_client.get(f"/reports/campaigns/{campaign.id}.json?employment=temporary").get_json()
    assert filtered["amendments"] == [] and filtered["recorded_completion_rate"] is None
    assert {d["code"]: d["completed"] for d in filtered["departments"]} == {"R": 1, "R-CC": 1}
    grid_filtered = client_of(app, db, grid_head).get(f"/reports/campaigns/{campaign.id}.json?employment=temporary")
    shown = grid_filtered.get_json()
    assert {a["assignment_id"] for a in shown["amendments"]} == {ids["ET"]}
    assert shown["recorded_completion_rate"] == 0.0
    assert {d["code"]: d["completion_rate"] for d in shown["departments"]} == {"G": 1.0, "G-NET": 1.0}


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_the_filtered_page_renders_in_both_languages(app, db, report, locale):
    world, campaign, _people, ids = report
    closed_and_amended(db, world, campaign, ids)
    client = client_of(app, db, world.compliance, locale)
    page = client.get(
        f"/reports/campaigns/{campaign.id}?employment=temporary", headers={"Accept-Language": locale}
    ).get_data(as_text=True)
    label = {"en": TEMPORARY, "ja": "派遣社員"}[locale]
    assert f'aria-current="page" class="current">{label}</a>' in page
    everyone = {"en": ">Everyone</a>", "ja": ">全員</a>"}[locale]
    assert everyone in page
    today = {"en": "filtered by the employment type the roster gives today", "ja": "名簿"}[locale]
    assert today in page
