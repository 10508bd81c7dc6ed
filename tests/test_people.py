"""Who reports to whom: the manager chain at every depth, teams, and who may see whom."""

from __future__ import annotations

from sqlalchemy import update

from lrs_bridge.services.directory import import_directory
from lrs_bridge.services.people import PeopleService
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.store.tables import learners

CSV = """name,email,team,manager_email
Mia Manager,mia@example.com,leads,
Tor Teamlead,tor@example.com,north,mia@example.com
Kari Agent,kari@example.com,north,tor@example.com
Ola Agent,ola@example.com,north,tor@example.com
Sara South,sara@example.com,south,mia@example.com
Nina Nobody,nina@example.com,west,
"""


def _ids(store: SqlStore) -> dict[str, int]:
    import_directory(store, CSV, lambda _c, _p: None, lambda: 1_000_000)  # type: ignore[arg-type,return-value]
    return {
        email.split("@")[0]: learner["id"]
        for email in (
            "mia@example.com",
            "tor@example.com",
            "kari@example.com",
            "ola@example.com",
            "sara@example.com",
            "nina@example.com",
        )
        if (learner := store.learner_by_email(email))
    }


def test_reports_are_found_at_every_depth(store: SqlStore) -> None:
    ids = _ids(store)
    people = PeopleService(store)
    assert people.reports_of(ids["mia"]) == {ids["tor"], ids["kari"], ids["ola"], ids["sara"]}
    assert people.reports_of(ids["tor"]) == {ids["kari"], ids["ola"]}
    assert people.reports_of(ids["kari"]) == set()
    assert people.is_manager(ids["tor"]) and not people.is_manager(ids["nina"])


def test_a_cycle_in_the_manager_chain_ends_the_search(store: SqlStore) -> None:
    ids = _ids(store)
    with store.engine.begin() as conn:  # Mia now reports to Kari, who reports (via Tor) to her
        conn.execute(
            update(learners).where(learners.c.id == ids["mia"]).values(manager_id=ids["kari"])
        )
    people = PeopleService(store)
    assert people.reports_of(ids["tor"]) == {ids["kari"], ids["ola"], ids["mia"], ids["sara"]}


def test_who_may_see_whom(store: SqlStore) -> None:
    ids = _ids(store)
    people = PeopleService(store)
    assert people.may_see(ids["kari"], ids["kari"])
    assert not people.may_see(ids["kari"], ids["ola"])
    assert people.may_see(ids["mia"], ids["ola"])
    assert not people.may_see(ids["tor"], ids["sara"])
    assert not people.may_see(None, ids["kari"])


def test_teams_and_a_managers_teams(store: SqlStore) -> None:
    ids = _ids(store)
    people = PeopleService(store)
    assert people.teams() == [("leads", 1), ("north", 3), ("south", 1), ("west", 1)]
    assert [m["name"] for m in people.team_members("north")] == [
        "Kari Agent",
        "Ola Agent",
        "Tor Teamlead",
    ]
    assert people.teams_of_manager(ids["tor"]) == [("north", 3)]
    assert people.teams_of_manager(ids["mia"]) == [("north", 3), ("south", 1)]
    assert people.teams_of_manager(ids["nina"]) == []
    assert store.learner_by_email("KARI@example.com")["id"] == ids["kari"]  # type: ignore[index]
