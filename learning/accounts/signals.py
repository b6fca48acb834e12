"""What the accounts room tells the rooms above it, without importing them (DESIGN: imports flow downward)."""

from blinker import Namespace

_signals = Namespace()

# Sent inside the import's transaction with sender=None and keyword arguments session and user_ids (the
# people the roster marks as having left, this import). Training withdraws their open assignments.
people_left = _signals.signal("people-left")
