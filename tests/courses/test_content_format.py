"""Content parsing: the shipped modules are valid, every problem is reported with file and line."""

import ast
from pathlib import Path

import pytest

from learning.courses.formats import bundle, questions, reader
from learning.courses.formats import content as content_format
from learning.courses.formats.content import read_module, read_tree
from learning.courses.formats.spec import ContentError
from learning.courses.formats.writing import write_module
from learning.firstrun import CONTENT_DIR
from tests.factories import module_spec


def test_shipped_modules_are_complete():
    specs = read_tree(CONTENT_DIR)
    assert len(specs) >= 5
    for spec in specs:
        assert len(spec.sections) >= 3, spec.slug
        assert len(spec.questions) >= 12, spec.slug
        assert {q.kind for q in spec.questions} == {"single", "multiple", "truefalse"}, spec.slug
        assert spec.draw <= len(spec.questions)
        for question in spec.questions:
            assert question.explanation["ja"] and question.explanation["en"]
            for choice in question.choices:
                if not choice.correct:
                    assert choice.feedback, f"{spec.slug}/{question.key}: wrong choice without feedback"


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


GOOD_META = """slug: sample
edition: "2026"
title: {ja: 題, en: Title}
summary: {ja: 概要, en: Summary}
minutes: 10
pass_mark: 80
draw: 1
"""
GOOD_QUESTIONS = """- id: q1
  kind: truefalse
  prompt: {ja: 問, en: Q}
  explanation: {ja: 解, en: E}
  answer: false
  feedback: {ja: 違う, en: No}
"""
GOOD_SECTIONS = {"sections/01-a.ja.md": "# 見出し\n本文\n", "sections/01-a.en.md": "# Heading\nBody\n"}


def test_a_valid_folder_reads(tmp_path):
    spec = read_module(
        write(tmp_path / "m", {"module.yaml": GOOD_META, "questions.yaml": GOOD_QUESTIONS, **GOOD_SECTIONS})
    )
    assert spec.slug == "sample"
    (true_choice, false_choice) = spec.questions[0].choices
    assert (true_choice.correct, false_choice.correct) == (False, True)
    assert true_choice.feedback == {"ja": "違う", "en": "No"}


def test_every_problem_is_listed_with_file_and_line(tmp_path):
    meta = GOOD_META.replace("minutes: 10", "minutes: zero").replace("title: {ja: 題, en: Title}", "title: {ja: 題}")
    questions = """- id: q1
  kind: single
  prompt: {ja: 問, en: Q}
  explanation: {ja: 解, en: E}
  choices:
    - text: {ja: あ, en: A}
      correct: true
    - text: {ja: い, en: B}
      correct: false
- id: q1
  kind: essay
  prompt: {ja: 問, en: Q}
  explanation: {ja: 解}
"""
    folder = write(
        tmp_path / "m", {"module.yaml": meta, "questions.yaml": questions, "sections/01-a.ja.md": "no title\n"}
    )
    with pytest.raises(ContentError) as caught:
        read_module(folder, shown_as="m")
    shown = [str(p) for p in caught.value.problems]
    assert "m/module.yaml:3: 'title' has no 'en' text" in shown
    assert "m/module.yaml:5: 'minutes' must be a whole number from 1 to 240" in shown
    assert "m/sections/01-a.ja.md:1: the first line must be the section title as '# Title'" in shown
    assert "m/questions.yaml:8: 'feedback' is missing" in shown
    assert "m/questions.yaml:11: 'kind' must be one of single, multiple, truefalse" in shown
    assert "m/questions.yaml:13: 'explanation' has no 'en' text" in shown


def test_yaml_syntax_error_names_the_line(tmp_path):
    folder = write(
        tmp_path / "m",
        {"module.yaml": GOOD_META + "title: [unclosed\n", "questions.yaml": GOOD_QUESTIONS, **GOOD_SECTIONS},
    )
    with pytest.raises(ContentError) as caught:
        read_module(folder, shown_as="m")
    assert any(p.file == "m/module.yaml" and p.line >= 8 and "invalid YAML" in p.message for p in caught.value.problems)


