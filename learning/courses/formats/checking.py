"""Checking a content tree: the format's errors, then the assessment rules' warnings, each with file and line;
and the cue statistics that `content stats` prints.

Errors (the format, unknown terms) stop an import; warnings (assessment.py) do not, except that the shipped
content is held to them in CI (`content check --strict`). Pure: no database, no Flask.
"""

from __future__ import annotations

from pathlib import Path

from learning.courses import rule_links
from learning.courses.formats.assessment import Finding, duplicate_findings, longest_limit, module_findings, percent
from learning.courses.formats.content import read_each
from learning.courses.formats.cues import BankStats, bank_stats
from learning.courses.formats.reader import LineDict, load_with_lines
from learning.courses.formats.spec import LANGS, ModuleSpec, Problem
from learning.courses.markdown import rules_links
from learning.errors import N_

UNKNOWN_RULE = N_("The link to the rules library names %(document)s, which is not a document in the library.")


class Locator:
    """Finds the file and line of a finding in a module folder that has been read without error."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.shown_as = folder.as_posix()
        self.questions = load_with_lines((folder / "questions.yaml").read_text("utf-8-sig"))
        self.module = load_with_lines((folder / "module.yaml").read_text("utf-8-sig"))

    def place(self, finding: Finding) -> tuple[str, int]:
        if finding.question is not None:
            item = self.questions[finding.question - 1]
            value = item.get(finding.part) if finding.part else None
            if isinstance(value, LineDict) and finding.language in value:
                return self._shown("questions.yaml"), value.line_of(finding.language)
            return self._shown("questions.yaml"), item.line_of(finding.part) if finding.part else item.line
        if finding.section is not None:
            files = sorted((self.folder / "sections").glob(f"{finding.section:02d}-*.ja.md"))
            if not files:
                return self._shown("sections"), 1
            return self._shown(files[0].relative_to(self.folder).as_posix()), _line_with(files[0], finding)
        if finding.part is not None:
            return self._shown("module.yaml"), self.module.line_of(finding.part)
        return self._shown("questions.yaml"), 1  # the bank as a whole

    def _shown(self, name: str) -> str:
        return f"{self.shown_as}/{name}"


def _line_with(file: Path, finding: Finding) -> int:
    """The first line of a section's file holding what a finding quotes (a variant spelling), else line 1."""
    quoted = finding.params.get("variant")
    lines = file.read_text("utf-8-sig").splitlines() if quoted else []
    return next((number for number, line in enumerate(lines, 1) if quoted in line), 1)


def check(path: Path) -> list[Problem]:
    """Every error and warning under `path` (a module folder or a content directory), errors first."""
    read, problems = read_each(path)
    locators = {spec.slug: Locator(folder) for folder, spec in read}
    findings = [(spec.slug, f) for _folder, spec in read for f in module_findings(spec)]
    findings += [(f.module, f) for f in duplicate_findings([(spec.slug, spec.questions) for _f, spec in read])]
    warnings = []
    for slug, finding in findings:
        file, line = locators[slug].place(finding)
        params = dict(finding.params)
        if finding.language:
            params["language"] = finding.language
        if finding.other:
            other_slug, number = finding.other
            other_file, other_line = locators[other_slug].place(
                Finding("", "", "", question=number, part="prompt", language="ja")
            )
            params["other"] = f"{other_file}:{other_line}"
        warnings.append(Problem(file, line, finding.message, params, finding.severity))
    warnings += _rule_link_warnings(read)
    return problems + sorted(warnings, key=lambda p: (p.file, p.line))


def _rule_link_warnings(read) -> list[Problem]:
    """A warning for each link to a rules document that does not exist (when the library can be asked)."""
    links = []  # (file, line, slug)
    for folder, _spec in read:
        for path in sorted((folder / "sections").glob("*.md")):
            for number, line in enumerate(path.read_text("utf-8-sig").splitlines(), start=1):
                links += [(path, number, slug) for slug in rules_links(line)]
    missing = rule_links.unknown({slug for _p, _n, slug in links}) if links else None
    if not missing:
        return []
    return [
        Problem(path.as_posix(), number, UNKNOWN_RULE, {"document": slug}, "warning")
        for path, number, slug in links
        if slug in missing
    ]


def stats_lines(specs: list[ModuleSpec]) -> list[str]:
    """`content stats`: the cue figures per module and for the whole tree, with a cue-guesser's expected score."""
    lines = []
    for spec in specs:
        lines += [f"{spec.slug} (pass mark {spec.pass_mark}%, draw {spec.draw}):"]
        lines += [f"  {line}" for line in _figures(bank_stats(spec.questions))]
    everything = [q for spec in specs for q in spec.questions]
    lines += [f"all {len(specs)} modules:"] + [f"  {line}" for line in _figures(bank_stats(everything))]
    return lines


