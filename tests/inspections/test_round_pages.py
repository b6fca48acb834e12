"""Inspection rounds in a browser's steps: compliance sets a round up; the head answers with a file that is
not an image (refused by name, the other answers kept), saves, submits with unanswered items named, then
submits; the second line returns and accepts it; a finding closed without a corrective action is a form
error; the second line verifies it. The second line of another subtree and the other departments' heads
reach none of it; internal audit reads everything and changes nothing."""

from __future__ import annotations

import io

from sqlalchemy import select

from learning import clock
from learning.inspections import services
from learning.inspections.formats import read_tree
from learning.inspections.models import InspectionFinding, InspectionResponse
from tests.conftest import csrf_token, post, sign_in
from tests.factories import make_department, make_user
from tests.inspections.test_templates import SHIPPED
from tests.test_create_once import _form

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def signed_in(app, user):
    client = app.test_client()
    assert sign_in(client, user.employee_no).status_code == 302
    return client


def test_a_round_through_the_pages(app, db):
    specs, _ = read_tree(SHIPPED)
    services.import_templates(db, specs)
    version = services.published(db, services.overview(db)[0][0].id)
    company = make_department(db)
    north, south = make_department(db, parent=company), make_department(db, parent=company)
    head = make_user(db, "manager", scope=north, department=north)
    other_head = make_user(db, "manager", scope=south, department=south)
    office = make_user(db, "business_office", scope=north)
    south_office = make_user(db, "business_office", scope=south)
    compliance = make_user(db, "compliance")
    auditor = make_user(db, "auditor")
    db.commit()

    officer = signed_in(app, compliance)
    form = _form(officer, "/admin/inspections/rounds", "/admin/inspections/rounds")
    made = officer.post(
        "/admin/inspections/rounds",
        data={
            **form,
            "version_id": str(version.id),
            "frequency": "quarterly",
            "due_days": "30",
            "starts_on": clock.tokyo_date(clock.now()).isoformat(),
            "departments": [str(north.id)],
        },
    )
    assert made.status_code == 303
    inspection = db.scalar(select(InspectionResponse))
    assert inspection.department_id == north.id
    page = f"/inspections/{inspection.id}"
    items = version.items

    chief = signed_in(app, head)
    assert "Yours to answer" in chief.get("/inspections").get_data(as_text=True)
    answers = {f"answer-{i.id}": "conforms" for i in items}  # as the browser sends the checked choices
    answers[f"answer-{items[1].id}"] = "does_not_conform"
    answers[f"comment-{items[1].id}"] = "Shortcuts on two terminals"
    saved = chief.post(
        page,
        data={
            "csrf_token": csrf_token(chief, page),
            "action": "save",
            **answers,
            f"evidence-{items[0].id}": (io.BytesIO(b"MZ\x90\x00 not an image"), "ledger.exe"),
        },
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302
    shown = chief.get(page).get_data(as_text=True)
    assert (
        f"Item {items[0].position}: The evidence file must be a PNG or JPEG image or a PDF; ledger.exe is not." in shown
    )
    assert 'value="does_not_conform" checked' in shown and "Shortcuts on two terminals" in shown

    submitted = chief.post(page, data={"csrf_token": csrf_token(chief, page), "action": "submit", **answers})
    assert submitted.status_code == 302
    evidence_items = ", ".join(str(i.position) for i in items if i.evidence_required)
    assert f"still open: items {evidence_items}." in chief.get(page).get_data(as_text=True)
    files = {f"evidence-{i.id}": (io.BytesIO(PNG), f"item{i.position}.png") for i in items if i.evidence_required}
    done = chief.post(
        page,
        data={"csrf_token": csrf_token(chief, page), "action": "submit", **answers, **files},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    db.expire_all()
    assert db.get(InspectionResponse, inspection.id).status == "submitted"
    assert "Read only." in chief.get(page).get_data(as_text=True)

    # Outside their scope: the south head and the south second line get nothing of the north.
    south_second = signed_in(app, south_office)
    for client in (signed_in(app, other_head), south_second):
        assert client.get(page).status_code == 404
        assert "There are no inspections for you." in client.get("/inspections").get_data(as_text=True)
    assert post(south_second, f"{page}/review", {"decision": "accept"}).status_code == 404

    second = signed_in(app, office)
    returned = post(second, f"{page}/review", {"decision": "return", "comments": "Name the terminals"})
    assert returned.status_code == 302
    assert "Name the terminals" in chief.get(page).get_data(as_text=True)
    chief.post(page, data={"csrf_token": csrf_token(chief, page), "action": "submit", **answers})
    assert post(second, f"{page}/review", {"decision": "accept"}).status_code == 302
    db.expire_all()
    assert db.get(InspectionResponse, inspection.id).accepted_at is not None

    finding = db.scalar(select(InspectionFinding))
    assert (finding.item_id, finding.owner_id) == (items[1].id, head.id)
    closed = post(chief, f"/inspections/findings/{finding.id}", {"status": "done", "corrective_action": " "})
    assert closed.status_code == 400
    assert "Describe the corrective action before marking the finding done." in closed.get_data(as_text=True)
    fixed = post(
        chief,
        f"/inspections/findings/{finding.id}",
        {"status": "done", "corrective_action": "Shortcuts removed; weekly check"},
    )
    assert fixed.status_code == 302
    assert post(south_second, f"/inspections/findings/{finding.id}/verify").status_code == 302
    db.expire_all()
    assert db.get(InspectionFinding, finding.id).status == "done"  # refused: outside its scope
    assert post(second, f"/inspections/findings/{finding.id}/verify").status_code == 302
    db.expire_all()
    assert db.get(InspectionFinding, finding.id).status == "verified"

    audit = signed_in(app, auditor)
    assert audit.get(page).status_code == 200
    listing = audit.get("/inspections/findings?all=1").get_data(as_text=True)
    assert "Shortcuts removed; weekly check" in listing and "Verify and close" not in listing
    assert post(audit, f"/inspections/findings/{finding.id}", {"status": "open"}).status_code == 302
    db.expire_all()
    assert db.get(InspectionFinding, finding.id).status == "verified"