def test_english_yes_and_no_stay_text(tmp_path):
    """YAML 1.1 would read an English "No" as the boolean false and lose the text."""
    questions = GOOD_QUESTIONS.replace("feedback: {ja: 違う, en: No}", "feedback: {ja: いいえ, en: No}")
    spec = read_module(write(tmp_path / "m", {"module.yaml": GOOD_META, "questions.yaml": questions, **GOOD_SECTIONS}))
    assert spec.questions[0].choices[0].feedback == {"ja": "いいえ", "en": "No"}


def test_missing_language_and_gap_in_sections(tmp_path):
    files = {
        "module.yaml": GOOD_META,
        "questions.yaml": GOOD_QUESTIONS,
        "sections/01-a.ja.md": "# 見出し\n本文\n",
        "sections/03-c.ja.md": "# 見出し\n本文\n",
        "sections/03-c.en.md": "# H\nB\n",
    }
    with pytest.raises(ContentError) as caught:
        read_module(write(tmp_path / "m", files), shown_as="m")
    messages = {p.text for p in caught.value.problems}
    assert "section 01 has no 'en' file" in messages
    assert "section numbers must run 01 to 02 without gaps" in messages


def test_draw_larger_than_bank(tmp_path):
    files = {"module.yaml": GOOD_META.replace("draw: 1", "draw: 3"), "questions.yaml": GOOD_QUESTIONS, **GOOD_SECTIONS}
    with pytest.raises(ContentError) as caught:
        read_module(write(tmp_path / "m", files), shown_as="m")
    assert [str(p) for p in caught.value.problems] == ["m/module.yaml:7: 'draw' is 3 but the bank has only 1 questions"]


def test_image_referenced_but_missing(tmp_path):
    files = {
        "module.yaml": GOOD_META,
        "questions.yaml": GOOD_QUESTIONS,
        **GOOD_SECTIONS,
        "sections/01-a.en.md": "# Heading\nBody\n\n![map](images/map.png)\n",
    }
    with pytest.raises(ContentError) as caught:
        read_module(write(tmp_path / "m", files), shown_as="m")
    assert [str(p) for p in caught.value.problems] == [
        "m/sections/01-a.en.md:4: image 'images/map.png' is not in the images/ folder"
    ]


def test_write_then_read_round_trip_keeps_the_hash(tmp_path):
    spec = module_spec(questions=4, draw=2)
    spec.questions[0].kind = "truefalse"
    spec.questions[0].choices = spec.questions[0].choices[:2]
    spec.questions[0].choices[0].text = {"ja": "正しい", "en": "True"}
    spec.questions[0].choices[1].text = {"ja": "誤り", "en": "False"}
    spec.questions[0].choices[0].feedback = None
    spec.images = {"chart.png": b"\x89PNG fake"}
    spec.sections[0].body = {"ja": "本文\n\n![図](images/chart.png)", "en": "Body\n\n![chart](images/chart.png)"}
    write_module(spec, tmp_path / "out")
    again = read_module(tmp_path / "out")
    assert again.content_hash() == spec.content_hash()


def test_duplicate_slugs_across_folders(tmp_path):
    for name in ("a", "b"):
        write(tmp_path / name, {"module.yaml": GOOD_META, "questions.yaml": GOOD_QUESTIONS, **GOOD_SECTIONS})
    with pytest.raises(ContentError) as caught:
        read_tree(tmp_path)
    assert any("slug 'sample' is also used by" in p.text for p in caught.value.problems)


def test_a_folder_named_like_a_section_or_an_image_is_reported_not_a_crash(tmp_path):
    folder = tmp_path / "sample"
    write_module(module_spec(), folder)
    (folder / "sections" / "09-extra.en.md").mkdir()
    (folder / "images").mkdir(exist_ok=True)
    (folder / "images" / "a.png").mkdir()
    with pytest.raises(ContentError) as error:
        read_module(folder, shown_as="sample")
    messages = [str(p) for p in error.value.problems]
    assert "sample/sections/09-extra.en.md: section files are named NN-name.ja.md or NN-name.en.md" in messages
    assert "sample/images/a.png: images must be .png, .jpg, .gif or .webp with a plain ASCII name" in messages


