"""``/api/v1/upstreams``: the registry over HTTP (admin scope), on both databases."""

from __future__ import annotations

import pytest

from lrs_bridge.auth import create_credential
from lrs_bridge.xapi.timefmt import now_us
from tests.upstream.registry_support import SECRET, body


@pytest.fixture
def admin(creds):
    return creds.make("admin")


def test_an_admin_adds_reads_lists_changes_and_removes_an_upstream(client, admin):
    added = client.post("/api/v1/upstreams", json=body(verbs=["http://v/completed"]), headers=admin)
    assert added.status_code == 201, added.get_json()
    assert added.get_json() == {
        "name": "ll",
        "endpoint": "https://lrs.example.com/xapi/",
        "key": "bridge",
        "secret_set": True,
        "version": "1.0.3",
        "direction": "both",
        "verbs": ["http://v/completed"],
        "activity_prefixes": [],
        "platforms": [],
        "credentials": [],
        "enabled": True,
        "source": "api",
    }
    assert client.get("/api/v1/upstreams/ll", headers=admin).get_json() == added.get_json()
    listed = client.get("/api/v1/upstreams", headers=admin).get_json()
    assert [u["name"] for u in listed["upstreams"]] == ["ll"]

    changed = client.patch(
        "/api/v1/upstreams/ll", json={"version": "2.0.0", "enabled": False}, headers=admin
    )
    assert changed.status_code == 200
    assert changed.get_json() | {"version": "1.0.3", "enabled": True} == added.get_json()

    assert client.delete("/api/v1/upstreams/ll", headers=admin).status_code == 204
    assert client.get("/api/v1/upstreams/ll", headers=admin).status_code == 404
    assert client.get("/api/v1/upstreams", headers=admin).get_json() == {"upstreams": []}


def test_patch_changes_only_the_given_fields_and_can_pause_and_resume(client, admin, app):
    client.post("/api/v1/upstreams", json=body(platforms=["Moodle"]), headers=admin)
    client.patch("/api/v1/upstreams/ll", json={"enabled": False}, headers=admin)
    registry = app.extensions["lrs_bridge"].upstreams
    assert registry.get("ll").enabled is False and registry.forward_targets() == []
    resumed = client.patch(
        "/api/v1/upstreams/ll", json={"enabled": True, "secret": "new-one"}, headers=admin
    ).get_json()
    assert resumed["enabled"] is True and resumed["platforms"] == ["Moodle"]
    assert registry.get("ll").secret == "new-one"
    assert [u.name for u in registry.forward_targets()] == ["ll"]


def test_the_endpoint_is_normalised_to_end_in_a_slash(client, admin):
    for given, stored in [
        ("http://lrs.example.com", "http://lrs.example.com/"),
        ("https://lrs.example.com/data/xAPI", "https://lrs.example.com/data/xAPI/"),
        ("https://lrs.example.com/xapi/", "https://lrs.example.com/xapi/"),
    ]:
        name = f"u{len(stored)}"
        out = client.post("/api/v1/upstreams", json=body(name, endpoint=given), headers=admin)
        assert out.get_json()["endpoint"] == stored


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "Learning Locker"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 64}, "name"),
        ({"endpoint": "ftp://lrs.example.com/"}, "endpoint"),
        ({"endpoint": "lrs.example.com/xapi"}, "endpoint"),
        ({"endpoint": "https://lrs.example.com/xapi?x=1"}, "endpoint"),
        ({"version": "1.0.0"}, "version"),
        ({"direction": "sideways"}, "direction"),
        ({"verbs": ["completed"]}, "verbs.0"),
        ({"verbs": "http://v/completed"}, "verbs"),
        ({"activity_prefixes": ["no iri"]}, "activity_prefixes.0"),
        ({"platforms": [""]}, "platforms.0"),
        ({"credentials": ["no-such-key"]}, "credentials"),
        ({"key": ""}, "key"),
        ({"colour": "blue"}, "colour"),
        ({"secret": None}, "secret"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, admin, changes, field):
    response = client.post("/api/v1/upstreams", json=body(**changes), headers=admin)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["field"] == field
    assert client.get("/api/v1/upstreams", headers=admin).get_json() == {"upstreams": []}


