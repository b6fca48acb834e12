"""Exports take a slot: while every slot of the process is streaming, one more download is answered 503 with
Retry-After (never made, never a 500), and a slot comes back when the download is closed."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from learning.campaigns.models import Campaign
from tests.conftest import sign_in
from tests.factories import make_department, make_edition, make_launched_campaign, make_user


def test_a_download_past_the_slots_waits_then_gets_503_and_a_slot_comes_back(app, db):
    app.extensions["settings"] = replace(app.extensions["settings"], export_slots=1, export_wait_seconds=0)
    department = make_department(db, code="SLOTS")
    make_user(db, department=department)
    compliance = make_user(db, "compliance")
    campaign = make_launched_campaign(db, [make_edition(db, slug="slots")], compliance.id)
    db.commit()
    client = app.test_client()
    sign_in(client, compliance.employee_no)
    path = f"/reports/campaigns/{db.scalar(select(Campaign.id).where(Campaign.id == campaign.id))}.csv"

    streaming = client.get(path)  # headers sent, body not read: its slot is held
    assert streaming.status_code == 200
    refused = client.get(path)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "30"
    assert "Please try again in a minute" in refused.get_data(as_text=True)

    streaming.get_data()
    streaming.close()  # what the server does after the last byte
    again = client.get(path)
    assert again.status_code == 200 and again.get_data(as_text=True).startswith("\ufeff")
    again.close()
