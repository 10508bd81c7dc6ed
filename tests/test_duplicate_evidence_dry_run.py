"""A configuration dry run counts repeats once, as the replay it previews does (both
databases)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge.runtime import Runtime
from lrs_bridge.services.admin import ConfigService
from lrs_bridge.xapi.timefmt import parse_timestamp_us
from tests.test_duplicate_evidence import original, post, repeat


def test_a_dry_run_of_the_same_documents_changes_no_status_with_repeats(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    first = original()  # 2026-01-15 10:00, quarterly: stale from 2026-04-15 10:00
    post(client, auth, [first, repeat(first, timestamp="2026-01-15T10:09:00Z")])
    runtime: Runtime = app.extensions["lrs_bridge"]
    assert runtime.competencies is not None
    # At 10:05 on the day it goes stale: stale by the original alone, due soon had the
    # repeat (9 minutes later) counted.
    at = parse_timestamp_us("2026-04-15T10:05:00Z") or 0
    service = ConfigService(runtime.store, runtime.competencies, lambda: at)
    engine = runtime.competencies.current()
    run = service.dry_run(engine)
    assert (run.pairs_before, run.pairs_after, run.evidence_statements) == (1, 1, 2)
    assert run.pairs_changing_status == 0
