"""Checklist templates: the shipped starter template reads without a problem; a bad file is refused line by
line; import, drafts, review with four eyes and publishing; the database's own guards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learning import clock
from learning.audit.models import AuditEvent
from learning.inspections import diff, evidence, services
from learning.inspections.formats import read_file, read_tree
from learning.inspections.models import InspectionAnswer, InspectionResponse, InspectionVersion
from learning.inspections.services import InspectionError, ItemInput
from tests.factories import make_department, make_user

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "content" / "inspections"
STARTER_KEYS = [
    "terminal-ledger",
    "no-icons-or-shortcuts",
    "personal-login-ids",
    "ids-of-movers-removed",
    "temporary-measures-withdrawn",
    "shared-folders-clean",
    "training-completed",
    "concerns-passed-to-desk",
]


def test_the_starter_template_passes_the_check_and_ties_every_item_to_a_measure():
    specs, problems = read_tree(SHIPPED)
    assert [str(p) for p in problems] == []
    (starter,) = specs
    assert starter.slug == "workplace-self-inspection"
    assert [i.key for i in starter.items] == STARTER_KEYS
    for item in starter.items:
        assert item.text["ja"] and item.text["en"] and item.guidance["ja"] and item.guidance["en"]
        assert item.source.startswith(("1 ", "2 ", "3 ")), item.key  # a section of the source document
    assert [i.key for i in starter.items if i.evidence] == ["terminal-ledger", "ids-of-movers-removed"]


def test_the_check_command_passes_the_shipped_file_and_names_file_and_line_of_each_problem(tmp_path):
    def run(path):
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "inspections", "check", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "INSTANCE_PATH": str(tmp_path)},
            check=False,
        )

    shipped = run(SHIPPED)
    assert shipped.returncode == 0, shipped.stdout + shipped.stderr
    assert "1 template(s), 8 item(s): no problems" in shipped.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, "utf-8")
    refused = run(bad)
    assert refused.returncode == 1
    assert f"{tmp_path.as_posix()}/bad.yaml:9: error: unknown term {{{{grid_co}}}}" in refused.stdout


BAD = """slug: bad-one
title:
  ja: 点検
  en: Inspection
items:
  - key: one
    text:
      ja: 端末
      en: The {{grid_co}} terminals
    source: "2 b."
  - key: one
    text:
      ja: ID
    evidence: yes
  - text: {ja: 共有, en: Shared}
    source: ""
    colour: red
