"""What the library tells the rooms above it, without importing them (DESIGN: imports flow downward)."""

from blinker import Namespace

_signals = Namespace()

# Sent inside the publishing transaction with sender=the new edition and keyword arguments
# session, replaced (the retired edition or None) and actor_id. A receiver that raises undoes the publish.
edition_published = _signals.signal("edition-published")
