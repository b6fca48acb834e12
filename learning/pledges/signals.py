"""What the pledges room tells the rooms above it, without importing them (DESIGN: imports flow downward)."""

from blinker import Namespace

_signals = Namespace()

# Sent inside the signing transaction with sender=None and keyword arguments session and signature (a
# PledgeSignature whose outcome is "signed"; a refusal is not sent). Campaigns complete the person's pledge
# assignments of that pledge whose period holds the signing time.
pledge_signed = _signals.signal("pledge-signed")
