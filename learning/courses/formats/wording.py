"""One spelling for each word the modules use often in two ways: a learner reading 引越し in one module and
引っ越し in the next, or 取替え beside 取り替え, sees carelessness in training that asks for care. The house
style is that of official documents (公用文における漢字使用等について, 送り仮名の付け方): the noun takes the
short form (引越し, 取替え, 切替え, 引継ぎ), the verb keeps its okurigana (引っ越す, 取り替える, 切り替える).
Pure: no database, no Flask.
"""

from __future__ import annotations

import re

from learning.courses.formats.spec import ModuleSpec
from learning.errors import N_

# variant (as a pattern that leaves the verb's forms alone) → the house spelling
VARIANTS: dict[str, tuple[re.Pattern[str], str]] = {
    "引っ越し": (re.compile(r"引っ越し(?![てたま])"), "引越し"),
    "取り替え": (re.compile(r"取り替え(?![るられろよたてま])"), "取替え"),
    "切り替え": (re.compile(r"切り替え(?![るられろよたてま])"), "切替え"),  # the switch (スイッチング), 200 times
    # the noun only where it cannot be the verb: 引き継ぎ、(handing over, then …) is the verb and passes
    "引き継ぎ": (re.compile(r"引き継ぎ(?=[の資メはがをも書])"), "引継ぎ"),
    "申込み者": (re.compile(r"申込み者"), "申込者"),  # 申込書, 申込者: the compound's usual form
}
MESSAGE = N_("'%(variant)s' is written '%(preferred)s' in these modules (the noun's official spelling)")


def wording_findings(spec: ModuleSpec) -> list:
    """A warning for each variant spelling in a part of the Japanese text (a section, a question's prompt …)."""
    from learning.courses.formats.assessment import warning  # the one Finding factory

    found = []

    def look(text: str, **where) -> None:
        for variant, (pattern, preferred) in VARIANTS.items():
            if pattern.search(text or ""):
                params = {"variant": variant, "preferred": preferred}
                found.append(warning("variant_spelling", MESSAGE, language="ja", params=params, **where))

    for part in ("title", "summary"):
        look(getattr(spec, part).get("ja", ""), part=part)
    for section in spec.sections:  # placed on the first line that has the variant (checking.Locator)
        look(section.title.get("ja", "") + "\n" + section.body.get("ja", ""), section=section.position)
    for number, question in enumerate(spec.questions, 1):
        look(question.prompt.get("ja", ""), question=number, part="prompt")
        look(question.explanation.get("ja", ""), question=number, part="explanation")
        for choice in question.choices:
            look(choice.text.get("ja", ""), question=number, part="choices")
    return found
