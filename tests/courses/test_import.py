"""Importing content: idempotent, changed content becomes a new edition, assigned editions stay put."""

import shutil

from sqlalchemy import func, select

from learning.audit.models import AuditEvent
from learning.courses.models import Edition, Question
from learning.courses.services import import_modules
from learning.firstrun import CONTENT_DIR
from tests.factories import make_assignment, make_user, module_spec


def test_import_is_idempotent_and_changes_make_new_editions(db):
    first = import_modules(db, [module_spec()])
    assert [(o.result, o.version) for o in first] == [("created", 1)]
    again = import_modules(db, [module_spec()])
    assert [(o.result, o.version) for o in again] == [("unchanged", 1)]
    assert db.scalar(select(func.count()).select_from(Edition)) == 1

    learner = make_user(db)
    old = db.scalar(select(Edition))
    assignment = make_assignment(db, learner, old)
    changed = import_modules(db, [module_spec(body="改訂された本文。")])
    assert [(o.result, o.version) for o in changed] == [("new_edition", 2)]
    db.commit()
    db.expire_all()
    statuses = {version: status for version, status in db.execute(select(Edition.version, Edition.status))}
    assert statuses == {1: "retired", 2: "published"}
    assert assignment.edition_id == old.id
    assert old.sections[0].body_ja == "本文です。1"


def test_import_records_an_audit_event_only_when_something_changed(db):
    import_modules(db, [module_spec()])
    import_modules(db, [module_spec()])
    assert db.scalar(select(func.count()).where(AuditEvent.action == "content_import")) == 1


def test_cli_check_lists_problems_and_exits_non_zero(app, tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(CONTENT_DIR / "01-why-unbundling", broken / "01-why-unbundling")
    meta = broken / "01-why-unbundling" / "module.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("pass_mark: 80", "pass_mark: 180"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "check", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}/01-why-unbundling/module.yaml:" in result.output
    assert "'pass_mark' must be a whole number from 1 to 100" in result.output


def test_cli_import_of_broken_content_imports_nothing(app, db, tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, broken)
    (broken / "05-when-in-doubt-ask" / "questions.yaml").write_text("- id: [\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "import", str(broken)])
    assert result.exit_code == 1
    assert "questions.yaml:" in result.output
    assert db.scalar(select(func.count()).select_from(Edition)) == 0


def test_cli_import_then_export_round_trip(app, db, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "import", str(CONTENT_DIR)])
    assert result.exit_code == 0, result.output
    assert "why-unbundling: created (edition 1)" in result.output
    assert db.scalar(select(func.count()).select_from(Question)) >= 60
    again = runner.invoke(args=["content", "import", str(CONTENT_DIR)])
    assert "why-unbundling: unchanged (edition 1)" in again.output
    exported = runner.invoke(args=["content", "export", "why-unbundling", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    reimport = runner.invoke(args=["content", "import", str(tmp_path / "out" / "why-unbundling")])
    assert "why-unbundling: unchanged (edition 1)" in reimport.output
    missing = runner.invoke(args=["content", "export", "no-such-module", str(tmp_path / "x")])
    assert missing.exit_code == 1 and "no module with slug 'no-such-module'" in missing.output


def test_a_draft_in_the_works_does_not_make_the_unchanged_files_a_new_edition(db):
    from learning.authoring import services as authoring

    import_modules(db, [module_spec()])
    published = db.scalar(select(Edition))
    trainer = make_user(db, "trainer")
    draft = authoring.start_draft(db, published.module_id, trainer.id)
    again = import_modules(db, [module_spec()])
    assert [(o.result, o.version) for o in again] == [("unchanged", 1)]
    changed = import_modules(db, [module_spec(body="改訂された本文。")])
    assert [(o.result, o.version) for o in changed] == [("new_edition", 3)]  # above the draft's version 2
    db.expire_all()
    assert db.get(Edition, draft.id).status == "draft" and published.status == "retired"


def test_the_start_up_import_keeps_an_edition_published_through_review(db):
    from dataclasses import replace

    from learning.authoring import review
    from learning.authoring import services as authoring
    from learning.courses.services import spec_from_edition

    import_modules(db, [module_spec()])
    author, reviewer = make_user(db, "trainer"), make_user(db, "trainer")
    draft = authoring.start_draft(db, db.scalar(select(Edition)).module_id, author.id)
    spec = replace(spec_from_edition(db, draft), edition_label="reviewed")
    draft = authoring.save_draft(db, draft.id, draft.revision, spec, author.id)
    review.submit(db, draft.id, draft.revision, author.id, "note", False)
    reviewed, _ = review.approve(db, draft.id, reviewer.id)
    kept = import_modules(db, [module_spec()], keep_reviewed=True)
    assert [(o.result, o.version) for o in kept] == [("kept", reviewed.version)]
    assert reviewed.status == "published"
    replaced = import_modules(db, [module_spec()])  # an explicit `content import` still replaces it
    assert [o.result for o in replaced] == ["new_edition"]


def test_cli_check_and_import_refuse_a_nul_in_a_section_and_import_nothing(app, db, tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(CONTENT_DIR / "01-why-unbundling", broken / "01-why-unbundling")
    section = sorted((broken / "01-why-unbundling" / "sections").glob("01-*.ja.md"))[0]
    section.write_text(section.read_text(encoding="utf-8") + "末尾\x00\n", encoding="utf-8")
    line = section.read_text(encoding="utf-8").count("\n")
    runner = app.test_cli_runner()
    for command, severity in (("check", "error: "), ("import", "")):  # check says which findings are errors
        result = runner.invoke(args=["content", command, str(broken)])
        assert result.exit_code == 1
        assert f"{section.as_posix()}:{line}: {severity}control character U+0000 in column 3" in result.output
    assert db.scalar(select(func.count()).select_from(Edition)) == 0
