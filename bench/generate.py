"""Deterministic xAPI 1.0.3 statements for a customer-service training programme.

The benchmark needs a stored set whose shape matches production: learners identified by mbox
or LMS account, cmi5 sessions (launched → initialized → passed/failed → completed →
terminated under one registration), BigBlueButton webinars, role-play workshops run by an
instructor with peer feedback, and mentoring sessions whose *object* is an Agent. Query
selectivity (statements per learner, per verb, per activity) then resembles the real thing.
Everything comes from one ``random.Random(seed)``, so two runs store identical statements.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from vocabulary import (
    ACADEMY_EXT,
    BBB_EXT,
    CMI5_CATEGORY,
    CMI5_EXT,
    COMPETENCIES,
    COURSES,
    FEEDBACK,
    FIRST,
    LAST,
    LMS,
    MOVEON_CATEGORY,
    PERIOD_DAYS,
    PROGRAMME_ID,
    ROLE_PLAYS,
    START,
    VERBS,
    WEBINARS,
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Corpus:
    """Generated statements plus the identifiers queries are built from."""

    #: Each statement serialised with ``"id"`` as its first key (the load generator rewrites
    #: the first 8 hex digits of the id in place, so the id starts at byte 7).
    statements: list[bytes]
    learners: list[dict[str, Any]]
    course_ids: list[str]
    activity_ids: list[str]
    verb_ids: list[str]


def _iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def _activity(activity_id: str, name: str, kind: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": activity_id,
        "definition": {"name": {"en-GB": name}, "type": kind},
    }


def _competency(slug: str) -> dict[str, Any]:
    return _activity(
        f"https://academy.care-example.com/competencies/{slug}",
        COMPETENCIES[slug],
        "https://academy.care-example.com/xapi/activity-types/competency",
    )


class _Builder:
    """Holds the seeded RNG and the cast (learners, instructors) while episodes are built."""

    def __init__(self, seed: int, learner_count: int) -> None:
        self.rng = random.Random(seed)
        self.learners = [self._person(n, account=n % 2 == 1) for n in range(learner_count)]
        self.staff = [
            self._person(10_000 + n, account=False) for n in range(max(4, learner_count // 60))
        ]
        self.programme = _activity(
            PROGRAMME_ID,
            "Customer Service Excellence",
            "http://adlnet.gov/expapi/activities/course",
        )

    def _person(self, number: int, *, account: bool) -> dict[str, Any]:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        agent: dict[str, Any] = {"objectType": "Agent", "name": f"{first} {last}"}
        if account:
            agent["account"] = {"homePage": LMS, "name": f"emp-{number:06d}"}
        else:
            local = f"{first}.{last}.{number}".lower().replace("'", "")
            agent["mbox"] = f"mailto:{local}@care-example.com"
        return agent

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def when(self) -> datetime.datetime:
        day = self.rng.randrange(PERIOD_DAYS)
        return START + datetime.timedelta(days=day, seconds=self.rng.randrange(10 * 3600))

    def statement(
        self,
        actor: dict[str, Any],
        verb: str,
        obj: dict[str, Any],
        at: datetime.datetime,
        **rest: Any,
    ) -> dict[str, Any]:
        """A statement dict with ``id`` first (see :attr:`Corpus.statements`)."""
        body: dict[str, Any] = {
            "id": self.uuid(),
            "actor": actor,
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": obj,
        }
        body.update(rest)
        body["timestamp"] = _iso(at)
        return body

    # -- episodes ---------------------------------------------------------------------

    def cmi5_session(self) -> list[dict[str, Any]]:
        """One AU session: the cmi5 defined statements sharing a registration and session id."""
        rng = self.rng
        learner = rng.choice(self.learners)
        slug = rng.choice(list(COURSES))
        title, skills, units = COURSES[slug]
        unit = rng.randrange(1, units + 1)
        course_id = f"{LMS}/cmi5/courses/{slug}"
        au = _activity(
            f"{course_id}/aus/{unit}",
            f"{title}, unit {unit}",
            "http://adlnet.gov/expapi/activities/module",
        )
        mastery = 0.8
        context: dict[str, Any] = {
            "registration": self.uuid(),
            "platform": "Care Academy LMS",
            "language": "en-GB",
            "contextActivities": {
                "parent": [
                    _activity(course_id, title, "http://adlnet.gov/expapi/activities/course")
                ],
                "grouping": [
                    self.programme,
                    {"id": f"https://content.care-example.com/aus/{slug}-{unit}"},
                ],
                "category": [{"id": CMI5_CATEGORY}],
                "other": [_competency(s) for s in skills],
            },
            "extensions": {
                CMI5_EXT + "sessionid": self.uuid(),
                CMI5_EXT + "launchmode": "Normal",
                CMI5_EXT + "moveon": "CompletedAndPassed",
                CMI5_EXT + "masteryscore": mastery,
            },
        }
        at = self.when()
        out = [self.statement(learner, "launched", au, at, context=_launch_context(context))]
        at += datetime.timedelta(seconds=rng.randrange(2, 20))
        out.append(self.statement(learner, "initialized", au, at, context=context))
        spent = rng.randrange(240, 2400)
        at += datetime.timedelta(seconds=spent)
        scaled = round(min(1.0, max(0.0, rng.gauss(0.78, 0.14))), 2)
        passed = scaled >= mastery
        moveon = dict(
            context,
            contextActivities=dict(
                context["contextActivities"],
                category=[{"id": CMI5_CATEGORY}, {"id": MOVEON_CATEGORY}],
            ),
        )
        out.append(
            self.statement(
                learner,
                "passed" if passed else "failed",
                au,
                at,
                context=moveon,
                result={
                    "score": {"scaled": scaled, "raw": round(scaled * 20), "min": 0, "max": 20},
                    "success": passed,
                    "duration": _duration(spent),
                },
            )
        )
        if passed or rng.random() < 0.6:
            at += datetime.timedelta(milliseconds=rng.randrange(50, 900))
            out.append(
                self.statement(
                    learner,
                    "completed",
                    au,
                    at,
                    context=moveon,
                    result={"completion": True, "duration": _duration(spent)},
                )
            )
        if rng.random() < 0.85:
            at += datetime.timedelta(seconds=rng.randrange(1, 30))
            out.append(
                self.statement(
                    learner,
                    "terminated",
                    au,
                    at,
                    context=context,
                    result={"duration": _duration(spent + 20)},
                )
            )
        return out

    def webinar(self) -> list[dict[str, Any]]:
        """A BigBlueButton session seen by several learners: joined, attended, left."""
        rng = self.rng
        slug = rng.choice(list(WEBINARS))
        title, skills = WEBINARS[slug]
        meeting = self.uuid()
        session = _activity(
            f"https://meet.care-example.com/b/{slug}/{meeting[:8]}",
            f"{title} ({meeting[:8]})",
            "http://id.tincanapi.com/activitytype/webinar",
        )
        context = {
            "platform": "BigBlueButton",
            "language": "en-GB",
            "instructor": rng.choice(self.staff),
            "contextActivities": {
                "parent": [
                    _activity(
                        f"https://meet.care-example.com/b/{slug}",
                        title,
                        "http://id.tincanapi.com/activitytype/webinar",
                    )
                ],
                "grouping": [self.programme],
                "category": [{"id": "https://w3id.org/xapi/video"}],
                "other": [_competency(s) for s in skills],
            },
            "extensions": {
                BBB_EXT + "meeting-id": meeting,
                BBB_EXT + "server": "bbb3.care-example.com",
            },
        }
        begin = self.when()
        out = []
        for learner in rng.sample(self.learners, k=min(len(self.learners), rng.randrange(3, 9))):
            at = begin + datetime.timedelta(seconds=rng.randrange(-120, 300))
            out.append(self.statement(learner, "joined", session, at, context=context))
            minutes = rng.randrange(15, 60)
            at += datetime.timedelta(minutes=minutes)
            out.append(self.statement(learner, "left", session, at, context=context))
            out.append(
                self.statement(
                    learner,
                    "attended",
                    session,
                    at + datetime.timedelta(seconds=1),
                    context=context,
                    result={"duration": _duration(minutes * 60), "completion": minutes >= 40},
                )
            )
        return out

    def role_play(self) -> list[dict[str, Any]]:
        """A workshop scenario: the learner attempts it, the instructor scores it."""
        rng = self.rng
        slug = rng.choice(list(ROLE_PLAYS))
        title, skills = ROLE_PLAYS[slug]
        learner = rng.choice(self.learners)
        peers = rng.sample(self.learners, k=3)
        instructor = rng.choice(self.staff)
        scenario = _activity(
            f"https://academy.care-example.com/role-plays/{slug}",
            title,
            "http://id.tincanapi.com/activitytype/simulation",
        )
        context = {
            "registration": self.uuid(),
            "platform": "Care Academy Workshops",
            "instructor": instructor,
            "team": {"objectType": "Group", "member": peers},
            "contextActivities": {
                "parent": [
                    _activity(
                        "https://academy.care-example.com/workshops/role-play-lab",
                        "Role-play lab",
                        "http://adlnet.gov/expapi/activities/meeting",
                    )
                ],
                "grouping": [self.programme],
                "other": [_competency(s) for s in skills],
            },
        }
        ratings = {s: rng.randrange(2, 6) for s in skills}
        scaled = round(sum(ratings.values()) / (5 * len(ratings)), 2)
        at = self.when()
        feedback = {
            ACADEMY_EXT + "peer-feedback": [
                {"from": p["name"], "rating": rng.randrange(2, 6), "comment": rng.choice(FEEDBACK)}
                for p in peers
            ],
            ACADEMY_EXT + "competency-ratings": ratings,
        }
        attempted = self.statement(
            learner,
            "attempted",
            scenario,
            at,
            context=context,
            result={
                "duration": _duration(rng.randrange(300, 1200)),
                "completion": True,
                "response": rng.choice(FEEDBACK),
                "extensions": feedback,
            },
        )
        scored = self.statement(
            instructor,
            "scored",
            {"objectType": "StatementRef", "id": attempted["id"]},
            at + datetime.timedelta(minutes=rng.randrange(5, 40)),
            # context.platform is only allowed with an Activity object (Data §2.4.6).
            context={
                **{k: v for k, v in context.items() if k != "platform"},
                "statement": {"objectType": "StatementRef", "id": attempted["id"]},
            },
            result={"score": {"scaled": scaled}, "success": scaled >= 0.7},
        )
        return [attempted, scored]

    def mentoring(self) -> list[dict[str, Any]]:
        """A coaching session: the mentor is the actor, the learner the object Agent."""
        rng = self.rng
        mentor, learner = rng.choice(self.staff), rng.choice(self.learners)
        skill = rng.choice(list(COMPETENCIES))
        mentee = {k: v for k, v in learner.items() if k != "name"} | {"objectType": "Agent"}
        context = {
            "contextActivities": {
                "grouping": [self.programme],
                "parent": [
                    _activity(
                        "https://academy.care-example.com/mentoring",
                        "Mentoring and coaching",
                        "http://adlnet.gov/expapi/activities/meeting",
                    )
                ],
                "other": [_competency(skill)],
            },
            "extensions": {
                ACADEMY_EXT + "session-topic": COMPETENCIES[skill],
                ACADEMY_EXT + "follow-up-due": _iso(self.when())[:10],
            },
        }
        minutes = rng.choice([30, 45, 60])
        return [
            self.statement(
                mentor,
                "mentored",
                mentee,
                self.when(),
                context=context,
                result={"duration": _duration(minutes * 60), "response": rng.choice(FEEDBACK)},
            )
        ]


def _launch_context(context: dict[str, Any]) -> dict[str, Any]:
    extensions = dict(context["extensions"])
    extensions[CMI5_EXT + "launchurl"] = "https://content.care-example.com/player/index.html"
    return dict(context, extensions=extensions)


def _episode_makers(
    builder: _Builder,
) -> tuple[list[Callable[[], list[dict[str, Any]]]], list[int]]:
    """Episode kinds and their weights (cmi5 sessions dominate, as in the programme)."""
    episodes = [
        (builder.cmi5_session, 55),
        (builder.webinar, 4),
        (builder.role_play, 20),
        (builder.mentoring, 13),
    ]
    return [m for m, _ in episodes], [w for _, w in episodes]


def stream(count: int, seed: int = 20240108, batch: int = 5000) -> Iterator[list[dict[str, Any]]]:
    """``count`` statements as dicts, ``batch`` at a time, without holding them all.

    For stores of a million statements, where :func:`generate` (which sorts everything and
    keeps every serialised statement) would need gigabytes. Same episode mix and learner
    count per statement as :func:`generate`; each batch is in timestamp order, the whole
    stream is not (as when several tools send late), which replay does not care about.
    """
    builder = _Builder(seed, learner_count=max(20, count // 50))
    makers, weights = _episode_makers(builder)
    pending: list[dict[str, Any]] = []
    sent = 0
    while sent < count:
        while len(pending) < batch:
            pending.extend(builder.rng.choices(makers, weights)[0]())
        size = min(batch, count - sent)
        out, pending = pending[:size], pending[size:]
        out.sort(key=lambda s: s["timestamp"])
        sent += size
        yield out


def generate(count: int, seed: int = 20240108) -> Corpus:
    """``count`` statements in timestamp order (the order an LRS receives them)."""
    builder = _Builder(seed, learner_count=max(20, count // 50))
    makers, weights = _episode_makers(builder)
    made: list[dict[str, Any]] = []
    while len(made) < count:
        made.extend(builder.rng.choices(makers, weights)[0]())
    made.sort(key=lambda s: s["timestamp"])
    made = made[:count]
    # Scorings whose attempt was cut off by the truncation would still be valid (StatementRef
    # targets need not exist), so no repair is needed.
    activities = sorted(
        {f"{LMS}/cmi5/courses/{slug}/aus/1" for slug in COURSES}
        | {f"https://academy.care-example.com/role-plays/{s}" for s in ROLE_PLAYS}
    )
    return Corpus(
        statements=[orjson.dumps(s) for s in made],
        learners=[
            {k: v for k, v in a.items() if k in ("mbox", "account")} for a in builder.learners
        ],
        course_ids=[f"{LMS}/cmi5/courses/{slug}" for slug in COURSES],
        activity_ids=activities,
        verb_ids=[VERBS[v] for v in ("completed", "passed", "failed", "attended")],
    )
