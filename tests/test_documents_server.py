"""The `tincan` library's RemoteLRS keeps State in a real ``lrs-bridge serve`` process."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.server


def test_tincan_saves_retrieves_updates_and_deletes_state(server):
    from tincan import Activity, Agent, RemoteLRS, StateDocument

    key, secret = server.credential("state")
    lrs = RemoteLRS(version="1.0.3", endpoint=server.url + "/xapi/", username=key, password=secret)
    activity = Activity(id="https://example.com/cs-training/escalations")
    learner = Agent(name="Kari Nordmann", mbox="mailto:kari@example.com")
    doc = StateDocument(
        id="bookmark",
        activity=activity,
        agent=learner,
        content=json.dumps({"page": 3}),
        content_type="application/json",
    )
    saved = lrs.save_state(doc)
    assert saved.success, saved.data

    got = lrs.retrieve_state(activity, learner, "bookmark")
    assert got.success, got.data
    assert json.loads(got.content.content) == {"page": 3}
    ids = lrs.retrieve_state_ids(activity, learner)
    assert ids.success and ids.content == ["bookmark"]

    # A client that read the document may update it under If-Match. TinCanPython's
    # save_state sends its PUT twice: the first succeeds, the repeat (same, now stale,
    # ETag) gets 412 Precondition Failed, which is what it reports.
    updated = StateDocument(
        id="bookmark",
        activity=activity,
        agent=learner,
        content=json.dumps({"page": 4}),
        content_type="application/json",
        etag=got.response.getheader("ETag"),
    )
    assert lrs.save_state(updated).response.status == 412
    current = lrs.retrieve_state(activity, learner, "bookmark")
    assert json.loads(current.content.content) == {"page": 4}

    # Deleting with a stale ETag is refused; with the current one it goes.
    assert lrs.delete_state(updated).response.status == 412
    fresh = current.content
    fresh.etag = current.response.getheader("ETag")
    deleted = lrs.delete_state(fresh)
    assert deleted.success, deleted.data
    gone = lrs.retrieve_state(activity, learner, "bookmark")
    assert gone.response.status == 404
    assert lrs.retrieve_state_ids(activity, learner).content == []
