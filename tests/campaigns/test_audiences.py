"""Two audiences beyond "everyone in these departments": only the heads of departments (manager grants), and
only the people moved along a transfer rule. The preview counts what the launch assigns, movers and joiners
follow the same rule, and the campaign page says who the audience is in both languages."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from learning import clock
from learning.accounts.imports import apply_roster
from learning.accounts.models import RoleGrant, User
from learning.campaigns import preview
from learning.campaigns.models import Campaign
from learning.campaigns.running import process_personnel_events, roll_over
from learning.campaigns.services import CampaignInvalid, create_campaign, launch
from learning.training.models import Assignment
from tests.conftest import post, sign_in
from tests.factories import campaign_draft, make_department, make_edition, make_user

HEADER = "employee_no,name,email,department_code,status\n"


@pytest.fixture
def org(db):
    clock.freeze(datetime(2026, 4, 1, 3, tzinfo=UTC))
    retail = make_department(db, code="R")
    branch = make_department(db, code="R-BR", parent=retail)
    grid = make_department(db, code="G")
    centre = make_department(db, code="G-NC", parent=grid)
    heads = {
        "retail": make_user(db, "manager", department=retail, scope=retail, employee_no="H-R"),
        "branch": make_user(db, "manager", department=branch, scope=branch, employee_no="H-BR"),
        "grid": make_user(db, "manager", department=centre, scope=centre, employee_no="H-G"),
    }
    staff = [make_user(db, department=branch, employee_no=f"S{n}") for n in range(3)]
    staff.append(make_user(db, department=centre, employee_no="S-G"))
    ended = make_user(db, "manager", department=branch, scope=branch, employee_no="H-OLD")
    db.scalar(select(RoleGrant).where(RoleGrant.user_id == ended.id)).ends_at = datetime(2026, 3, 31, tzinfo=UTC)
    compliance = make_user(db, "compliance")
    db.commit()
    return {"retail": retail, "branch": branch, "grid": grid, "centre": centre, "heads": heads, "staff": staff,
            "compliance": compliance}  # fmt: skip


def holders(db, campaign) -> list[str]:
    return sorted(
        db.scalars(
            select(User.employee_no)
            .join(Assignment, Assignment.user_id == User.id)
            .where(Assignment.campaign_id == campaign.id)
        )
    )


def test_heads_only_preview_equals_launch_and_takes_heads_who_join_or_move(db, org):
    edition = make_edition(db, slug="managers-first-line")
    draft = campaign_draft([edition], whole_organisation=False, include_ids=[org["retail"].id], managers_only=True)
    campaign = create_campaign(db, draft, org["compliance"].id)
    (line,) = preview.forecast(db, campaign)
    assert (line.audience, line.to_assign) == (2, 2)  # the retail heads; not their staff, nor a lapsed grant
    assert launch(db, campaign, org["compliance"].id) == line.to_assign
    db.commit()
    assert holders(db, campaign) == ["H-BR", "H-R"]
    # A head moving in loses the old department's grant (the roster ends it): not a head here until granted
    # one, and then assigned by the next run; a member of staff moving in is not assigned.
    clock.freeze(datetime(2026, 6, 1, 3, tzinfo=UTC))
    apply_roster(db, (HEADER + "H-G,移る部長,,R-BR,active\nS-G,移る社員,,R-BR,active\n").encode(), actor_id=None)
    assert process_personnel_events(db) == 0
    db.commit()
    mover = org["heads"]["grid"]
    db.add(RoleGrant(user_id=mover.id, role="manager", department_id=org["branch"].id, granted_at=clock.now()))
    db.commit()
    assert process_personnel_events(db) == 1
    assert process_personnel_events(db) == 0
    db.commit()
    assert holders(db, campaign) == ["H-BR", "H-G", "H-R"]
    given = db.scalar(select(Assignment).where(Assignment.user_id == mover.id))
    assert given.due_at.astimezone(clock.TOKYO).date() == date(2026, 7, 1)  # the days a joiner gets


def test_heads_only_with_no_head_in_the_departments_is_refused(db, org):
    nobody_heads = make_department(db, code="R-EMPTY", parent=org["retail"])
    make_user(db, department=nobody_heads)
    edition = make_edition(db)
    draft = campaign_draft([edition], whole_organisation=False, include_ids=[nobody_heads.id], managers_only=True)
    with pytest.raises(CampaignInvalid) as caught:
        create_campaign(db, draft, org["compliance"].id)
    assert caught.value.problems == {"departments": "empty_audience_managers"}


def test_a_transfer_rule_alone_assigns_only_its_movers(db, org):
    edition = make_edition(db, slug="moving-between-grid-and-retail")
    draft = campaign_draft([], transfer_from_id=org["grid"].id, transfer_to_id=org["retail"].id,
                           transfer_module_ids=[edition.module_id])  # fmt: skip
    campaign = create_campaign(db, draft, org["compliance"].id)
    assert preview.forecast(db, campaign) == []
    assert launch(db, campaign, org["compliance"].id) == 0
    db.commit()
    clock.freeze(datetime(2026, 6, 1, 3, tzinfo=UTC))
    apply_roster(db, (HEADER + "S-G,移る社員,,R-BR,active\nS0,支店内,,R,active\n").encode(), actor_id=None)
    assert process_personnel_events(db) == 1
    db.commit()
    assert holders(db, campaign) == ["S-G"]
    assert db.scalar(select(Assignment.reason).where(Assignment.campaign_id == campaign.id)) == "transfer_rule"
    with pytest.raises(CampaignInvalid) as caught:
        create_campaign(db, campaign_draft([]), org["compliance"].id)
    assert caught.value.problems == {"modules": "no_modules"}


def test_the_form_makes_a_heads_only_campaign_and_the_page_says_so(app, db, org):
    edition = make_edition(db, slug="managers-first-line")
    db.commit()
    client = app.test_client()
    sign_in(client, org["compliance"].employee_no)
    form = {"name_ja": "管理職研修", "name_en": "Managers", "modules": str(edition.module_id), "audience": "all",
            "managers_only": "y", "opens_on": "2026-04-01", "due_on": "2026-06-30", "recurrence": "yearly",
            "event_due_days": "30", "reminder_days": "14,7,1", "escalate_after_days": "7"}  # fmt: skip
    created = post(client, "/campaigns/new", form)
    assert created.status_code == 302, created.get_data(as_text=True)
    campaign = db.scalar(select(Campaign))
    assert campaign.managers_only is True
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Only the heads of departments (people who hold a manager grant), not their staff, in:" in page
    assert "3 heads of departments are covered now." in page
    org["compliance"].locale = "ja"
    db.commit()
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "部署の長（管理職の権限を持つ人）だけが対象です。部下は含みません。対象：" in page
    assert "現在、部署の長 3 人が対象です。" in page
    edit = client.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    (box,) = re.findall(r'<input[^>]*name="managers_only"[^>]*>', edit)
    assert "checked" in box  # editing the draft keeps the choice
    launched = post(client, f"/campaigns/{campaign.id}/launch")
    assert launched.status_code == 302
    assert holders(db, campaign) == ["H-BR", "H-G", "H-R"]


def test_a_rollover_keeps_the_heads_only_audience(db, org):
    edition = make_edition(db)
    draft = campaign_draft([edition], managers_only=True)
    campaign = create_campaign(db, draft, org["compliance"].id)
    launch(db, campaign, None)
    db.commit()
    clock.freeze(datetime(2027, 4, 2, 3, tzinfo=UTC))
    (successor,) = roll_over(db)
    db.commit()
    assert successor.managers_only is True
    assert holders(db, successor) == ["H-BR", "H-G", "H-R"]
    assert successor.period_start == date(2027, 4, 1)
