"""Edition diff: what a reviewer sees changed between two editions, section by section and question by question."""

from dataclasses import replace

from learning.authoring.diff import ItemDiff, TextChange, ValueChange, diff_editions, line_diff
from learning.courses.formats.spec import ChoiceSpec, ModuleSpec, QuestionSpec, SectionSpec


def section(n: int, lines: int = 3) -> SectionSpec:
    return SectionSpec(
        n,
        {"ja": f"第{n}節", "en": f"Section {n}"},
        {
            "ja": "\n".join(f"本文{n}の{i}行目" for i in range(1, lines + 1)),
            "en": "\n".join(f"Body {n} line {i}" for i in range(1, lines + 1)),
        },
    )


def choice(text: str, correct: bool, feedback: str | None = None) -> ChoiceSpec:
    return ChoiceSpec(
        {"ja": f"{text}(ja)", "en": text},
        correct,
        {"ja": f"{feedback}(ja)", "en": feedback} if feedback else None,
    )


def question(key: str, tags: list[str] | None = None) -> QuestionSpec:
    return QuestionSpec(
        key,
        "single",
        {"ja": f"{key}の問題", "en": f"Question {key}?"},
        {"ja": f"{key}の解説", "en": f"Because {key}."},
        [choice("Right", True), choice("Wrong", False, "Not so"), choice("Other", False, "No")],
        tags or [],
    )


def numbered(sections: list[SectionSpec]) -> list[SectionSpec]:
    return [replace(s, position=n) for n, s in enumerate(sections, 1)]


def module(**changes) -> ModuleSpec:
    spec = ModuleSpec(
        slug="harassment",
        edition_label="2024",
        title={"ja": "ハラスメント防止", "en": "Preventing harassment"},
        summary={"ja": "概要", "en": "Summary"},
        minutes=30,
        pass_mark=80,
        draw=3,
        sections=[section(1), section(2), section(3)],
        questions=[question("q1"), question("q2"), question("q3")],
        images={"figure.png": b"png-1"},
    )
    return replace(spec, **changes)


def with_question(spec: ModuleSpec, n: int, **changes) -> ModuleSpec:
    questions = list(spec.questions)
    questions[n - 1] = replace(questions[n - 1], **changes)
    return replace(spec, questions=questions)


def with_choice(spec: ModuleSpec, q: int, c: int, **changes) -> ModuleSpec:
    choices = list(spec.questions[q - 1].choices)
    choices[c - 1] = replace(choices[c - 1], **changes)
    return with_question(spec, q, choices=choices)


def summary(items: list[ItemDiff]) -> list[tuple]:
    return [(item.status, item.old_number, item.new_number, item.key) for item in items]


def test_new_module_reports_everything_added():
    diff = diff_editions(None, module())
    assert [(c.field, getattr(c, "language", None)) for c in diff.module] == [
        ("label", None),
        ("title", "ja"),
        ("title", "en"),
        ("summary", "ja"),
        ("summary", "en"),
        ("minutes", None),
        ("pass_mark", None),
        ("draw", None),
    ]
    assert diff.module[0] == TextChange("label", None, [("added", "2024")])
    assert diff.module[5] == ValueChange("minutes", None, 30)
    assert summary(diff.sections) == [("added", None, 1, None), ("added", None, 2, None), ("added", None, 3, None)]
    assert diff.sections[0].label == {"ja": "第1節", "en": "Section 1"}
    assert diff.sections[0].changes[0] == TextChange("title", "ja", [("added", "第1節")])
    assert diff.sections[0].changes[2].lines == [
        ("added", "本文1の1行目"),
        ("added", "本文1の2行目"),
        ("added", "本文1の3行目"),
    ]
    assert summary(diff.questions) == [("added", None, 1, "q1"), ("added", None, 2, "q2"), ("added", None, 3, "q3")]
    assert ValueChange("kind", None, "single") in diff.questions[0].changes
    assert ValueChange("correct", None, True, 1) in diff.questions[0].changes
    assert diff.images == [("figure.png", "added")]
    assert (diff.unchanged_sections, diff.unchanged_questions) == (0, 0)
    assert not diff.empty


