"""`flask search reindex`: every registered source's entries put afresh."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from learning.web import unit_of_work

search_group = AppGroup("search", help="The search index.")


def register(app) -> None:
    app.cli.add_command(search_group)


@search_group.command("reindex")
@click.option("--kind", "kinds", multiple=True, help="Only this kind (section, faq, rule, notice); repeatable.")
def reindex(kinds: tuple[str, ...]) -> None:
    """Rebuilds the search index from every registered source (module sections, FAQ entries, …)."""
    from learning.search.index import rebuild

    with unit_of_work() as session:
        counts = rebuild(session, kinds or None)
    for kind, count in counts.items():
        click.echo(f"{kind}: {count} entries")