def test_module_tags_round_trip_and_leave_untagged_hashes_alone(tmp_path):
    spec = module_spec()
    untagged = spec.content_hash()
    from dataclasses import replace

    tagged = replace(spec, tags=["ids", "transfers"])
    assert tagged.content_hash() != untagged
    write_module(tagged, tmp_path / "m")
    assert "tags:\n- ids\n- transfers" in (tmp_path / "m" / "module.yaml").read_text(encoding="utf-8")
    read = read_module(tmp_path / "m")
    assert read.tags == ["ids", "transfers"] and read.content_hash() == tagged.content_hash()
    write_module(spec, tmp_path / "plain")
    assert "tags" not in (tmp_path / "plain" / "module.yaml").read_text(encoding="utf-8")
    assert read_module(tmp_path / "plain").content_hash() == untagged


def test_a_problem_keeps_its_template_and_values_apart(tmp_path):
    meta = GOOD_META.replace("minutes: 10", "minutes: 999")
    files = {"module.yaml": meta, "questions.yaml": GOOD_QUESTIONS, **GOOD_SECTIONS}
    with pytest.raises(ContentError) as caught:
        read_module(write(tmp_path / "m", files), shown_as="m")
    (problem,) = caught.value.problems
    assert problem.message == "'%(key)s' must be a whole number from %(low)d to %(high)d"  # what a catalogue holds
    assert problem.params == {"key": "minutes", "low": 1, "high": 240}
    assert problem.text == "'minutes' must be a whole number from 1 to 240"
    assert str(problem) == "m/module.yaml:5: 'minutes' must be a whole number from 1 to 240"


def test_every_problem_message_is_a_plain_literal_marked_for_extraction():
    """pybabel extracts only literal strings from N_(...); a formatted message would never be translated."""
    templates = []
    for module in (content_format, reader, questions, bundle):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "N_":
                (argument,) = node.args
                assert not node.keywords, ast.unparse(node)
                assert isinstance(argument, ast.Constant) and isinstance(argument.value, str), ast.unparse(node)
                # a template without placeholders is never %-formatted, so a lone % would show as typed
                assert "%" not in argument.value or "%(" in argument.value, argument.value
                templates.append(argument.value)
            elif name in ("problem", "Problem", "refuse"):
                # the message goes through N_ (or a variable holding one), never as a bare or formatted string
                position = 0 if name == "refuse" else 2
                if len(node.args) > position:
                    message = node.args[position]
                    assert not isinstance(message, ast.JoinedStr | ast.BinOp), ast.unparse(node)
                    assert not (isinstance(message, ast.Constant) and isinstance(message.value, str)), ast.unparse(node)
    assert len(templates) >= 50


def test_nul_in_a_section_body_is_refused_with_file_line_and_column(tmp_path):
    sections = {**GOOD_SECTIONS, "sections/01-a.en.md": "# Heading\nBody\nmore \x00text\n"}
    files = {"module.yaml": GOOD_META, "questions.yaml": GOOD_QUESTIONS, **sections}
    with pytest.raises(ContentError) as caught:
        read_module(write(tmp_path / "m", files), shown_as="m")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == ("m/sections/01-a.en.md", 3)
    assert problem.params == {"character": "U+0000", "column": 6}
    assert str(problem) == (
        "m/sections/01-a.en.md:3: control character U+0000 in column 6; "
        "text may not hold NUL or other control characters"
    )


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"])
def test_a_control_character_in_a_yaml_title_is_refused_with_its_line(tmp_path, character):
    """PyYAML itself refuses most of these with a ReaderError that has no line; the check comes first."""
    meta = GOOD_META.replace("title: {ja: 題, en: Title}", f"title: {{ja: 題, en: Ti{character}tle}}")
    files = {"module.yaml": meta, "questions.yaml": GOOD_QUESTIONS, **GOOD_SECTIONS}
    with pytest.raises(ContentError) as caught:
        read_module(write(tmp_path / "m", files), shown_as="m")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == ("m/module.yaml", 3)
    assert problem.params["character"] == f"U+{ord(character):04X}"