def test_identical_editions_are_empty():
    diff = diff_editions(module(), module())
    assert diff.empty
    assert (diff.module, diff.sections, diff.questions, diff.images) == ([], [], [], [])
    assert (diff.unchanged_sections, diff.unchanged_questions) == (3, 3)


def test_metadata_change_in_field_order():
    new = module(edition_label="2025", minutes=45, title={"ja": "ハラスメント防止", "en": "Stopping harassment"})
    diff = diff_editions(module(), new)
    assert diff.module == [
        TextChange("label", None, [("removed", "2024"), ("added", "2025")]),
        TextChange("title", "en", [("removed", "Preventing harassment"), ("added", "Stopping harassment")]),
        ValueChange("minutes", 30, 45),
    ]
    assert (diff.sections, diff.questions, diff.images) == ([], [], [])
    assert not diff.empty


def test_section_body_edit_shows_the_line_with_context():
    old = module(sections=[section(1), section(2, lines=10), section(3)])
    edited = section(2, lines=10)
    body = edited.body["ja"].splitlines()
    body[5] = "書き直した6行目"
    new = module(sections=[section(1), replace(edited, body={**edited.body, "ja": "\n".join(body)}), section(3)])
    diff = diff_editions(old, new)
    assert summary(diff.sections) == [("changed", 2, 2, None)]
    assert diff.sections[0].label == {"ja": "第2節", "en": "Section 2"}
    assert diff.sections[0].changes == [
        TextChange(
            "body",
            "ja",
            [
                ("same", "…"),
                ("same", "本文2の4行目"),
                ("same", "本文2の5行目"),
                ("removed", "本文2の6行目"),
                ("added", "書き直した6行目"),
                ("same", "本文2の7行目"),
                ("same", "本文2の8行目"),
                ("same", "…"),
            ],
        )
    ]
    assert diff.unchanged_sections == 2


def test_line_diff_keeps_short_runs_and_one_line_texts():
    assert line_diff("Old title", "New title") == [("removed", "Old title"), ("added", "New title")]
    assert line_diff("a\nb\nc\nd\ne\nf", "A\nb\nc\nd\ne\nF") == [
        ("removed", "a"),
        ("added", "A"),
        ("same", "b"),
        ("same", "c"),
        ("same", "d"),
        ("same", "e"),
        ("removed", "f"),
        ("added", "F"),
    ]
    assert line_diff("a\nb", "a\nb\nc") == [("same", "a"), ("same", "b"), ("added", "c")]


def test_rewritten_section_pairs_by_position_when_the_count_is_unchanged():
    rewritten = SectionSpec(2, {"ja": "全く別", "en": "Something else"}, {"ja": "新本文", "en": "New body"})
    diff = diff_editions(module(), module(sections=[section(1), rewritten, section(3)]))
    assert summary(diff.sections) == [("changed", 2, 2, None)]
    assert [(c.field, c.language) for c in diff.sections[0].changes] == [
        ("title", "ja"),
        ("title", "en"),
        ("body", "ja"),
        ("body", "en"),
    ]
    assert diff.sections[0].changes[3].lines[-1] == ("added", "New body")


def test_section_inserted_in_the_middle_reports_only_the_new_one():
    inserted = replace(section(9), title={"ja": "新しい節", "en": "New section"})
    diff = diff_editions(module(), module(sections=numbered([section(1), inserted, section(2), section(3)])))
    assert summary(diff.sections) == [("added", None, 2, None)]
    assert diff.sections[0].label == {"ja": "新しい節", "en": "New section"}
    assert diff.unchanged_sections == 3


def test_section_removed():
    diff = diff_editions(module(), module(sections=numbered([section(1), section(3)])))
    assert summary(diff.sections) == [("removed", 2, None, None)]
    assert diff.sections[0].label == {"ja": "第2節", "en": "Section 2"}
    assert diff.sections[0].changes[:2] == [
        TextChange("title", "ja", [("removed", "第2節")]),
        TextChange("title", "en", [("removed", "Section 2")]),
    ]
    assert diff.unchanged_sections == 2


def test_sections_swapped_are_moved():
    diff = diff_editions(module(), module(sections=numbered([section(2), section(1), section(3)])))
    assert summary(diff.sections) == [("moved", 2, 1, None), ("moved", 1, 2, None)]
    assert [item.changes for item in diff.sections] == [[], []]
    assert diff.unchanged_sections == 1


