"""The library: modules, their immutable editions, sections, question bank and images."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from learning.db import Base

EDITION_STATUSES = ("draft", "review", "published", "retired")
IN_THE_WORKS_WHERE = "status in ('draft', 'review')"
PUBLISHED_WHERE = "status = 'published'"


class Module(Base):
    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime]


class Edition(Base):
    """One version of a module. Published editions never change: assignments and certificates name them."""

    __tablename__ = "editions"
    __table_args__ = (
        UniqueConstraint("module_id", "version"),
        CheckConstraint("status in ('draft', 'review', 'published', 'retired')", name="status"),
        CheckConstraint("pass_mark between 1 and 100", name="pass_mark"),
        CheckConstraint("draw >= 1", name="draw"),
        CheckConstraint("min_read_seconds between 1 and 600", name="min_read_seconds"),
        # At most one edition in the works (draft or review) and one published per module, whatever the
        # requests do (migration 0022). Changes of status take the module's row lock first (lock_module).
        Index(
            "uq_editions_in_the_works",
            "module_id",
            unique=True,
            postgresql_where=text(IN_THE_WORKS_WHERE),
            sqlite_where=text(IN_THE_WORKS_WHERE),
        ),
        Index(
            "uq_editions_published",
            "module_id",
            unique=True,
            postgresql_where=text(PUBLISHED_WHERE),
            sqlite_where=text(PUBLISHED_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    version: Mapped[int]
    label: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    summary_ja: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    minutes: Mapped[int]
    pass_mark: Mapped[int]
    draw: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    tags: Mapped[str] = mapped_column(String(300), default="", server_default="")  # comma-separated topics
    # [{"ja": …, "en": …, "url": …}]: the module's named sources, shown to learners at its end
    sources: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    min_read_seconds: Mapped[int | None]  # the least time on each section before it can be marked read
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    # Authoring. Every save of a draft raises `revision`; a save naming an older one is refused
    # (optimistic locking). The last editor may not approve (four eyes).
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]  # when it was last sent to review, for the reviewers' home page
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    change_note: Mapped[str | None] = mapped_column(Text)  # what changed, in the author's words
    review_note: Mapped[str | None] = mapped_column(Text)  # the reviewer's comments when sent back
    substantive: Mapped[bool] = mapped_column(default=False, server_default=false())

    module: Mapped[Module] = relationship(lazy="joined", innerjoin=True)
    sections: Mapped[list[Section]] = relationship(order_by="Section.position", back_populates="edition")
    questions: Mapped[list[Question]] = relationship(order_by="Question.position", back_populates="edition")

    @property
    def titles(self) -> dict[str, str]:
        return {"ja": self.title_ja, "en": self.title_en}

    @property
    def summaries(self) -> dict[str, str]:
        return {"ja": self.summary_ja, "en": self.summary_en}


class Section(Base):
    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("edition_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    position: Mapped[int]
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_ja: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)

    edition: Mapped[Edition] = relationship(back_populates="sections")

    @property
    def titles(self) -> dict[str, str]:
        return {"ja": self.title_ja, "en": self.title_en}

    @property
    def bodies(self) -> dict[str, str]:
        return {"ja": self.body_ja, "en": self.body_en}


# How many sections an edition has, read in the statement that loads the edition (the learner's pages load
# editions with their assignments, and each count was a statement of its own). Read when the edition is loaded:
# an edition whose sections change in the same session (a draft being edited) must not rely on it.
Edition.section_count = column_property(
    select(func.count(Section.id)).where(Section.edition_id == Edition.id).correlate_except(Section).scalar_subquery()
)


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("edition_id", "key"),
        CheckConstraint("kind in ('single', 'multiple', 'truefalse')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    prompt_ja: Mapped[str] = mapped_column(Text)
    prompt_en: Mapped[str] = mapped_column(Text)
    explanation_ja: Mapped[str] = mapped_column(Text)
    explanation_en: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(300), default="", server_default="")  # comma-separated

    edition: Mapped[Edition] = relationship(back_populates="questions")
    choices: Mapped[list[Choice]] = relationship(order_by="Choice.position", back_populates="question")

    @property
    def prompts(self) -> dict[str, str]:
        return {"ja": self.prompt_ja, "en": self.prompt_en}

    @property
    def explanations(self) -> dict[str, str]:
        return {"ja": self.explanation_ja, "en": self.explanation_en}


class Choice(Base):
    __tablename__ = "choices"
    __table_args__ = (UniqueConstraint("question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int]
    text_ja: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool]
    feedback_ja: Mapped[str | None] = mapped_column(Text)
    feedback_en: Mapped[str | None] = mapped_column(Text)

    question: Mapped[Question] = relationship(back_populates="choices")

    @property
    def texts(self) -> dict[str, str]:
        return {"ja": self.text_ja, "en": self.text_en}

    @property
    def feedbacks(self) -> dict[str, str] | None:
        return {"ja": self.feedback_ja, "en": self.feedback_en} if self.feedback_ja else None


class ModuleImage(Base):
    """An image of one edition, served by the app (no outside host in a closed intranet)."""

    __tablename__ = "module_images"
    __table_args__ = (UniqueConstraint("edition_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    name: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class OrganisationTerm(Base):
    """The installation's words for one organisation term (`courses.terms`), in both languages. A term with
    no row reads as its default; rows are written only when compliance changes a term
    (`courses.term_settings`)."""

    __tablename__ = "organisation_terms"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value_ja: Mapped[str] = mapped_column(String(600))
    value_en: Mapped[str] = mapped_column(String(600))
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
