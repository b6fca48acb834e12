"""`flask --app app gift import FILE --module SLUG --language ja|en` and `gift export SLUG FILE`."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from learning.courses.formats import gift_parse
from learning.courses.models import Edition, Module, Question
from learning.courses.services import spec_from_edition
from tests.factories import make_edition

FIXTURE = Path(__file__).parent / "fixtures" / "every_construct.gift"


def run(app, *args):
    return app.test_cli_runner().invoke(args=["gift", *args])


def test_import_creates_the_module_as_a_draft_and_reports_skipped_types_by_line(app, db):
    result = run(app, "import", str(FIXTURE), "--module", "imported-bank", "--language", "en")
    assert result.exit_code == 0, result.output
    for line, kind in [(88, "essay"), (90, "matching"), (95, "numerical"), (97, "short answer"), (99, "missing word")]:
        assert f"every_construct.gift:line {line}:" in result.output and kind in result.output.lower()
    assert "18 questions added to draft edition 1; 6 skipped" in result.output
    draft = db.scalar(select(Edition).join(Module).where(Module.slug == "imported-bank"))
    assert draft.status == "draft" and draft.title_en == "imported-bank" and draft.title_ja == ""
    spec = spec_from_edition(db, draft)
    parsed = gift_parse.parse(FIXTURE.read_text(encoding="utf-8")).questions
    assert [q.prompt["en"] for q in spec.questions] == [q.prompt for q in parsed]
    assert all(q.prompt["ja"] == "" for q in spec.questions)  # the other language is left for the trainer
    assert [[c.correct for c in q.choices] for q in spec.questions] == [
        [right for _, right, _ in q.choices] if q.kind != "truefalse" else [q.choices[0][1], not q.choices[0][1]]
        for q in parsed
    ]


def test_a_file_with_syntax_errors_imports_nothing(app, db, tmp_path):
    broken = tmp_path / "broken.gift"
    broken.write_text("::ok:: Fine? {=yes ~no}\n\n::bad:: Unclosed {=a ~b\n", encoding="utf-8")
    result = run(app, "import", str(broken), "--module", "never", "--language", "ja")
    assert result.exit_code == 1
    assert "broken.gift:line 3:" in result.output and "nothing imported" in result.output
    assert db.scalar(select(func.count()).select_from(Module).where(Module.slug == "never")) == 0


def test_importing_into_an_existing_module_adds_to_a_new_draft_and_export_reads_back(app, db, tmp_path):
    edition = make_edition(db)
    slug = edition.module.slug
    before = db.scalar(select(func.count()).select_from(Question).where(Question.edition_id == edition.id))
    bank = tmp_path / "bank.gift"
    bank.write_text("::extra:: 共用IDの利用は許されるか {F#共用IDは禁止です}\n", encoding="utf-8")
    assert run(app, "import", str(bank), "--module", slug, "--language", "ja").exit_code == 0
    draft = db.scalar(select(Edition).where(Edition.module_id == edition.module_id, Edition.status == "draft"))
    assert draft.version == edition.version + 1
    questions = spec_from_edition(db, draft).questions
    assert len(questions) == before + 1 and questions[-1].key == "extra" and questions[-1].kind == "truefalse"
    assert db.get(Edition, edition.id).status == "published"  # the published edition is untouched
    out = tmp_path / "out.gift"
    result = run(app, "export", slug, str(out), "--language", "ja", "--draft")
    assert result.exit_code == 0, result.output
    again = gift_parse.parse(out.read_text(encoding="utf-8"))
    assert not again.errors and [q.prompt for q in again.questions] == [q.prompt["ja"] for q in questions]
    assert run(app, "export", slug, str(out)).exit_code == 0  # without --draft: the published edition
    assert len(gift_parse.parse(out.read_text(encoding="utf-8")).questions) == before
    assert run(app, "export", "no-such-module", str(out)).exit_code == 1