def test_renamed_section_next_to_an_insertion_pairs_by_similarity():
    renamed = replace(section(2), title={"ja": "第2節(改)", "en": "Section 2"})
    added = SectionSpec(0, {"ja": "追加", "en": "Added"}, {"ja": "別の内容", "en": "Other content"})
    diff = diff_editions(module(), module(sections=numbered([section(1), added, renamed, section(3)])))
    assert summary(diff.sections) == [("added", None, 2, None), ("changed", 2, 3, None)]
    assert diff.sections[1].changes == [TextChange("title", "ja", [("removed", "第2節"), ("added", "第2節(改)")])]


def test_questions_added_removed_and_moved():
    long_prompt = {"ja": "長" * 100, "en": "word " * 30}
    q4 = replace(question("q4"), prompt=long_prompt)
    old = module()
    diff = diff_editions(old, module(questions=[old.questions[2], old.questions[0], q4]))
    assert summary(diff.questions) == [
        ("moved", 3, 1, "q3"),
        ("moved", 1, 2, "q1"),
        ("added", None, 3, "q4"),
        ("removed", 2, None, "q2"),
    ]
    assert diff.questions[0].label == {"ja": "q3の問題", "en": "Question q3?"}
    assert diff.questions[2].label == {"ja": "長" * 79 + "…", "en": ("word " * 16)[:79] + "…"}
    assert diff.questions[3].changes[0] == TextChange("prompt", "ja", [("removed", "q2の問題")])
    assert diff.unchanged_questions == 0


def test_question_inserted_in_the_middle_does_not_move_the_rest():
    old = module()
    diff = diff_editions(old, module(questions=[old.questions[0], question("q9"), *old.questions[1:]]))
    assert summary(diff.questions) == [("added", None, 2, "q9")]
    assert diff.unchanged_questions == 3


def test_choice_flipped_to_correct():
    diff = diff_editions(module(), with_choice(module(), 2, 3, correct=True))
    assert summary(diff.questions) == [("changed", 2, 2, "q2")]
    assert diff.questions[0].changes == [ValueChange("correct", False, True, 3)]


def test_feedback_changed_in_english_only():
    new = with_choice(module(), 1, 2, feedback={"ja": "Not so(ja)", "en": "Not quite"})
    diff = diff_editions(module(), new)
    assert summary(diff.questions) == [("changed", 1, 1, "q1")]
    assert diff.questions[0].changes == [
        TextChange("feedback", "en", [("removed", "Not so"), ("added", "Not quite")], number=2)
    ]


def test_choice_added_reports_count_text_and_flag():
    old = module()
    new = with_question(old, 3, choices=[*old.questions[2].choices, choice("Fourth", False, "Nope")])
    changes = diff_editions(old, new).questions[0].changes
    assert changes == [
        ValueChange("choices", 3, 4),
        TextChange("choice", "ja", [("added", "Fourth(ja)")], number=4),
        TextChange("choice", "en", [("added", "Fourth")], number=4),
        TextChange("feedback", "ja", [("added", "Nope(ja)")], number=4),
        TextChange("feedback", "en", [("added", "Nope")], number=4),
        ValueChange("correct", None, False, number=4),
    ]


def test_tags_change():
    old = with_question(module(), 1, tags=["section-1"])
    diff = diff_editions(old, with_question(module(), 1, tags=["section-1", "section-2"]))
    assert summary(diff.questions) == [("changed", 1, 1, "q1")]
    assert diff.questions[0].changes == [ValueChange("tags", "section-1", "section-1, section-2")]


def test_images_added_changed_and_removed():
    old = module(images={"a.png": b"1", "b.png": b"2", "same.png": b"s"})
    diff = diff_editions(old, module(images={"a.png": b"1x", "c.png": b"3", "same.png": b"s"}))
    assert diff.images == [("a.png", "changed"), ("b.png", "removed"), ("c.png", "added")]
    assert (diff.module, diff.sections, diff.questions) == ([], [], [])
    assert not diff.empty


def test_module_tags_change_is_reported_as_text():
    old = module()
    new = replace(old, tags=["ids", "transfers"])
    diff = diff_editions(old, new)
    assert diff.module == [ValueChange("tags", "", "ids, transfers")]
