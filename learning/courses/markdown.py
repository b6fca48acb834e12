"""Trainer Markdown to safe HTML: markdown-it-py renders, nh3 sanitises (no script, no on*, no javascript:)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import unquote

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
    "s",
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


def _tidy(state) -> None:
    """Drops the attributes markdown-it itself adds that the allowlist has not (table alignment as style,
    <ol start>, a code block's language class), so that they are not reported as removed from what the
    author wrote. The same rule runs in the editor's live preview (static/editor.js)."""

    def walk(tokens):
        for token in tokens:
            if token.type == "fence":
                token.info = ""
            if token.attrs:
                allowed = ALLOWED_ATTRIBUTES.get(token.tag, set())
                token.attrs = {name: value for name, value in token.attrs.items() if name in allowed}
            if token.children:
                walk(token.children)

    walk(state.tokens)


_md.core.ruler.push("portal_tidy_attrs", _tidy)


URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=2048)
def render_markdown(text: str, image_base: str = "") -> str:
    """Sanitised HTML for a section body; `images/x.png` becomes `{image_base}x.png`."""

    def rewrite(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            # Only the module's own images: anything else would leave the intranet or the module.
            return image_base + value[len("images/") :] if value.startswith("images/") and image_base else None
        if element == "a" and attribute == "href" and value.startswith(RULES_SCHEME):
            return rules_href(value)
        return value

    return _sanitised(_demote_h1(_md.render(text)), rewrite, "noopener noreferrer")


# A link to the rules library: [社内規程 第5条](rules:conduct-regulation#第5条) opens the document's version in
# force at that heading (its id made by heading_id, the same for the link and for the document's headings).
RULES_SCHEME = "rules:"
RULES_LINK = re.compile(r"^rules:([a-z0-9][a-z0-9-]{0,59})(?:#(.*))?$", re.DOTALL)
RULES_LINK_IN_TEXT = re.compile(r"\]\(\s*<?\s*(rules:[^)\s>]*)")


def rules_href(value: str) -> str | None:
    """`rules:slug#heading` as the library's address, or None (the link is dropped) when it is malformed."""
    match = RULES_LINK.match(value)
    if match is None:
        return None
    slug, heading = match.group(1), match.group(2)
    return f"/rules/{slug}" + (f"#{heading_id(unquote(heading))}" if heading else "")


def rules_links(text: str) -> list[str]:
    """The document slugs of every rules: link written in `text` (malformed ones named by what was written)."""
    found = []
    for target in RULES_LINK_IN_TEXT.findall(text):
        match = RULES_LINK.match(target)
        found.append(match.group(1) if match else target)
    return found


def heading_id(text: str) -> str:
    """The stable id of a heading: its words in NFKC, lower case, spaces as hyphens, punctuation dropped; the
    prefix keeps an id from clobbering a name the page's scripts use."""
    words = unicodedata.normalize("NFKC", text).strip().lower()
    return "h-" + re.sub(r"[^\w-]", "", re.sub(r"\s+", "-", words))


@lru_cache(maxsize=256)
def render_document(text: str) -> str:
    """A rules document's Markdown as safe HTML: as a section is rendered, and each heading with its stable
    id (a second heading of the same words gets -2, -3 …) so that links from modules can land on it."""
    env: dict = {}
    tokens = _md.parse(text, env)
    seen: Counter = Counter()
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"  # the document's title is the page's h1
        if token.type == "heading_open" and index + 1 < len(tokens):
            base = heading_id(tokens[index + 1].content)
            seen[base] += 1
            token.attrSet("id", base if seen[base] == 1 else f"{base}-{seen[base]}")

    def rewrite(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            return None  # a document has no images of its own
        if element == "a" and attribute == "href" and value.startswith(RULES_SCHEME):
            return rules_href(value)
        if attribute == "id":
            return value if value.startswith("h-") else None  # only the ids made here, never one typed in HTML
        return value

    html = _demote_h1(_md.renderer.render(tokens, _md.options, env))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={**ALLOWED_ATTRIBUTES, **{h: {"id"} for h in ("h1", "h2", "h3", "h4", "h5", "h6")}},
        url_schemes=URL_SCHEMES | {"rules"},
        attribute_filter=rewrite,
        link_rel="noopener noreferrer",
    )


def _sanitised(html: str, attribute_filter, link_rel: str | None) -> str:
    """nh3 with the allowlist: the one sanitiser for what learners see and for the editor's notice."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES | {"rules"},
        attribute_filter=attribute_filter,
        link_rel=link_rel,
    )


@lru_cache(maxsize=512)
def removed_markup(text: str) -> bool:
    """Whether sanitising drops anything the author wrote (script, iframe, on* handlers, javascript: links,
    outside images, tags not allowed), so the editor can say so instead of dropping it silently."""

    def own_images_only(element: str, attribute: str, value: str) -> str | None:
        return None if element == "img" and attribute == "src" and not value.startswith("images/") else value

    html = _demote_h1(_md.render(text))
    kept = _sanitised(html, own_images_only, None)
    # Only what went missing counts: the sanitiser's repairs (closing an unclosed tag) may add items.
    return bool(Counter(_Shape.of(html)) - Counter(_Shape.of(kept))) or bool(_DROPPED_LINK.search(text))


# markdown-it itself refuses these link targets and leaves the text as written: still worth a notice.
_DROPPED_LINK = re.compile(r"\]\(\s*<?\s*(?:javascript|vbscript|data):", re.IGNORECASE)


def _demote_h1(html: str) -> str:
    """Section titles are the page's h1; body h1 become h2 so the outline stays sound."""
    return html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


class _Shape(HTMLParser):
    """Start tags with their attributes, and the text: what a reader would get, ignoring serialisation."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list = []

    @classmethod
    def of(cls, html: str) -> list:
        parser = cls()
        parser.feed(html)
        parser.close()
        return parser.items

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, tuple(sorted((name, value or "") for name, value in attrs))))

    def handle_data(self, data):
        if data.strip():
            self.items.append(" ".join(data.split()))
