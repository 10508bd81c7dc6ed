"""Talking to other LRSs: the upstream model and filters, and the clients that forward to and
pull from them (``tincan`` for 1.0.3, plain HTTP for 2.0.0 and attachments). No SQL here:
the outbox and cursors are in ``store/``, the use cases in ``services/``."""