def test_a_control_character_written_as_a_yaml_escape_is_refused_with_its_line(tmp_path):
    questions = GOOD_QUESTIONS.replace("prompt: {ja: 問, en: Q}", 'prompt: {ja: 問, en: "Q\\0?"}')
    files = {"module.yaml": GOOD_META, "questions.yaml": questions, **GOOD_SECTIONS}
    with pytest.raises(ContentError) as caught:
        read_module(write(tmp_path / "m", files), shown_as="m")
    (problem,) = caught.value.problems
    assert str(problem) == (
        "m/questions.yaml:3: 'en' holds control character U+0000; text may not hold NUL or other control characters"
    )


def test_a_character_yaml_refuses_is_named_with_its_line(tmp_path):
    meta = GOOD_META.replace("summary: {ja: 概要, en: Summary}", "summary: {ja: 概要, en: Sum\ufffemary}")
    files = {"module.yaml": meta, "questions.yaml": GOOD_QUESTIONS, **GOOD_SECTIONS}
    with pytest.raises(ContentError) as caught:
        read_module(write(tmp_path / "m", files), shown_as="m")
    assert [str(p) for p in caught.value.problems] == ["m/module.yaml:4: character U+FFFE is not allowed in YAML"]


SOURCES_META = (
    GOOD_META
    + """min_read_seconds: 45
sources:
  - ja: 経済産業省「電力の小売営業に関する指針」
    en: METI, "Guideline on retail electricity sales"
    url: https://www.meti.go.jp/
  - {ja: 本ポータルの元資料, en: The source document of this portal}
"""
)


def test_sources_and_reading_time_are_read_and_written_back(tmp_path):
    folder = write(tmp_path / "m", {"module.yaml": SOURCES_META, "questions.yaml": GOOD_QUESTIONS, **GOOD_SECTIONS})
    spec = read_module(folder)
    assert spec.min_read_seconds == 45
    assert [(s.text["en"], s.url) for s in spec.sources] == [
        ('METI, "Guideline on retail electricity sales"', "https://www.meti.go.jp/"),
        ("The source document of this portal", None),
    ]
    write_module(spec, tmp_path / "out")
    again = read_module(tmp_path / "out")
    assert again.sources == spec.sources and again.min_read_seconds == 45
    assert again.content_hash() == spec.content_hash()


def test_a_module_without_sources_keeps_its_hash(tmp_path):
    plain = read_module(
        write(tmp_path / "a", {"module.yaml": GOOD_META, "questions.yaml": GOOD_QUESTIONS, **GOOD_SECTIONS})
    )
    with_sources = read_module(
        write(tmp_path / "b", {"module.yaml": SOURCES_META, "questions.yaml": GOOD_QUESTIONS, **GOOD_SECTIONS})
    )
    assert plain.content_hash() != with_sources.content_hash()
    with_sources.sources, with_sources.min_read_seconds = [], None
    assert with_sources.content_hash() == plain.content_hash()


@pytest.mark.parametrize(
    ("meta", "line", "message"),
    [
        ("sources: a string\n", 8, "'sources' must be a list of sources with 'ja' and 'en'"),
        ("sources:\n  - {ja: 出典}\n", 9, "source 1 has no 'en' text"),
        ("sources:\n  - {ja: 出典, en: Source, url: 'ftp://x'}\n", 9, "source 1: 'url' must be an http(s) address"),
        ("sources:\n  - {ja: 出典, en: Source, page: 3}\n", 9, "unknown key 'page' in a source"),
        ("min_read_seconds: 0\n", 8, "'min_read_seconds' must be a whole number from 1 to 600"),
    ],
)
def test_bad_sources_and_reading_time_are_named_with_their_line(tmp_path, meta, line, message):
    folder = write(tmp_path / "m", {"module.yaml": GOOD_META + meta, "questions.yaml": GOOD_QUESTIONS, **GOOD_SECTIONS})
    with pytest.raises(ContentError) as caught:
        read_module(folder)
    assert [(p.line, p.text) for p in caught.value.problems] == [(line, message)]
