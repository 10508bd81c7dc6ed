"""Pulling from a real upstream (a second lrs-bridge) into the local store, both databases.

The upstream is peer-agnostic here: everything goes through its xAPI listing (``since``,
``limit``, ``more``, Consistent-Through), so the same tests run against any LRS.
"""

from __future__ import annotations

import json
import threading

import pytest

from lrs_bridge.runtime import Runtime
from lrs_bridge.scheduling.jobs import periodic_jobs
from lrs_bridge.services.pulling import PullBusy, PullReport
from lrs_bridge.store.upstream_pull import PullStore
from lrs_bridge.upstream.cursor import PullCursor
from tests.factories import agent, aligned, statement
from tests.upstream.pull_helpers import add_pulling, many, post_all, puller, state

LISTENING = "https://lrs-bridge.dev/competency/active-listening"


@pytest.fixture
def runtime(app) -> Runtime:
    return app.extensions["lrs_bridge"]


@pytest.mark.parametrize(
    ("count", "limit"),
    [
        pytest.param(1250, 500, id="1250 through pages of 500"),
        pytest.param(500, 500, id="exactly a page"),
        pytest.param(501, 500, id="a page plus one"),
    ],
)
def test_every_statement_arrives_once_through_pages(runtime, peer, count, limit):
    ids = post_all(peer, many(count))
    upstream = add_pulling(runtime.engine, peer)

    first = puller(runtime, batch_size=limit).pull(upstream)

    assert first.new == count
    full_pages = -(-count // limit)
    # A full last page may be followed by an empty one (the upstream cannot know it was last).
    assert full_pages <= first.pages <= full_pages + 1
    assert set(runtime.store.find_statements(ids)) == set(ids)
    assert runtime.store.count_statements() == count
    row = state(runtime.engine, upstream.id)
    assert row["pulled_count"] == count
    assert row["pull_more"] is None  # the listing was followed to its end
    assert row["pull_last_success_us"] is not None

    again = puller(runtime, batch_size=limit).pull(runtime.upstreams.get("peer"))
    assert again.new == 0
    assert runtime.store.count_statements() == count
    assert state(runtime.engine, upstream.id)["pulled_count"] == count


def test_statements_posted_upstream_after_a_pull_arrive_on_the_next(runtime, peer):
    before = post_all(peer, many(30))
    upstream = add_pulling(runtime.engine, peer)
    assert puller(runtime).pull(upstream).new == 30

    after = post_all(peer, many(12))
    report = puller(runtime).pull(runtime.upstreams.get("peer"))

    assert report.new == 12
    assert set(runtime.store.find_statements(before + after)) == set(before + after)
    assert state(runtime.engine, upstream.id)["pulled_count"] == 42


def test_the_overlap_lists_statements_again_without_counting_them_twice(runtime, peer):
    """An overlap of an hour makes every listing start before everything already pulled."""
    post_all(peer, many(40))
    upstream = add_pulling(runtime.engine, peer)
    wide = puller(runtime, overlap_seconds=3600, batch_size=15)
    assert wide.pull(upstream).new == 40

    again = wide.pull(runtime.upstreams.get("peer"))

    assert again.listed == 40  # all listed again: the window covers them
    assert again.new == 0
    assert state(runtime.engine, upstream.id)["pulled_count"] == 40
    assert runtime.store.count_statements() == 40


def test_pulled_statements_are_stored_under_the_upstreams_own_credential(runtime, peer):
    post_all(peer, many(3))
    upstream = add_pulling(runtime.engine, peer)
    puller(runtime).pull(upstream)

    credential_id = runtime.upstreams.get("peer").pull_credential_id
    assert credential_id is not None
    record = runtime.store.credential_by_id(credential_id)
    assert record is not None
    assert record.name == "upstream:peer"
    assert record.scopes == frozenset({"statements/write"})
    assert record.evidence == "trusted"
    # A second pull keeps the same credential.
    puller(runtime).pull(runtime.upstreams.get("peer"))
    assert runtime.upstreams.get("peer").pull_credential_id == credential_id


def test_pulled_statements_become_evidence_and_levels(runtime, peer, client, creds):
    kari = agent("kari")
    good = aligned(kari, LISTENING, result={"success": True, "score": {"scaled": 0.9}})
    peer.post([good])
    puller(runtime).pull(add_pulling(runtime.engine, peer))

    auth = creds.make("all admin")
    learner = client.get(
        "/api/v1/learners", query_string={"agent": json.dumps(kari)}, headers=auth
    ).get_json()
    competencies = client.get(f"/api/v1/learners/{learner['id']}/competencies", headers=auth)
    assert competencies.status_code == 200, competencies.get_json()
    rows = {row["competency"]: row for row in competencies.get_json()["competencies"]}
    assert rows[LISTENING]["evidence"][0]["statement_id"] == good["id"]
    assert rows[LISTENING]["level"] not in (None, 0)


def test_a_conflicting_id_is_skipped_and_reported_while_the_rest_arrive(
    runtime, peer, client, creds
):
    held_here = statement(actor="kari")
    response = client.post("/xapi/statements", json=[held_here], headers=creds.make())
    assert response.status_code == 200
    other_content = {**statement(actor="ola"), "id": held_here["id"]}
    rest = many(20)
    ids = post_all(peer, rest[:10] + [other_content] + rest[10:])
    upstream = add_pulling(runtime.engine, peer)

    report = puller(runtime, batch_size=8).pull(upstream)

    assert report.new == 20
    assert [item.id for item in report.skipped] == [held_here["id"]]
    assert "different content" in report.skipped[0].reason
    others = [i for i in ids if i != held_here["id"]]
    assert set(runtime.store.find_statements(others)) == set(others)
    kept = runtime.store.find_statements([held_here["id"]])[held_here["id"]]
    assert '"Kari"' in kept.json  # the local content is left alone
    row = state(runtime.engine, upstream.id)
    assert held_here["id"] in row["pull_last_error"]
    assert row["pull_more"] is None  # the cursor did not stall on it
    assert row["pulled_count"] == 20
    shown = runtime.upstream_status.status(runtime.upstreams.get("peer")).to_dict()
    assert held_here["id"] in shown["pull"]["last_error"]  # what `upstream status` shows


def test_a_second_puller_sees_the_lease_and_does_not_pull(runtime, peer):
    post_all(peer, many(200))
    upstream = add_pulling(runtime.engine, peer)
    seen_busy: list[PullBusy] = []

    def race(report: PullReport) -> None:
        if not seen_busy:  # after the first committed batch, while the lease is held
            try:
                puller(runtime, batch_size=20).pull(upstream)
            except PullBusy as busy:
                seen_busy.append(busy)

    first = puller(runtime, batch_size=20).pull(upstream, on_page=race)

    assert first.new == 200
    assert len(seen_busy) == 1 and seen_busy[0].until_us is not None
    assert state(runtime.engine, upstream.id)["pulled_count"] == 200
    assert state(runtime.engine, upstream.id)["pull_lease_token"] is None  # released


def test_two_threads_racing_pull_each_statement_once(runtime, peer):
    ids = post_all(peer, many(300))
    upstream = add_pulling(runtime.engine, peer)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        try:
            outcomes.append(f"pulled {puller(runtime, batch_size=50).pull(upstream).new}")
        except PullBusy:
            outcomes.append("busy")

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert "pulled 300" in outcomes
    assert sorted(outcomes) in (["busy", "pulled 300"], ["pulled 0", "pulled 300"])
    assert set(runtime.store.find_statements(ids)) == set(ids)
    assert state(runtime.engine, upstream.id)["pulled_count"] == 300


def test_a_lease_past_its_time_is_taken_over_and_the_old_holder_cannot_move_the_cursor(
    runtime, peer
):
    upstream = add_pulling(runtime.engine, peer)
    records = PullStore(runtime.engine)
    lease_us = 10_000_000
    assert records.claim(upstream.id, "old", 1_000, lease_us)
    assert not records.claim(upstream.id, "new", 1_000 + lease_us, lease_us)
    assert records.claim(upstream.id, "new", 1_001 + lease_us, lease_us)

    cursor = records.cursor(upstream.id)
    assert not records.save_cursor(
        upstream.id, "old", cursor, new_count=5, now_us=2_000, lease_us=lease_us
    )
    assert not records.renew(upstream.id, "old", 99_000_000)
    assert state(runtime.engine, upstream.id)["pulled_count"] == 0


def test_an_expired_more_link_falls_back_to_since(runtime, peer):
    ids = post_all(peer, many(25))
    upstream = add_pulling(runtime.engine, peer)
    records = PullStore(runtime.engine)
    assert records.claim(upstream.id, "setup", runtime.clock(), 1_000_000)
    broken = PullCursor(since_us=None, more="/xapi/statements?more=no-longer-valid")
    assert records.save_cursor(
        upstream.id, "setup", broken, new_count=0, now_us=runtime.clock(), lease_us=0
    )
    records.release(upstream.id, "setup")

    report = puller(runtime, batch_size=10).pull(upstream)

    assert report.new == 25
    assert set(runtime.store.find_statements(ids)) == set(ids)
    assert state(runtime.engine, upstream.id)["pull_more"] is None


def test_the_scheduler_job_pulls_every_pulling_upstream(runtime, peer):
    ids = post_all(peer, many(7))
    upstream = add_pulling(runtime.engine, peer)
    [job] = [job for job in periodic_jobs(runtime) if job.id == "upstream-pull"]
    assert job.seconds == runtime.settings.upstream_pull_seconds

    job.func(runtime)

    assert set(runtime.store.find_statements(ids)) == set(ids)
    assert state(runtime.engine, upstream.id)["pulled_count"] == 7
