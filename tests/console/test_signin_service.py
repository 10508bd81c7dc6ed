"""Console sign-in as a use case: users, passwords, one-time links, throttling, who is who.

Everything runs against a real database of each kind and, for e-mail, a real SMTP server.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from lrs_bridge.errors import BadRequest, Conflict, NotFound, TooManyRequests, Unauthorized
from lrs_bridge.notify.smtp import send_email
from lrs_bridge.services.competencies import EngineSource
from lrs_bridge.services.directory import import_directory
from lrs_bridge.services.signin import (
    SignInService,
    SignInThrottle,
    safe_next,
    token_hash,
)
from lrs_bridge.store.console_users import ConsoleUserStore
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.store.tables import console_users, signin_tokens
from tests.receivers import SmtpReceiver, running_smtp

PUBLIC = "https://lrs.example.com"
START_US = 1_780_000_000_000_000
MINUTE_US = 60_000_000
DIRECTORY = (
    "name,email,accounts,team,manager_email,language\n"
    "Kari Nordmann,kari@example.com,,support,,nb\n"
    "Ada Admin,ada@example.com,,support,,en\n"
)


class Clock:
    """A clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = START_US

    def __call__(self) -> int:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += int(minutes * MINUTE_US)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    yield from running_smtp()


@pytest.fixture
def people(store: SqlStore) -> SqlStore:
    """The store with two directory learners, Kari and Ada."""
    engine = EngineSource(store, "", "").current()
    import_directory(store, DIRECTORY, engine.reduce, lambda: START_US)
    return store


def make_service(
    store: SqlStore, clock: Clock, smtp: SmtpReceiver | None = None, **throttle: int
) -> SignInService:
    return SignInService(
        ConsoleUserStore(store.engine),
        store,
        store,
        clock,
        public_url=PUBLIC + "/",
        smtp_url=smtp.url if smtp else "",
        smtp_from="Console <console@example.com>",
        send=send_email,
        run=lambda job: job(),  # send before answering, so the test can read the mailbox
        throttle=SignInThrottle(**throttle) if throttle else None,
    )


@pytest.fixture
def service(people: SqlStore, clock: Clock, smtp: SmtpReceiver) -> SignInService:
    return make_service(people, clock, smtp)


def token_of(link: str) -> str:
    assert link.startswith(PUBLIC + "/console/sign-in/"), link
    return link.rsplit("/", 1)[1]


def mailed_link(smtp: SmtpReceiver) -> str:
    [message] = smtp.mailbox.messages
    text = message.get_body(("plain",)).get_content()
    [link] = [line for line in text.splitlines() if line.startswith(PUBLIC)]
    return link


# -- users ---------------------------------------------------------------------------------------


def test_a_user_password_is_stored_as_salted_scrypt_with_its_parameters(service, store):
    first = service.create_user(email="Root@Example.com", role="admin", password="correct horse")
    second = service.create_user(email="other@example.com", role="admin", password="correct horse")
    assert first.email == "root@example.com"
    scheme, n, r, p, salt, digest = (first.password_hash or "").split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert first.password_hash != second.password_hash  # a salt per user
    with store.engine.connect() as conn:
        stored = conn.execute(select(console_users.c.password_hash)).scalars().all()
    assert not any("correct horse" in value for value in stored)


@pytest.mark.parametrize(
    ("email", "role", "password", "field"),
    [
        ("not-an-address", "admin", None, "email"),
        ("x@example.com", "superuser", None, "role"),
        ("x@example.com", "admin", "short", "password"),
    ],
)
def test_bad_user_input_names_the_field(service, email, role, password, field):
    with pytest.raises(BadRequest) as caught:
        service.create_user(email=email, role=role, password=password)
    assert caught.value.details["field"] == field
    assert service.list_users() == []


def test_an_address_is_one_user_whatever_its_case(service):
    service.create_user(email="root@example.com", role="admin")
    with pytest.raises(Conflict):
        service.create_user(email="ROOT@example.com", role="admin")
    assert [u.email for u in service.list_users()] == ["root@example.com"]


def test_disabling_an_unknown_user_is_a_404(service):
    with pytest.raises(NotFound):
        service.disable_user("nobody@example.com")


# -- passwords -----------------------------------------------------------------------------------


def test_an_admin_signs_in_with_the_right_password_only(service):
    service.create_user(email="root@example.com", role="admin", name="Root", password="s3cret-pw")
    identity = service.sign_in_with_password("ROOT@example.com", "s3cret-pw", "10.0.0.1")
    assert (identity.kind, identity.email, identity.name) == ("admin", "root@example.com", "Root")
    assert identity.user_id is not None and identity.learner_id is None
    for email, password in [
        ("root@example.com", "wrong-password"),
        ("nobody@example.com", "s3cret-pw"),
        ("kari@example.com", "anything-at-all"),  # a learner has no password
    ]:
        with pytest.raises(Unauthorized) as caught:
            service.sign_in_with_password(email, password, "10.0.0.1")
        assert caught.value.message == "wrong e-mail address or password"


