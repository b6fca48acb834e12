"""The one search over 10,000 documents: p50/p95 per kind of query, on the database given.

    python bench/search.py --database-url sqlite:////tmp/search-bench.db [--documents 10000] [--rounds 30]
    python bench/search.py --database-url postgresql+psycopg://root@127.0.0.1:5432/emptydb
    python bench/search.py --database-url … --reuse            # time again on the entries already there

Migrates the database, then loads --documents realistic entries into the search index (half Japanese, half
English; sections, FAQ entries, rules and notices; one in ten restricted to managers or a department): their
text is the shipped modules' sections (content/), cut into paragraphs and recombined, so words occur as often as
in real content, and two in a hundred mention 託送コールセンター. Then, as a learner (the audience in the SQL)
reading Japanese, it runs each query --rounds times after a warm-up through `search.services.search` (the
candidates, the ranking, the page and its excerpts: all the results page asks of the database) and prints
p50 and p95 per kind: broad (matching almost everything), narrow, two characters, width and kana variants,
English, no hit. Target: p95 under 200 ms for every kind.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, insert, select, text

from learning import migrate
from learning.accounts.models import Department, User
from learning.courses.terms import substitute
from learning.db import make_engine, make_session_factory
from learning.search import services
from learning.search.index import write_grams
from learning.search.models import SearchAudience, SearchEntry
from learning.search.text import normalise

CONTENT = Path(__file__).resolve().parent.parent / "content"
QUERIES = {
    "broad": ["の", "研修", "情報", "the"],
    "narrow": ["託送コールセンター", "非公開情報", "送配電 小売 情報"],
    "2 characters": ["託送", "約款", "端末"],
    "width/kana": ["ｺｰﾙｾﾝﾀｰ", "こーるせんたー", "ＩＤ", "ｼｽﾃﾑ"],
    "English": ["information", "Grid Company", "consignment"],
    "no hit": ["存在しない語句", "量子", "zzq", "ぬ"],
}


def paragraphs() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"ja": [], "en": []}
    for path in sorted(CONTENT.glob("*/sections/*.md")):
        language = "en" if path.stem.endswith(".en") else "ja"
        for part in substitute(path.read_text(encoding="utf-8"), language).split("\n\n"):
            text = " ".join(part.replace("#", " ").replace("*", " ").split())
            if len(text) > 20:
                found[language].append(text)
    return found


def load(session, count: int) -> None:
    rng = random.Random(17)
    texts = paragraphs()
    department = session.scalar(select(Department.id).order_by(Department.id))
    kinds = ["section"] * 6 + ["faq"] * 2 + ["rule", "notice"]
    now = datetime.now(UTC)
    rows, audience = [], []
    for n in range(1, count + 1):
        language = "ja" if n % 2 else "en"
        pool = texts[language] or texts["ja"]
        body = " ".join(rng.sample(pool, k=min(len(pool), rng.randint(3, 8))))
        if language == "ja" and n % 50 == 1:
            body += " 託送コールセンターへの問い合わせ内容は、小売部門に伝えません。"
        title = body[: rng.randint(12, 30)]
        kind = rng.choice(kinds)
        restricted = n % 10 == 0
        rows.append(
            {
                "id": n,
                "kind": kind,
                "source_key": f"bench:{n}",
                "language": language,
                "title": title,
                "place": {"endpoint": "portal.home", "args": {}, "trail": ["bench", title]},
                "body": body,
                "normalised": normalise(f"{title}\n{body}"),
                "restricted": restricted,
                "updated_at": now,
            }
        )
        if restricted:
            audience.append(
                {"entry_id": n, "kind": "role", "value": "manager"}
                if n % 20 == 0 or department is None
                else {"entry_id": n, "kind": "department", "value": str(department + 1000)}
            )
    session.execute(delete(SearchAudience))
    session.execute(delete(SearchEntry))
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO search_grams (search_grams) VALUES ('delete-all')"))
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        session.execute(insert(SearchEntry), chunk)
        write_grams(session, [(row["id"], None, row["normalised"]) for row in chunk])
    if audience:
        session.execute(insert(SearchAudience), audience)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("ANALYZE search_entries")
        session.connection().exec_driver_sql("ANALYZE search_audience")
        session.commit()


def reader(session) -> services.Reader:
    user = session.scalar(select(User).limit(1))
    if user is None:  # an empty database: a learner of no department
        return services.Reader("ja", frozenset(), frozenset({"learner"}), frozenset({"learn", "self"}))
    return services.reader_of(session, user, "ja")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="time again on the entries already loaded")
    args = parser.parse_args()
    migrate.upgrade(args.database_url)
    engine = make_engine(args.database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        if not args.reuse:
            started = time.perf_counter()
            load(session, args.documents)
            print(f"loaded {args.documents:,} entries in {time.perf_counter() - started:.1f} s")
        total = session.scalar(select(func.count(SearchEntry.id)))
        who = reader(session)
    print(f"database: {engine.dialect.name} {engine.dialect.server_version_info or ''}; {total:,} entries")
    print(f"{'kind':<14}{'query':<22}{'found':>7}{'p50 ms':>9}{'p95 ms':>9}")
    by_kind: dict[str, list[float]] = {}
    for kind, queries in QUERIES.items():
        for query in queries:
            timings = []
            for round_ in range(args.rounds + 1):
                with factory() as session:
                    started = time.perf_counter()
                    found = services.search(session, who, query, page=1 + round_ % 3)
                    elapsed = (time.perf_counter() - started) * 1000
                    session.rollback()
                if round_:  # the first is a warm-up
                    timings.append(elapsed)
            by_kind.setdefault(kind, []).extend(timings)
            shown = f"{found.total}{'+' if found.more else ''}"
            print(f"{kind:<14}{query:<22}{shown:>7}{statistics.median(timings):>9.1f}{percentile(timings, 0.95):>9.1f}")
    print()
    print(f"{'kind':<14}{'p50 ms':>9}{'p95 ms':>9}")
    for kind, timings in by_kind.items():
        print(f"{kind:<14}{statistics.median(timings):>9.1f}{percentile(timings, 0.95):>9.1f}")
    engine.dispose()


if __name__ == "__main__":
    main()
