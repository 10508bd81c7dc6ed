"""``lrs-bridge upstream add|list|remove|status``: the command contracts (issue 11 §5)."""

from __future__ import annotations

import orjson
from click.testing import CliRunner

from lrs_bridge.cli import cli
from lrs_bridge.config import load_settings
from lrs_bridge.runtime import build_runtime
from tests.upstream.registry_support import SECRET


def invoke(database_url: str, *args: str, stdin: str | None = None, code: int = 0) -> str:
    result = CliRunner().invoke(cli, ["--database-url", database_url, *args], input=stdin)
    assert result.exit_code == code, result.output
    # Domain errors reach main(), which prints them (exit 2); the runner keeps the exception.
    return result.output + (str(result.exception) if code == 1 else "")


ADD = (
    "upstream", "add", "ll",
    "--endpoint", "https://ll.example.com/data/xAPI",
    "--key", "bridge",
    "--direction", "both",
)  # fmt: skip


def test_add_with_repeatable_filters_then_list_and_remove(database_url):
    out = invoke(
        database_url,
        *ADD,
        "--secret", SECRET,
        "--version", "2.0.0",
        "--verbs", "http://adlnet.gov/expapi/verbs/completed",
        "--verbs", "http://adlnet.gov/expapi/verbs/passed",
        "--activity-prefix", "https://example.com/cs-training/",
        "--platform", "Moodle",
    )  # fmt: skip
    assert out == "added upstream ll (both, https://ll.example.com/data/xAPI/)\n"
    runtime = build_runtime(load_settings({"database_url": database_url}))
    try:
        ll = runtime.upstreams.get("ll")
        assert ll.secret == SECRET and ll.version == "2.0.0"
        assert ll.verbs == (
            "http://adlnet.gov/expapi/verbs/completed",
            "http://adlnet.gov/expapi/verbs/passed",
        )
        assert ll.activity_prefixes == ("https://example.com/cs-training/",)
        assert ll.platforms == ("Moodle",)
    finally:
        runtime.close()
    listed = invoke(database_url, "upstream", "list")
    assert listed == ("ll\tboth\t2.0.0\thttps://ll.example.com/data/xAPI/\tenabled\tsource=api\n")
    as_json = orjson.loads(invoke(database_url, "upstream", "list", "--json"))
    assert as_json["secret_set"] is True and "secret" not in as_json
    assert invoke(database_url, "upstream", "remove", "ll") == "removed upstream ll\n"
    assert invoke(database_url, "upstream", "list") == ""
    assert "no upstream named 'll'" in invoke(database_url, "upstream", "remove", "ll", code=1)


def test_the_secret_can_come_from_stdin_instead_of_the_command_line(database_url):
    invoke(database_url, *ADD, "--secret-stdin", stdin=SECRET + "\n")
    runtime = build_runtime(load_settings({"database_url": database_url}))
    try:
        assert runtime.upstreams.get("ll").secret == SECRET
    finally:
        runtime.close()


def test_add_refuses_bad_options_naming_them(database_url):
    assert "--secret" in invoke(database_url, *ADD, code=2)
    assert "--secret" in invoke(database_url, *ADD, "--secret", "s", "--secret-stdin", code=2)
    bad_endpoint = list(ADD)
    bad_endpoint[4] = "ftp://ll.example.com/"
    assert "--endpoint" in invoke(database_url, *bad_endpoint, "--secret", "s", code=2)
    assert "--verbs" in invoke(database_url, *ADD, "--secret", "s", "--verbs", "x", code=2)
    assert "'sideways' is not one of" in invoke(
        database_url, *ADD[:-1], "sideways", "--secret", "s", code=2
    )
    assert invoke(database_url, "upstream", "list") == ""


#: ``status --json``: the keys scripts rely on.
STATUS_KEYS = {"name", "direction", "enabled", "at", "forward", "pull"}
FORWARD_KEYS = {
    "queue_depth", "dead_letters", "lag_seconds", "last_success", "last_error",
    "last_error_at", "delivered",
}  # fmt: skip
PULL_KEYS = {"lag_seconds", "last_success", "last_error", "last_error_at", "pulled", "cursor"}


def test_status_is_a_table_for_people_and_stable_json_for_scripts(database_url):
    invoke(database_url, *ADD, "--secret", SECRET)
    invoke(database_url, *ADD[:2], "ralph", *ADD[3:-1], "pull", "--secret", SECRET)
    table = invoke(database_url, "upstream", "status").splitlines()
    assert table[0].split() == ["NAME", "DIRECTION", "QUEUED", "DEAD", "FWD", "LAG", "PULL",
                                "LAG", "LAST", "ERROR"]  # fmt: skip
    assert table[1].split() == ["ll", "both", "0", "0", "0s", "-", "-"]
    assert table[2].split() == ["ralph", "pull", "0", "0", "0s", "-", "-"]
    document = orjson.loads(invoke(database_url, "upstream", "status", "--json"))
    assert [item["name"] for item in document["upstreams"]] == ["ll", "ralph"]
    for item in document["upstreams"]:
        assert set(item) == STATUS_KEYS
        assert set(item["forward"]) == FORWARD_KEYS
        assert set(item["pull"]) == PULL_KEYS
        assert set(item["pull"]["cursor"]) == {"since", "more"}
