"""Writing an edition's questions costs the same few statements however many there are: a GIFT bank at the upload
limit (5 MB, about 19,000 questions) is written in seconds, not one flush per question."""

from __future__ import annotations

from sqlalchemy import event, func, select

from learning.authoring.imports import import_gift
from learning.courses.models import Choice, Question
from tests.factories import make_user

QUESTION = (
    "::Q{n}:: 共用IDを使ってもよいですか（{n}） {{\n=いいえ #正解です。\n~はい #誤りです。\n"
    "~上司の許可があれば #誤りです。\n}}\n\n"
)


def inserts_for(app, db, slug: str, questions: int) -> int:
    author = make_user(db, "trainer")
    text = "".join(QUESTION.format(n=n) for n in range(questions))
    seen: list[str] = []
    engine = db.get_bind()  # the test session's own engine

    def count(conn, cursor, statement, *args):
        if statement.lstrip().startswith(("INSERT INTO questions", "INSERT INTO choices")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        draft, added, _result = import_gift(db, slug, text, "ja", author.id)
        db.flush()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(added) == questions
    assert db.scalar(select(func.count()).select_from(Question).where(Question.edition_id == draft.id)) == questions
    stored = db.scalar(select(func.count()).select_from(Choice).join(Question).where(Question.edition_id == draft.id))
    assert stored == 3 * questions
    return len(seen)


def test_a_question_bank_is_written_in_the_same_statements_whatever_its_size(app, db):
    assert inserts_for(app, db, "small-bank", 5) == inserts_for(app, db, "large-bank", 300) == 2  # one INSERT each
