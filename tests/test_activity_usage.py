"""The activity inbox's usage summary: counted right across batches, pages, configuration
changes, erasure and concurrent jobs; the "map this" dry run against a hand-computed seed
(SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge import create_app
from lrs_bridge.errors import BadRequest
from lrs_bridge.runtime import Runtime
from lrs_bridge.services.admin import ConfigService, replay_active
from lrs_bridge.services.inbox import ActivityMapper, InboxService, MapChoice, UsageTracker
from lrs_bridge.store.activity_preview import ActivityPreviewStore
from lrs_bridge.store.activity_usage import ActivityUsageStore
from lrs_bridge.xapi.timefmt import now_us
from tests.conftest import Credentials
from tests.factories import statement
from tests.test_refreshers import EMPATHY, LISTENING, add_person, evidence, post

MOODLE = "http://moodle.example/mod/page/view.php?id="
VIEWED = "http://id.tincanapi.com/verb/viewed"
LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"


def moodle(who: str, page: int, verb: str = VIEWED, name: str = "Returns policy") -> dict[str, Any]:
    """A Moodle page view as Moodle's logstore_xapi sends it (no rule maps it)."""
    body = statement(actor=who, verb=verb, activity=f"{MOODLE}{page}")
    body["object"]["definition"] = {
        "name": {"en": name},
        "type": "http://id.tincanapi.com/activitytype/lms/page",
    }
    body["context"] = {"platform": "Moodle"}
    body.pop("result")
    return body


@dataclasses.dataclass
class Inbox:
    app: Flask
    web: FlaskClient
    admin: dict[str, str]
    rt: Runtime
    usage: ActivityUsageStore
    tracker: UsageTracker

    def service(self, page_size: int = 50) -> InboxService:
        return InboxService(self.usage, page_size=page_size)

    def mapper(self) -> ActivityMapper:
        assert self.rt.competencies is not None
        return ActivityMapper(
            ConfigService(self.rt.store, self.rt.competencies, now_us),
            self.tracker,
            ActivityPreviewStore(self.rt.engine),
        )

    def unmapped(self) -> dict[str, Any]:
        return {row.activity_id: row for row in self.service().unmapped(1).rows}


@pytest.fixture
def inbox(database_url: str) -> Iterator[Inbox]:
    app = create_app({"database_url": database_url, "access_log": False})
    rt: Runtime = app.extensions["lrs_bridge"]
    usage = ActivityUsageStore(rt.engine)
    yield Inbox(
        app,
        app.test_client(),
        Credentials(app).make("all,admin", name="admin"),
        rt,
        usage,
        UsageTracker(usage, rt.store, now_us, chunk=3),
    )
    rt.close()


def test_usage_is_counted_across_batches(inbox: Inbox) -> None:
    first = [moodle("kari", 1), moodle("ola", 1), moodle("kari", 1, LAUNCHED)]
    post(inbox.web, inbox.admin, first)
    post(inbox.web, inbox.admin, [evidence("kari", LISTENING, "2026-11-20T09:00:00Z")])
    assert inbox.tracker.run() == 4
    row = inbox.unmapped()[f"{MOODLE}1"]
    assert (row.statements, row.learners, row.evidence_statements) == (3, 2, 0)
    assert row.verbs == sorted([VIEWED, LAUNCHED]) and row.platforms == ["Moodle"]
    assert row.name == {"en": "Returns policy"}
    assert row.type == "http://id.tincanapi.com/activitytype/lms/page"
    assert row.example_id == first[-1]["id"]
    # The aligned module gave evidence: it is not in the inbox.
    assert len(inbox.unmapped()) == 1

    later = moodle("ingrid", 1)
    post(inbox.web, inbox.admin, [later, moodle("kari", 1)])
    assert inbox.tracker.run() == 2
    assert inbox.tracker.run() == 0  # nothing new: nothing counted twice
    row = inbox.unmapped()[f"{MOODLE}1"]
    assert (row.statements, row.learners) == (5, 3)
    assert row.last_us >= inbox.usage.activity(f"{MOODLE}1").last_us  # type: ignore[union-attr]


def test_pages_are_busiest_first_and_meet_at_the_boundary(inbox: Inbox) -> None:
    # Page n has n+1 views: 5 activities, pages of 2.
    post(inbox.web, inbox.admin, [moodle("kari", n) for n in range(5) for _ in range(n + 1)])
    inbox.tracker.run()
    service = inbox.service(page_size=2)
    pages = [service.unmapped(number) for number in (1, 2, 3)]
    assert [[row.statements for row in page.rows] for page in pages] == [[5, 4], [3, 2], [1]]
    assert {(page.total, page.pages) for page in pages} == {(5, 3)}
    assert service.unmapped(4).rows == []