def _figures(stats: BankStats) -> list[str]:
    def share(part: int, whole: int) -> str:
        return f"{part}/{whole} ({percent(part / whole) if whole else 0}%)"

    total = len(stats.single)
    longest = ", ".join(f"{lang} {share(len(stats.longest[lang]), total)}" for lang in LANGS)
    counts = ", ".join(f"{n} correct: {k}" for n, k in sorted(stats.multiple_counts.items())) or "none"
    keywords = "; ".join(
        f"{lang} {share(k.correct_with, k.correct)} of correct vs {share(k.wrong_with, k.wrong)} of wrong"
        f" (gap {percent(k.gap):+d} points)"
        for lang, k in stats.keywords.items()
    )
    cue = ", ".join(f"{lang} {percent(stats.expected(lang))}%" for lang in LANGS)
    choice = ("single", "multiple")
    keyword = ", ".join(f"{lang} {percent(stats.expected_of(choice, lang, keyword=True))}%" for lang in LANGS)
    return [
        f"questions: {stats.questions}",
        f"single choice, correct option longest: {longest} (chance {percent(stats.chance_longest)}%, "
        f"threshold {percent(longest_limit(stats))}%)",
        f"true/false answered 'true': {share(stats.true_answers, stats.truefalse)}",
        f"multiple select, number of correct options: {counts}",
        f"options mentioning asking/reporting/the desk: {keywords}",
        f"judgement: {share(stats.judgement, stats.questions)}; allowed: {stats.allowed}; "
        f"judgement not answered by asking: {stats.judgement_not_asking}",
        f"expected score of a cue-guesser (longest option, 'false', the 3 longest): {cue}; "
        f"of a random guesser: {percent(stats.expected())}%",
        f"expected score on the choice items of a guesser picking what names asking/reporting/the desk: {keyword}; "
        f"of a random guesser: {percent(stats.expected_of(choice))}%",
    ]


def stats_markdown(specs: list[ModuleSpec]) -> list[str]:
    """`content stats --markdown`: the same figures as two Markdown tables, a row per module and one for all
    (docs/content-review-resolution.md carries them; a test regenerates them)."""
    rows = [(spec.slug, bank_stats(spec.questions)) for spec in specs]
    rows.append((f"all {len(specs)} modules", bank_stats([q for spec in specs for q in spec.questions])))
    cues = [
        "| module | items | single choice: key is the longest (ja / en) | true/false: answer 'true' "
        "| multiple select: items by number correct | judgement / recall | 'that is allowed' |",
        "|---|---|---|---|---|---|---|",
    ]
    guessers = [
        "| module | longest option, single choice (ja / en; random) | option naming asking/reporting/the desk, "
        "choice items (ja / en; random) | 'false', true/false (random) | 3 longest, multiple select (ja / en; random) "
        "| all cues together, whole bank (ja / en; random) |",
        "|---|---|---|---|---|---|",
    ]
    for name, stats in rows:
        cues.append(_cue_row(name, stats))
        guessers.append(_guesser_row(name, stats))
    return [*cues, "", *guessers]


def _pc(part: float, whole: float = 1) -> str:
    return f"{percent(part / whole) if whole else 0}%"


def _cue_row(name: str, stats: BankStats) -> str:
    single = len(stats.single)
    longest = " / ".join(f"{len(stats.longest[lang])}/{single}" for lang in LANGS)
    shares = " / ".join(_pc(len(stats.longest[lang]), single) for lang in LANGS)
    counts = ", ".join(f"{n}: {k}" for n, k in sorted(stats.multiple_counts.items())) or "none"
    return (
        f"| {name} | {stats.questions} | {longest} ({shares}; chance {_pc(stats.chance_longest)}) "
        f"| {stats.true_answers}/{stats.truefalse} ({_pc(stats.true_answers, stats.truefalse)}) | {counts} "
        f"| {stats.judgement} / {stats.questions - stats.judgement} | {stats.allowed} |"
    )


def _guesser_row(name: str, stats: BankStats) -> str:
    def guessed(kinds: tuple[str, ...], keyword: bool = False) -> str:
        languages = " / ".join(_pc(stats.expected_of(kinds, lang, keyword)) for lang in LANGS)
        return f"{languages}; {_pc(stats.expected_of(kinds))}"

    false = f"{_pc(stats.expected_of(('truefalse',), 'ja'))}; {_pc(stats.expected_of(('truefalse',)))}"
    together = " / ".join(_pc(stats.expected(lang)) for lang in LANGS)
    return (
        f"| {name} | {guessed(('single',))} | {guessed(('single', 'multiple'), keyword=True)} | {false} "
        f"| {guessed(('multiple',))} | {together}; {_pc(stats.expected())} |"
    )
