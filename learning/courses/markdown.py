"""Trainer Markdown to safe HTML: markdown-it-py renders, nh3 sanitises (no script, no on*, no javascript:)."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}


@lru_cache(maxsize=2048)
def render_markdown(text: str, image_base: str = "") -> str:
    """Sanitised HTML for a section body; `images/x.png` becomes `{image_base}x.png`."""

    def rewrite(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            # Only the module's own images: anything else would leave the intranet or the module.
            return image_base + value[len("images/") :] if value.startswith("images/") and image_base else None
        return value

    html = _md.render(text)
    # Section titles are the page's h1; demote body h1 to h2 so the outline stays sound.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=rewrite,
        link_rel="noopener noreferrer",
    )
