#!/usr/bin/env bash
# Refresh the message catalogues after changing UI strings: extract, merge into ja/en, compile.
# Then fill every new empty msgstr in learning/translations/ja/LC_MESSAGES/messages.po (the
# English catalogue may stay empty: the English source text is shown) and run this again.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k lazy_gettext -k _l -k t:2 -k N_ --no-location --sort-output \
  --project "Conduct Rules Portal" -o learning/translations/messages.pot .
pybabel update -i learning/translations/messages.pot -d learning/translations --no-fuzzy-matching --ignore-obsolete
pybabel compile -d learning/translations --statistics