def test_link_only_and_disabled_admins_cannot_use_a_password(service):
    service.create_user(email="link@example.com", role="admin")
    service.create_user(email="gone@example.com", role="admin", password="s3cret-pw")
    service.disable_user("gone@example.com")
    for email in ("link@example.com", "gone@example.com"):
        with pytest.raises(Unauthorized):
            service.sign_in_with_password(email, "s3cret-pw", None)


def test_failed_passwords_are_throttled_per_address_then_the_window_ends(people, clock, smtp):
    service = make_service(people, clock, smtp, max_per_email=3, window_seconds=600)
    service.create_user(email="root@example.com", role="admin", password="s3cret-pw")
    for _ in range(3):
        with pytest.raises(Unauthorized):
            service.sign_in_with_password("root@example.com", "wrong-one", "10.0.0.1")
    with pytest.raises(TooManyRequests) as caught:  # even the right password, until it ends
        service.sign_in_with_password("root@example.com", "s3cret-pw", "10.0.0.2")
    assert caught.value.details["retry_after"] == 600
    clock.advance(5)
    with pytest.raises(TooManyRequests) as caught:
        service.sign_in_with_password("root@example.com", "s3cret-pw", "10.0.0.2")
    assert caught.value.details["retry_after"] == 300
    clock.advance(5)
    assert (
        service.sign_in_with_password("root@example.com", "s3cret-pw", "10.0.0.2").kind == "admin"
    )


def test_one_client_is_throttled_across_addresses(people, clock, smtp):
    service = make_service(people, clock, smtp, max_per_address=4)
    for n in range(4):
        service.request_link(f"someone{n}@example.com", "192.0.2.7")
    with pytest.raises(TooManyRequests):
        service.request_link("kari@example.com", "192.0.2.7")
    service.request_link("kari@example.com", "192.0.2.8")  # another client is not held up
    assert len(smtp.mailbox.messages) == 1


# -- who is who ----------------------------------------------------------------------------------


def test_identities_an_admin_who_is_also_a_learner_is_the_admin(service):
    service.create_user(email="ada@example.com", role="admin")
    ada = service.identify("ada@example.com")
    kari = service.identify("KARI@example.com")
    assert ada is not None and kari is not None
    assert (ada.kind, ada.name, ada.language) == ("admin", "Ada Admin", "en")
    assert ada.learner_id is not None  # /console/me still finds her own page
    assert (kari.kind, kari.user_id, kari.language) == ("learner", None, "nb")
    assert kari.learner_id is not None
    assert service.identify("nobody@example.com") is None
    service.disable_user("ada@example.com")
    demoted = service.identify("ada@example.com")
    assert demoted is not None and demoted.kind == "learner"


# -- links ---------------------------------------------------------------------------------------


def test_a_learner_gets_a_link_stored_only_as_its_hash(service, smtp, store):
    service.request_link("Kari@Example.com", "10.0.0.1", next_path="/console/me")
    link = mailed_link(smtp)
    [message] = smtp.mailbox.messages
    assert message["To"] == "Kari Nordmann <kari@example.com>"
    assert message["Content-Language"] == "nb"
    assert message["Subject"] == "Lenken din for innlogging"
    token = token_of(link)
    with store.engine.connect() as conn:
        [row] = conn.execute(select(signin_tokens)).all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert token not in repr(tuple(row))
    assert row.expires_us - row.created_us == 15 * MINUTE_US
    confirmed = service.confirm(token)
    assert confirmed.outcome == "ok" and confirmed.identity is not None
    assert confirmed.identity.kind == "learner" and confirmed.next_path == "/console/me"


def test_unknown_addresses_get_the_same_answer_and_no_mail(service, smtp):
    assert service.request_link("nobody@example.com", "10.0.0.1") is None
    assert service.request_link("kari@example.com", "10.0.0.1") is None
    assert [m["To"].addresses[0].addr_spec for m in smtp.mailbox.messages] == ["kari@example.com"]


def test_an_admin_gets_a_link_that_signs_them_in_as_admin(service, smtp):
    service.create_user(email="root@example.com", role="admin")
    service.request_link("root@example.com", None)
    confirmed = service.confirm(token_of(mailed_link(smtp)))
    assert confirmed.identity is not None and confirmed.identity.kind == "admin"


def test_without_smtp_no_link_is_sent_but_the_cli_can_make_one(people, clock):
    service = make_service(people, clock, smtp=None)
    assert not service.can_send_links
    service.request_link("kari@example.com", None)
    link = service.sign_in_link("kari@example.com", next_path="/console/me")
    assert service.confirm(token_of(link)).next_path == "/console/me"
    with pytest.raises(NotFound):
        service.sign_in_link("nobody@example.com")


@pytest.mark.parametrize(
    ("minutes", "outcome"), [(0, "ok"), (14.9, "ok"), (15, "expired"), (60, "expired")]
)
def test_a_link_lasts_fifteen_minutes(service, clock, minutes, outcome):
    token = token_of(service.sign_in_link("kari@example.com"))
    clock.advance(minutes)
    assert service.link_state(token) == outcome
    assert service.confirm(token).outcome == outcome