"""


def test_a_bad_file_gets_every_problem_with_its_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, "utf-8")
    spec, problems = read_file(bad)
    assert spec is None
    assert [(p.line, p.text) for p in problems] == [
        (9, "unknown term {{grid_co}}; the terms are " + problems[0].params["known"]),
        (11, "item 2: key 'one' is used twice"),
        (13, "'text' has no 'en' text"),
        (14, "item 2: 'evidence' must be true or false"),
        (11, "item 2: 'source' must name the measure the item comes from"),
        (17, "unknown key 'colour' in item 3"),
        (15, "item 3: 'key' must be lowercase words joined by hyphens"),
        (16, "item 3: 'source' must name the measure the item comes from"),
    ]


def test_import_publishes_once_and_a_changed_file_makes_a_new_version(db, tmp_path):
    specs, _ = read_tree(SHIPPED)
    assert [(o.result, o.version) for o in services.import_templates(db, specs)] == [("created", 1)]
    assert [(o.result, o.version) for o in services.import_templates(db, specs)] == [("unchanged", 1)]
    changed = tmp_path / "t.yaml"
    changed.write_text(
        (SHIPPED / "01-workplace-self-inspection.yaml").read_text("utf-8").replace("台帳と一致", "台帳と完全に一致")
    )
    (spec,), _ = read_tree(changed)
    assert [(o.result, o.version) for o in services.import_templates(db, [spec])] == [("updated", 2)]
    versions = db.scalars(select(InspectionVersion).order_by(InspectionVersion.version)).all()
    assert [(v.version, v.status, len(v.items)) for v in versions] == [(1, "retired", 8), (2, "published", 8)]
    assert versions[1].content_hash == spec.content_hash()


def item(text_ja: str, text_en: str, **fields) -> ItemInput:
    return ItemInput(
        {"ja": text_ja, "en": text_en}, fields.get("guidance", {"ja": "", "en": ""}), fields.get("evidence", False)
    )


def authored(db):
    """A new checklist with three items sent to review by its author; (author, version)."""
    author = make_user(db, "compliance")
    version = services.new_template(db, "branch-check", {"ja": "支店点検", "en": "Branch check"}, author.id)
    for n in (1, 2, 3):
        services.add_item(db, version.id, item(f"項目{n}", f"Item {n}"), author.id)
    services.submit(db, version.id, author.id)
    return author, version


def test_a_draft_is_edited_item_by_item_and_published_by_a_second_officer(db):
    author, version = authored(db)
    with pytest.raises(InspectionError) as own:
        services.approve(db, version.id, author.id)
    assert own.value.code == "own_version" and own.value.audit.outcome == "denied"
    reviewer = make_user(db, "compliance")
    services.send_back(db, version.id, reviewer.id, "項目2を具体的に / Make item 2 concrete")
    items = {i.key: i for i in db.get(InspectionVersion, version.id).items}
    services.update_item(
        db, version.id, items["item-2"].id, item("項目2（具体的）", "Item 2, concrete", evidence=True), author.id
    )
    services.move_item(db, version.id, items["item-3"].id, -1, author.id)
    services.remove_item(db, version.id, items["item-1"].id, author.id)
    services.submit(db, version.id, author.id)
    published, replaced = services.approve(db, version.id, reviewer.id)
    assert (published.status, published.approved_by_id, replaced) == ("published", reviewer.id, None)
    db.expire_all()
    assert [(i.position, i.key, i.evidence_required) for i in db.get(InspectionVersion, version.id).items] == [
        (1, "item-3", False),
        (2, "item-2", True),
    ]
    second = services.start_draft(db, version.template_id, author.id)
    assert (second.version, [i.key for i in second.items]) == (2, ["item-3", "item-2"])
    assert services.start_draft(db, version.template_id, reviewer.id).id == second.id  # the one in the works
    services.add_item(db, second.id, item("項目4", "Item 4"), author.id)
    changes = diff.item_changes(services.spec_of(db.get(InspectionVersion, second.id)), services.spec_of(published))
    assert [(c.kind, (c.new or c.old).key) for c in changes] == [
        ("unchanged", "item-3"),
        ("unchanged", "item-2"),
        ("added", "item-4"),
    ]
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("inspection_draft_edited") == 7 and "inspection_published" in actions


def test_terms_are_allowed_unknown_ones_and_unsafe_markup_refused(db):
    author = make_user(db, "compliance")
    version = services.new_template(db, "terms", {"ja": "用語", "en": "Terms"}, author.id)
    services.add_item(db, version.id, item("{{grid_company}}の端末", "{{grid_company}}'s terminals"), author.id)
    with pytest.raises(InspectionError) as unknown:
        services.add_item(db, version.id, item("{{grid}}の端末", "Terminals"), author.id)
    assert (unknown.value.code, unknown.value.field, unknown.value.params["term"]) == (
        "unknown_term",
        "text_ja",
        "{{grid}}",
    )
    with pytest.raises(InspectionError) as markup:
        unsafe = {"ja": "<script>alert(1)</script>", "en": "ok"}
        services.add_item(db, version.id, item("端末", "Terminals", guidance=unsafe), author.id)
    assert (markup.value.code, markup.value.field) == ("markup", "guidance_ja")
    with pytest.raises(InspectionError) as empty:
        services.add_item(db, version.id, item("端末", " "), author.id)
    assert empty.value.code == "text_required"
    with pytest.raises(InspectionError) as empty_draft:
        services.submit(db, services.new_template(db, "empty", {"ja": "空", "en": "Empty"}, author.id).id, author.id)
    assert empty_draft.value.code == "no_items"


def test_the_database_refuses_a_version_approved_by_its_author(db):
    author, version = authored(db)
    row = db.get(InspectionVersion, version.id)
    row.status, row.approved_by_id = "published", author.id
    with pytest.raises(IntegrityError) as four_eyes:
        db.flush()
    assert "four_eyes" in str(four_eyes.value)


def test_a_second_version_in_the_works_is_refused_by_the_database(db):
    _, version = authored(db)
    extra = InspectionVersion(
        template_id=version.template_id, version=2, status="draft", title_ja="x", title_en="x", created_at=clock.now()
    )
    db.add(extra)
    with pytest.raises(IntegrityError) as refused:
        db.flush()
    assert "uq_inspection_versions_in_the_works" in str(refused.value) or "UNIQUE constraint failed" in str(
        refused.value
    )


def test_an_answer_other_than_conforms_needs_a_comment_and_evidence_is_told_by_its_bytes(db):
    _author, version = authored(db)
    services.approve(db, version.id, make_user(db, "compliance").id)
    response = InspectionResponse(version_id=version.id, department_id=make_department(db).id, created_at=clock.now())
    db.add(response)
    db.flush()
    first = db.get(InspectionVersion, version.id).items[0]
    db.add(
        InspectionAnswer(
            response_id=response.id, item_id=first.id, answer="does_not_conform", comment=" ", answered_at=clock.now()
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    assert evidence.checked("ledger.png", png, 1024) == "image/png"
    assert evidence.checked("ledger.pdf", b"%PDF-1.7\n...", 1024) == "application/pdf"
    assert evidence.checked("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 10, 1024) == "image/jpeg"
    for name, data, code in (
        ("ledger.png", b"MZ\x90\x00 not an image", "evidence_type"),  # the name says PNG, the bytes do not
        ("big.pdf", b"%PDF-" + b"\0" * 2000, "evidence_size"),
        ("empty.png", b"", "evidence_empty"),
    ):
        with pytest.raises(InspectionError) as refused:
            evidence.checked(name, data, 1024)
        assert (refused.value.code, refused.value.params["name"]) == (code, name)


def test_a_browser_s_line_breaks_are_no_change(db):
    """A text area sends CRLF; the item saved again as it was shows no change against the published file."""
    specs, _ = read_tree(SHIPPED)
    services.import_templates(db, specs)
    author = make_user(db, "compliance")
    published = db.scalar(select(InspectionVersion))
    draft = services.start_draft(db, published.template_id, author.id)
    first = draft.items[0]
    as_sent = {lang: text.replace("\n", "\r\n") for lang, text in first.guidances.items()}
    assert "\r\n" in as_sent["ja"]
    services.update_item(
        db, draft.id, first.id, ItemInput(first.texts, as_sent, True, first.source + "\r\n"), author.id
    )
    db.expire_all()
    new = services.spec_of(db.get(InspectionVersion, draft.id))
    assert [c.kind for c in diff.item_changes(new, services.spec_of(published))] == ["unchanged"] * 8


def test_the_first_run_keeps_a_version_compliance_published_and_an_explicit_import_replaces_it(db):
    specs, _ = read_tree(SHIPPED)
    services.import_templates(db, specs)
    author, reviewer = make_user(db, "compliance"), make_user(db, "compliance")
    template_id = db.scalar(select(InspectionVersion.template_id))
    draft = services.start_draft(db, template_id, author.id)
    services.save_header(
        db, draft.id, {"ja": "支店の自主点検", "en": "Branch self-inspection"}, draft.intros, author.id
    )
    services.submit(db, draft.id, author.id)
    services.approve(db, draft.id, reviewer.id)
    assert [(o.result, o.version) for o in services.import_templates(db, specs, keep_reviewed=True)] == [("kept", 2)]
    assert [(o.result, o.version) for o in services.import_templates(db, specs)] == [("updated", 3)]
    db.expire_all()
    assert services.published(db, template_id).title_ja == "職場の行為規制 自主点検"
