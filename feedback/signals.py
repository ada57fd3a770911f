"""Signals that let capabilities react to each other without importing each other.

Senders commit first, then send: a failing receiver never loses the citizen's opinion.
Receivers get the app as sender and the objects as keyword arguments.
"""

from blinker import Namespace

_signals = Namespace()

# opinion=Opinion, after it was stored (tagged or not).
opinion_submitted = _signals.signal("opinion-submitted")
# opinion=Opinion, after the classifier tagged it (on submit or by backfill).
opinion_classified = _signals.signal("opinion-classified")
# opinion=Opinion, answer=Answer, after staff answered.
opinion_answered = _signals.signal("opinion-answered")
# opinion=Opinion, message=FollowUp, after the citizen added a follow-up message.
follow_up_added = _signals.signal("follow-up-added")
