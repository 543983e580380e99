"""Signals between features that may not import each other (blinker, as Flask's own
signals are made).

The distribution feature closes campaigns and may not import the reports; the reports
want to start on a closed campaign's breakdowns at once, so that the first download
does not wait for them. A signal lets the one tell the other without an import.
"""

from __future__ import annotations

from blinker import Namespace

_events = Namespace()

#: a campaign was closed and its answers frozen (sender: the app; ``slug``: the
#: campaign's). Sent after the commit.
campaign_closed = _events.signal("campaign-closed")
