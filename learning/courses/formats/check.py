"""`python -m learning.courses.formats.check PATH`: validate content without an app or database."""

import sys
from pathlib import Path

from learning.courses.formats.content import read_tree
from learning.courses.formats.spec import ContentError


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m learning.courses.formats.check PATH", file=sys.stderr)
        return 2
    try:
        specs = read_tree(Path(argv[0]))
    except ContentError as exc:
        for problem in exc.problems:
            print(problem)
        return 1
    for spec in specs:
        print(f"ok: {spec.slug} ({len(spec.sections)} sections, {len(spec.questions)} questions)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
