"""A notice's text as the reader sees it: their language, Markdown rendered and sanitised as sections are."""

from markupsafe import Markup

from learning.courses.markdown import render_markdown
from learning.i18n import pick


def notice_html(texts: dict[str, str]) -> Markup:
    return Markup(render_markdown(pick(texts)))  # noqa: S704 - sanitised by nh3 in render_markdown
