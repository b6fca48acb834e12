"""`python -m learning.courses.formats.check PATH [--strict]`: validate content without an app or database.

Prints file:line: error|warning: message for every finding; exits 1 on an error, or on a warning with
--strict (the CI's setting for the shipped content)."""

import sys
from pathlib import Path

from learning.courses.formats.checking import check

USAGE = "usage: python -m learning.courses.formats.check PATH [--strict]"


def main(argv: list[str]) -> int:
    strict = "--strict" in argv
    paths = [a for a in argv if a != "--strict"]
    if len(paths) != 1 or any(a.startswith("-") for a in paths):
        print(USAGE, file=sys.stderr)
        return 2
    problems = check(Path(paths[0]))
    for problem in problems:
        print(problem.labelled())
    print(summary(problems), file=sys.stderr)
    return exit_status(problems, strict)


def summary(problems) -> str:
    errors = sum(p.severity == "error" for p in problems)
    return f"{errors} error(s), {len(problems) - errors} warning(s)"


def exit_status(problems, strict: bool) -> int:
    """1 when there is an error, or a warning under --strict; else 0."""
    return 1 if any(p.severity == "error" or strict for p in problems) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