def test_a_link_works_once(service):
    token = token_of(service.sign_in_link("kari@example.com"))
    assert service.confirm(token).outcome == "ok"
    assert service.link_state(token) == "used"
    assert service.confirm(token).outcome == "used"
    assert service.confirm("not-a-token").outcome == "unknown"


def test_two_clicks_at_once_sign_in_once(service):
    tokens = [token_of(service.sign_in_link("kari@example.com")) for _ in range(5)]
    for token in tokens:
        outcomes: list[str] = []
        barrier = threading.Barrier(4)

        def click(
            token: str = token,
            outcomes: list[str] = outcomes,
            barrier: threading.Barrier = barrier,
        ) -> None:
            barrier.wait()
            outcomes.append(service.confirm(token).outcome)

        threads = [threading.Thread(target=click) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["ok", "used", "used", "used"]


def test_disabling_a_user_ends_their_unused_links(service):
    service.create_user(email="root@example.com", role="admin")
    token = token_of(service.sign_in_link("root@example.com"))
    service.disable_user("root@example.com")
    assert service.confirm(token).outcome == "unknown"


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/console/", True),
        ("/console", True),
        ("/console/teams/support?format=csv", True),
        ("/console/learners/7#history", True),
        ("//evil.example.com/console/", False),
        ("https://evil.example.com/console/", False),
        ("/\\evil.example.com", False),
        ("/api/v1/learners", False),
        ("/consoleevil", False),
        ("javascript:alert(1)", False),
        ("/console/\r\nSet-Cookie: x", False),
        ("", False),
        (None, False),
    ],
)
def test_only_local_console_paths_are_followed(path, kept):
    assert safe_next(path) == (path if kept else None)


def test_an_unsafe_next_path_is_dropped_from_the_link(service):
    token = token_of(service.sign_in_link("kari@example.com", next_path="//evil.example.com/"))
    assert service.confirm(token).next_path is None


def test_an_assignment_link_lasts_seven_days_and_leads_to_the_assignment(service, clock, people):
    kari = people.learner_by_agent_key("mbox:mailto:kari@example.com")
    assert kari is not None
    link = service.assignment_link(kari["id"], 42)
    clock.advance(7 * 24 * 60 - 1)
    assert service.link_state(token_of(link)) == "ok"
    confirmed = service.confirm(token_of(link))
    assert confirmed.next_path == "/console/assignments/42"
    assert confirmed.identity is not None and confirmed.identity.learner_id == kari["id"]
    late = service.assignment_link(kari["id"], 43)
    clock.advance(7 * 24 * 60)
    assert service.confirm(token_of(late)).outcome == "expired"
    with pytest.raises(NotFound):
        service.assignment_link(999_999, 1)


def test_token_hash_is_sha256_hex():
    assert token_hash("abc") == hashlib.sha256(b"abc").hexdigest()


def test_mail_is_sent_off_the_request_path(people, clock, smtp):
    """By default the send runs on a thread: the answer does not wait for SMTP, so it takes
    as long for a known address as for an unknown one."""
    slow = SmtpReceiver(delay=3.0)
    slow.start()
    try:
        service = SignInService(
            ConsoleUserStore(people.engine),
            people,
            people,
            clock,
            public_url=PUBLIC,
            smtp_url=slow.url,
            smtp_from="console@example.com",
            send=send_email,
        )
        started = time.perf_counter()
        service.request_link("kari@example.com", None)
        assert time.perf_counter() - started < 2.0  # the SMTP server takes 3 s
        deadline = time.monotonic() + 10
        while not slow.mailbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(slow.mailbox.messages) == 1
    finally:
        slow.stop()


def test_erasing_a_learner_deletes_their_links(service, people):
    from lrs_bridge.services.privacy import PrivacyService
    from lrs_bridge.store.attachments import AttachmentStore

    kari = people.learner_by_agent_key("mbox:mailto:kari@example.com")
    assert kari is not None
    tokens = [
        token_of(service.sign_in_link("kari@example.com")),
        token_of(service.assignment_link(kari["id"], 5)),
    ]
    engine = EngineSource(people, "", "")
    attachments = AttachmentStore(people.engine, mode="database", directory="", clock=lambda: 0)
    PrivacyService(people, engine, lambda: START_US, attachments).erase(kari["id"], "test")
    with people.engine.connect() as conn:
        assert conn.execute(select(signin_tokens)).all() == []
    assert [service.confirm(token).outcome for token in tokens] == ["unknown", "unknown"]


def test_api_failures_with_a_shorter_window_do_not_reset_sign_in_throttling(people, clock, smtp):
    """One table counts both; pruning the API's one-minute windows must not prune ours."""
    service = make_service(people, clock, smtp, max_per_email=2, window_seconds=900)
    for _ in range(2):
        service.request_link("kari@example.com", None)
    clock.advance(2)
    people.add_auth_failure(["key:0123", "addr:10.0.0.9"], clock(), 60_000_000)
    with pytest.raises(TooManyRequests):
        service.request_link("kari@example.com", None)
