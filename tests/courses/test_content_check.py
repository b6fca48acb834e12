"""`content check [--strict]`, `python -m learning.courses.formats.check` and `content stats`: what they print
and their exit status; import refuses errors only."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from learning.courses.formats import check
from learning.courses.models import Edition
from learning.firstrun import CONTENT_DIR
from tests.courses.banks import good_spec, line_of, write


def untagged(tmp_path):
    spec = good_spec()
    return write(
        tmp_path,
        replace(spec, questions=[replace(spec.questions[0], tags=["judgement", "allowed"]), *spec.questions[1:]]),
    )


def misspelt(tmp_path):
    spec = good_spec()
    wrong = replace(spec.questions[0], explanation={"ja": "{{dsek}}へ", "en": "Ask."})
    return write(tmp_path, replace(spec, questions=[wrong, *spec.questions[1:]]))


def test_module_exit_status_good_warning_and_error(tmp_path, capsys):
    good = write(tmp_path / "good", good_spec())
    assert check.main([str(good)]) == 0 and check.main([str(good), "--strict"]) == 0
    warned = untagged(tmp_path / "warned")
    assert check.main([str(warned)]) == 0
    assert check.main(["--strict", str(warned)]) == 1
    out = capsys.readouterr()
    bank = warned / "01-good-bank" / "questions.yaml"
    assert out.out == f"{bank}:{line_of(bank, 'tags:')}: warning: question 'q1' has no section-N tag\n" * 2
    assert "0 error(s), 1 warning(s)" in out.err
    broken = misspelt(tmp_path / "broken")
    assert check.main([str(broken)]) == 1
    assert ": error: unknown term {{dsek}}; the terms are" in capsys.readouterr().out
    assert check.main([]) == 2


def test_flask_content_check_strict(app, tmp_path):
    runner = app.test_cli_runner()
    warned = untagged(tmp_path)
    plain = runner.invoke(args=["content", "check", str(warned)])
    assert plain.exit_code == 0
    bank = warned / "01-good-bank" / "questions.yaml"
    assert f"{bank}:{line_of(bank, 'tags:')}: warning: question 'q1' has no section-N tag\n" in plain.output
    strict = runner.invoke(args=["content", "check", "--strict", str(warned)])
    assert strict.exit_code == 1


def test_flask_content_check_strict_on_the_shipped_content(app):
    result = app.test_cli_runner().invoke(args=["content", "check", "--strict", str(CONTENT_DIR)])
    assert result.exit_code == 0, result.output


def test_import_takes_a_bank_with_warnings_and_refuses_one_with_an_unknown_term(app, db, tmp_path):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["content", "import", str(misspelt(tmp_path / "broken"))])
    assert refused.exit_code == 1 and "unknown term {{dsek}}" in refused.output
    assert db.scalar(select(func.count()).select_from(Edition)) == 0
    taken = runner.invoke(args=["content", "import", str(untagged(tmp_path / "warned"))])
    assert taken.exit_code == 0, taken.output
    assert "good-bank: created (edition 1)" in taken.output


def test_content_stats_prints_the_figures_per_module_and_in_all(app, tmp_path):
    root = write(tmp_path, good_spec(), good_spec("other-bank"))
    result = app.test_cli_runner().invoke(args=["content", "stats", str(root)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "good-bank (pass mark 80%, draw 8):"
    assert "  single choice, correct option longest: ja 0/6 (0%), en 0/6 (0%) (chance 25%, threshold 40%)" in lines
    assert "  true/false answered 'true': 4/8 (50%)" in lines
    assert "  multiple select, number of correct options: 1 correct: 2, 2 correct: 2, 3 correct: 2" in lines
    assert "all 2 modules:" in lines
    # No option names the desk: the keyword guesser guesses at random (6 singles of 4, 3 multiples of 15 subsets).
    assert (
        "  expected score on the choice items of a guesser picking what names asking/reporting/the desk: ja 19%, "
        "en 19%; of a random guesser: 19%" in lines
    )


def test_content_stats_as_markdown_tables(app, tmp_path):
    root = write(tmp_path, good_spec(), good_spec("other-bank"))
    result = app.test_cli_runner().invoke(args=["content", "stats", "--markdown", str(root)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    row = "| good-bank | 13 | 0/6 / 0/6 (0% / 0%; chance 25%) | 2/4 (50%) | 1: 1, 2: 1, 3: 1 | 12 / 1 | 1 |"
    assert lines[2] == row
    # Options of equal length: the longest-option guesser picks among four ties, as chance does.
    assert lines[-1].startswith("| all 2 modules | 25% / 25%; 25% | 19% / 19%; 19% | 50%; 50% |")


def test_variant_spellings_are_warned_where_they_are_and_verbs_are_left_alone(tmp_path, capsys):
    """引越し and 取替え as the nouns are written in official documents; the verbs (引っ越します, 取り替えた) keep
    their okurigana and pass."""
    spec = good_spec()
    section = replace(spec.sections[1], body={"ja": "前置き。\n\n引っ越しの手続きを案内します。", "en": "Moving."})
    prompt = {"ja": "メーターの取り替えの日を尋ねられました。どうしますか。", "en": spec.questions[0].prompt["en"]}
    verbs = {"ja": "新しい家に引っ越します。メーターを取り替えたお宅は？", "en": spec.questions[1].prompt["en"]}
    questions = [replace(spec.questions[0], prompt=prompt), replace(spec.questions[1], prompt=verbs)]
    root = write(
        tmp_path,
        replace(
            spec, sections=[spec.sections[0], section, *spec.sections[2:]], questions=[*questions, *spec.questions[2:]]
        ),
    )
    assert check.main(["--strict", str(root)]) == 1
    out = capsys.readouterr().out.splitlines()
    folder = root / "01-good-bank"
    section_file = next((folder / "sections").glob("02-*.ja.md"))
    bank = folder / "questions.yaml"
    assert out == [
        f"{bank}:{line_of(bank, 'メーターの取り替えの日')}: warning: '取り替え' is written '取替え' in these modules "
        "(the noun's official spelling)",
        f"{section_file}:{line_of(section_file, '引っ越しの手続き')}: warning: '引っ越し' is written '引越し' in "
        "these modules (the noun's official spelling)",
    ]


def test_switch_handover_and_applicant_have_one_spelling_each():
    """切替え (the switch), 引継ぎ (the handover) and 申込者 as nouns, as in the shipped modules; the verbs
    (切り替えた, 切り替わる, 後任に引き継ぎ、) keep their okurigana."""
    from learning.courses.formats.wording import wording_findings

    spec = good_spec()
    nouns = "切り替えの申込みと、引き継ぎ資料と、申込み者の一覧。"
    verbs = "他社へ切り替えたお客さまの契約が切り替わり、記録は後任に引き継ぎ、手元に残しません。申込者に伝えます。"
    questions = [
        replace(spec.questions[0], prompt={"ja": nouns, "en": "Nouns."}),
        replace(spec.questions[1], prompt={"ja": verbs, "en": "Verbs."}),
    ]
    found = wording_findings(replace(spec, questions=[*questions, *spec.questions[2:]]))
    assert [(f.question, f.params["variant"], f.params["preferred"]) for f in found] == [
        (1, "切り替え", "切替え"),
        (1, "引き継ぎ", "引継ぎ"),
        (1, "申込み者", "申込者"),
    ]


def test_shipped_modules_write_each_noun_one_way():
    """The whole shipped tree passes the spelling rule (the check CI runs covers it too; this names the word)."""
    from learning.courses.formats.content import read_tree
    from learning.courses.formats.wording import wording_findings

    found = [(spec.slug, f.params["variant"]) for spec in read_tree(CONTENT_DIR) for f in wording_findings(spec)]
    assert found == []