def test_a_save_from_the_inbox_takes_the_activity_out_at_once(inbox: Inbox) -> None:
    post(inbox.web, inbox.admin, [moodle("kari", 1), moodle("ola", 2)])
    inbox.tracker.run()
    mapper = inbox.mapper()
    proposal = mapper.propose(
        MapChoice(activity_id=f"{MOODLE}1", competency=EMPATHY, method="theory", verbs=(VIEWED,))
    )
    version = mapper.save(proposal, created_by="console:admin@example.com")
    assert version == inbox.rt.store.active_config_id()
    assert set(inbox.unmapped()) == {f"{MOODLE}2"}
    # The job's later runs agree: the replay's ledger gives the same answer.
    inbox.tracker.run()
    replay_active(inbox.rt.store, inbox.rt.competencies, now_us)  # type: ignore[arg-type]
    inbox.tracker.run()
    assert set(inbox.unmapped()) == {f"{MOODLE}2"}
    assert inbox.usage.activity(f"{MOODLE}1").evidence_statements == 1  # type: ignore[union-attr]


def test_a_configuration_change_counts_once_its_replay_is_done(inbox: Inbox) -> None:
    post(inbox.web, inbox.admin, [moodle("kari", 1), moodle("ola", 1)])
    inbox.tracker.run()
    current = inbox.web.get("/api/v1/config", headers=inbox.admin).get_json()["map"]
    changed = copy.deepcopy(current)
    changed["rules"].append(
        {
            "id": "moodle-page-1",
            "method": "theory",
            "match": {"verbs": [VIEWED], "activity": {"exact": f"{MOODLE}1"}},
            "evidence": [{"competency": EMPATHY}],
        }
    )
    saved = inbox.web.put("/api/v1/config", json={"map": changed}, headers=inbox.admin)
    assert saved.status_code == 201
    inbox.tracker.run()
    assert f"{MOODLE}1" in inbox.unmapped()  # the ledger is not replayed yet
    replay_active(inbox.rt.store, inbox.rt.competencies, now_us)  # type: ignore[arg-type]
    inbox.tracker.run()
    assert f"{MOODLE}1" not in inbox.unmapped()
    # And back: the rule removed, replayed, the activity returns.
    inbox.web.put("/api/v1/config", json={"map": current}, headers=inbox.admin)
    replay_active(inbox.rt.store, inbox.rt.competencies, now_us)  # type: ignore[arg-type]
    inbox.tracker.run()
    assert inbox.unmapped()[f"{MOODLE}1"].statements == 2


def test_erasure_rebuilds_and_unknown_agents_follow_the_directory(inbox: Inbox) -> None:
    post(inbox.web, inbox.admin, [moodle("kari", 1), moodle("ola", 1), moodle("ola", 2)])
    inbox.tracker.run()
    unknown = inbox.service().unknown_agents(1)
    assert (unknown.total, unknown.pages) == (2, 1)
    assert [(a.agent_key, a.statements) for a in unknown.rows] == [
        ("mbox:mailto:ola@example.com", 2),
        ("mbox:mailto:kari@example.com", 1),
    ]
    ola = add_person(inbox.web, inbox.admin, "ola")
    # In the directory now: off the list at once, without waiting for the job.
    assert [a.agent_key for a in inbox.service().unknown_agents(1).rows] == [
        "mbox:mailto:kari@example.com"
    ]
    erased = inbox.web.delete(f"/api/v1/learners/{ola}", headers=inbox.admin)
    assert erased.status_code == 200, erased.get_json()
    inbox.tracker.run()
    rows = inbox.unmapped()
    assert set(rows) == {f"{MOODLE}1"}
    assert (rows[f"{MOODLE}1"].statements, rows[f"{MOODLE}1"].learners) == (1, 1)


def test_the_inbox_says_when_the_job_is_behind(inbox: Inbox) -> None:
    post(inbox.web, inbox.admin, [moodle("kari", 1), moodle("ola", 1), moodle("ola", 2)])
    service = InboxService(inbox.usage, lag=1)
    assert service.counting() == (0, 3)
    inbox.tracker.run(max_chunks=1)  # chunks of 3: all counted
    assert service.counting() is None