@pytest.mark.parametrize("missing", ["name", "endpoint", "key", "secret", "direction"])
def test_a_required_field_left_out_is_a_400_naming_it(client, admin, missing):
    given = body()
    del given[missing]
    response = client.post("/api/v1/upstreams", json=given, headers=admin)
    assert (response.status_code, response.get_json()["field"]) == (400, missing)


def test_a_patch_is_validated_like_a_new_upstream(client, admin):
    client.post("/api/v1/upstreams", json=body(), headers=admin)
    for changes, field in [
        ({"direction": "up"}, "direction"),
        ({"name": "renamed"}, "name"),
        ({"credentials": ["nobody"]}, "credentials"),
    ]:
        response = client.patch("/api/v1/upstreams/ll", json=changes, headers=admin)
        assert (response.status_code, response.get_json()["field"]) == (400, field)
    assert client.get("/api/v1/upstreams/ll", headers=admin).get_json()["direction"] == "both"


def test_filters_name_existing_credentials_by_key(app, client, admin):
    create_credential(
        app.extensions["lrs_bridge"].store,
        name="moodle",
        scopes="statements/write",
        now_us=now_us(),
        key="moodle",
        secret="pw",
    )
    response = client.post("/api/v1/upstreams", json=body(credentials=["moodle"]), headers=admin)
    assert response.status_code == 201 and response.get_json()["credentials"] == ["moodle"]


def test_a_used_name_is_a_409_and_an_unknown_one_a_404(client, admin):
    assert client.post("/api/v1/upstreams", json=body(), headers=admin).status_code == 201
    assert client.post("/api/v1/upstreams", json=body(), headers=admin).status_code == 409
    for method, path in [
        ("get", "/api/v1/upstreams/nope"),
        ("patch", "/api/v1/upstreams/nope"),
        ("delete", "/api/v1/upstreams/nope"),
        ("get", "/api/v1/upstreams/nope/status"),
        ("get", "/api/v1/upstreams/nope/dead-letters"),
        ("post", "/api/v1/upstreams/nope/dead-letters/retry"),
    ]:
        response = getattr(client, method)(path, json={}, headers=admin)
        assert response.status_code == 404, (method, path)


def test_an_upstream_of_the_configuration_file_is_a_409_naming_the_file(app, client, admin):
    runtime = app.extensions["lrs_bridge"]
    runtime.upstreams.config_file = "/etc/lrs-bridge/lrs-bridge.toml"
    entry = body("from-file", endpoint="https://lrs.example.com/xapi/", verbs=())
    runtime.upstreams.sync_config([entry])
    for response in (
        client.patch("/api/v1/upstreams/from-file", json={"enabled": False}, headers=admin),
        client.delete("/api/v1/upstreams/from-file", headers=admin),
    ):
        assert response.status_code == 409
        assert "/etc/lrs-bridge/lrs-bridge.toml" in response.get_json()["message"]
    assert runtime.upstreams.get("from-file").enabled is True


@pytest.mark.parametrize("scopes", ["statements/write", "all", "all/read"])
def test_only_the_admin_scope_reaches_the_registry(client, creds, scopes):
    caller = creds.make(scopes)
    assert client.get("/api/v1/upstreams", headers=caller).status_code == 403
    assert client.post("/api/v1/upstreams", json=body(), headers=caller).status_code == 403
    assert client.get("/api/v1/upstreams").status_code == 401


def test_every_upstream_operation_is_in_the_openapi_document(client, admin):
    paths = client.get("/api/v1/openapi.json", headers=admin).get_json()["paths"]
    assert set(paths["/upstreams"]) == {"get", "post"}
    assert set(paths["/upstreams/{name}"]) == {"get", "patch", "delete"}
    assert set(paths["/upstreams/{name}/status"]) == {"get"}
    assert set(paths["/upstreams/{name}/dead-letters"]) == {"get"}
    assert set(paths["/upstreams/{name}/dead-letters/retry"]) == {"post"}
    assert SECRET not in str(paths)
