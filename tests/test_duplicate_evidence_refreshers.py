"""A repeat counts once for refreshers too: it completes no assignment that its original
did not (both databases)."""

from __future__ import annotations

import copy
import uuid

from lrs_bridge.xapi.timefmt import format_timestamp_us, now_us
from tests.test_competency_integrity import Lrs, assigned_while_fresh, lrs  # noqa: F401
from tests.test_refreshers import LISTENING, assignments_of, evidence, post

MINUTE = 60_000_000


def test_a_repeat_dated_after_the_assignment_does_not_complete_it(lrs: Lrs) -> None:  # noqa: F811
    web, admin, rt = lrs.web, lrs.admin, lrs.rt
    kari = assigned_while_fresh(web, admin, rt)
    # Done 5 minutes before the assignment was made: it does not complete it...
    done = evidence("kari", LISTENING, format_timestamp_us(now_us() - 5 * MINUTE))
    post(web, admin, [done])
    assert assignments_of(web, admin, kari)[0]["status"] == "assigned"
    # ...and neither does its repeat (the same content under a new id), dated after it.
    again = copy.deepcopy(done) | {
        "id": str(uuid.uuid4()),
        "timestamp": format_timestamp_us(now_us()),
    }
    post(web, admin, [again])
    assert assignments_of(web, admin, kari)[0]["status"] == "assigned"
    # Other content at the same time does.
    other = copy.deepcopy(again) | {"id": str(uuid.uuid4()), "result": {"completion": True}}
    post(web, admin, [other])
    [row] = assignments_of(web, admin, kari)
    assert row["status"] == "completed" and row["closed_by"] == f"statement:{other['id']}"