def test_erased_agents_are_hidden_before_the_rebuild(inbox: Inbox) -> None:
    post(inbox.web, inbox.admin, [moodle("ola", 1)])
    inbox.tracker.run()
    ola = add_person(inbox.web, inbox.admin, "ola")
    inbox.web.delete(f"/api/v1/learners/{ola}", headers=inbox.admin)
    assert inbox.service().unknown_agents(1).rows == []


def test_a_chunk_is_counted_once_when_two_jobs_race(inbox: Inbox) -> None:
    post(inbox.web, inbox.admin, [moodle("kari", 1), moodle("ola", 1)])
    stale = inbox.usage.cursor()
    seen = inbox.usage.statements_after(stale.through_seq, 10)
    inbox.tracker.run()  # the other scheduler got there first
    from lrs_bridge.services.inbox import chunk_usage

    activities, agents = chunk_usage(seen)
    assert not inbox.usage.apply(stale, seen[-1].seq, activities, agents, now_us())
    assert inbox.unmapped()[f"{MOODLE}1"].statements == 2


def test_the_dry_run_counts_what_the_new_rule_turns_into_evidence(inbox: Inbox) -> None:
    """Hand-computed: kari views page 1 twice, ola and ingrid once, kari launches it once
    (lifecycle noise, never evidence) and has listening evidence already. Mapping "viewed"
    of page 1 to empathy: 4 statements from 3 learners become evidence, and 3 learners
    (3 pairs) go from "none" to a status; 5 statements from 3 learners give evidence in all."""
    post(
        inbox.web,
        inbox.admin,
        [
            moodle("kari", 1),
            moodle("kari", 1),
            moodle("ola", 1),
            moodle("ingrid", 1),
            moodle("kari", 1, LAUNCHED),
            evidence("kari", LISTENING, "2026-11-20T09:00:00Z"),
        ],
    )
    inbox.tracker.run()
    mapper = inbox.mapper()
    choice = MapChoice(
        activity_id=f"{MOODLE}1", competency=EMPATHY, method="theory", verbs=(VIEWED,)
    )
    proposal = mapper.propose(choice)
    preview = mapper.preview(proposal)
    assert (preview.statements, preview.learners) == (4, 3)
    assert (preview.learners_changing_status, preview.pairs_changing_status) == (3, 3)
    assert preview.statements_evaluated == 5  # page 1's statements only
    # The whole-store dry run agrees.
    whole = mapper.config.dry_run(proposal.engine, rule_id=proposal.rule["id"])
    assert (whole.rule_statements, whole.rule_learners) == (4, 3)
    assert (whole.learners_changing_status, whole.pairs_changing_status) == (3, 3)
    assert (whole.evidence_statements, whole.evidence_learners) == (5, 3)
    assert whole.statements_evaluated == 6
    assert inbox.rt.store.active_config_id() is None  # a dry run saves nothing


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"competency": "https://example.com/not-a-competency"}, "competency"),
        ({"method": "telepathy"}, "method"),
        ({"verbs": ()}, "verbs"),
        ({"verbs": ("not an iri",)}, "rules[-1].match.verbs"),
    ],
)
def test_a_bad_choice_names_the_field(inbox: Inbox, change: dict[str, Any], field: str) -> None:
    choice = MapChoice(
        activity_id=f"{MOODLE}1", competency=EMPATHY, method="theory", verbs=(VIEWED,)
    )
    with pytest.raises(BadRequest) as raised:
        inbox.mapper().propose(dataclasses.replace(choice, **change))
    reported = raised.value.details["field"]
    if field.startswith("rules[-1]"):
        assert reported.startswith("rules[") and reported.endswith(".match.verbs")
    else:
        assert reported == field
    assert inbox.rt.store.active_config_id() is None


def test_previewing_an_activity_mapped_before_does_not_count_its_evidence_twice(
    inbox: Inbox,
) -> None:
    post(inbox.web, inbox.admin, [moodle("kari", 1), moodle("kari", 1)])
    inbox.tracker.run()
    mapper = inbox.mapper()
    first = MapChoice(
        activity_id=f"{MOODLE}1", competency=EMPATHY, method="theory", verbs=(VIEWED,)
    )
    mapper.save(mapper.propose(first), created_by="test")
    replay_active(inbox.rt.store, inbox.rt.competencies, now_us)  # type: ignore[arg-type]
    # The same mapping again (a second, identical rule): nothing changes status.
    again = mapper.propose(first)
    preview = mapper.preview(again)
    whole = mapper.config.dry_run(again.engine, rule_id=again.rule["id"])
    assert (preview.statements, preview.learners) == (whole.rule_statements, whole.rule_learners)
    assert preview.learners_changing_status == whole.learners_changing_status == 0
