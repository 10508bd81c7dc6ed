"""Notifications about refresher assignments: what a message says and how it leaves.

``model`` holds the records the outbox stores (as JSON) and the channel error; ``i18n`` the
strings per language; ``render`` turns a :class:`~lrs_bridge.notify.model.Digest` into an
e-mail or a webhook body (pure, no I/O); ``ics`` the calendar attachment; ``smtp`` and
``webhook`` deliver, and report failures as ``DeliveryError`` with a ``retryable`` flag so
the dispatcher knows whether to try again.
"""
