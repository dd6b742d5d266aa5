"""`quizapp sync` configuration: where the endpoint and credentials come from, and that a
password never comes from the command line nor shows up in output. (Sending, against a
real LRS, is tested in tests/lrs.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quizapp.cli import build_parser, main
from quizapp.core.lrs_sync import (
    EXIT_USAGE,
    LrsEndpoint,
    Rejection,
    SyncConfigError,
    SyncOptions,
    normalise_url,
    resolve_endpoint,
)


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("https://LRS.example.org/xAPI", "https://lrs.example.org/xAPI/"),
        ("https://lrs.example.org:443/xAPI/statements", "https://lrs.example.org/xAPI/"),
        ("http://127.0.0.1:8100/xAPI/statements/", "http://127.0.0.1:8100/xAPI/"),
        ("https://lrs.example.org", "https://lrs.example.org/"),
    ],
)
def test_one_lrs_has_one_spelling(given: str, normal: str) -> None:
    assert normalise_url(given) == normal


@pytest.mark.parametrize(
    "bad", ["lrs.example.org/xAPI", "ftp://lrs.example.org/", "https://user:pw@lrs.example.org/"]
)
def test_unusable_urls_are_refused(bad: str) -> None:
    with pytest.raises(SyncConfigError) as caught:
        normalise_url(bad)
    assert "pw" not in str(caught.value).replace("password", "")


def test_flags_win_over_the_environment_which_wins_over_settings(tmp_path: Path) -> None:
    env = {
        "QUIZAPP_LRS_URL": "https://env.example.org/xAPI/",
        "QUIZAPP_LRS_USER": "env-user",
        "QUIZAPP_LRS_PASSWORD": "env-secret",
    }
    found = resolve_endpoint(url=None, user=None, password_file=None, environ=env)
    assert (found.url, found.user, found.password) == (
        "https://env.example.org/xAPI/", "env-user", "env-secret",
    )  # fmt: skip
    flagged = resolve_endpoint(
        url="https://flag.example.org/x", user="flag-user", password_file=None, environ=env
    )
    assert (flagged.url, flagged.user) == ("https://flag.example.org/x/", "flag-user")
    from_settings = resolve_endpoint(
        url=None,
        user=None,
        password_file=None,
        environ={"QUIZAPP_LRS_PASSWORD": "s"},
        settings_url="https://settings.example.org/xAPI",
        settings_user="settings-user",
    )
    assert (from_settings.url, from_settings.user) == (
        "https://settings.example.org/xAPI/", "settings-user",
    )  # fmt: skip
    assert "env-secret" not in repr(found)  # the password is kept out of repr


def test_missing_parts_are_named() -> None:
    with pytest.raises(SyncConfigError, match="QUIZAPP_LRS_URL"):
        resolve_endpoint(url=None, user="u", password_file=None, environ={})
    with pytest.raises(SyncConfigError, match="QUIZAPP_LRS_USER"):
        resolve_endpoint(url="https://x.example", user=None, password_file=None, environ={})
    with pytest.raises(SyncConfigError, match="QUIZAPP_LRS_PASSWORD"):
        resolve_endpoint(url="https://x.example", user="u", password_file=None, environ={})


def test_a_password_file_must_be_private(tmp_path: Path) -> None:
    secret = tmp_path / "lrs-password"
    secret.write_text("s3cret-from-file\n", encoding="utf-8")
    os.chmod(secret, 0o644)
    with pytest.raises(SyncConfigError, match="chmod 600") as caught:
        resolve_endpoint(url="https://x.example", user="u", password_file=secret, environ={})
    assert "s3cret" not in str(caught.value)
    os.chmod(secret, 0o600)
    found = resolve_endpoint(url="https://x.example", user="u", password_file=secret, environ={})
    assert found.password == "s3cret-from-file"
    empty = tmp_path / "empty"
    empty.write_text("", encoding="utf-8")
    os.chmod(empty, 0o600)
    with pytest.raises(SyncConfigError, match="empty"):
        resolve_endpoint(url="https://x.example", user="u", password_file=empty, environ={})
    with pytest.raises(SyncConfigError, match="cannot read"):
        resolve_endpoint(
            url="https://x.example", user="u", password_file=tmp_path / "nope", environ={}
        )


def test_there_is_no_password_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(["sync", "--password", "x"])
    assert caught.value.code == 2
    assert "unrecognized arguments: --password" in capsys.readouterr().err


def test_sync_without_an_endpoint_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("QUIZAPP_LRS_URL", "QUIZAPP_LRS_USER", "QUIZAPP_LRS_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert main(["sync"]) == EXIT_USAGE
    assert "no LRS URL: give --url or set QUIZAPP_LRS_URL" in capsys.readouterr().err


def test_options_are_checked() -> None:
    with pytest.raises(SyncConfigError, match="batch size"):
        SyncOptions(batch_size=0)
    with pytest.raises(SyncConfigError, match="retries"):
        SyncOptions(retries=-1)


def test_a_rejection_names_the_statement_and_the_reason() -> None:
    statement = {
        "id": "1b7c6f9e-0000-5000-8000-000000000001",
        "verb": {"display": {"en-US": "answered"}},
        "object": {"id": "https://x.example/decks/d/cards/c"},
        "timestamp": "2025-03-01T09:00:00.000Z",
    }
    line = Rejection(statement, 409, "Differing statements already exist").describe()
    assert line == (
        "statement 1b7c6f9e-0000-5000-8000-000000000001 (answered"
        " https://x.example/decks/d/cards/c at 2025-03-01T09:00:00.000Z):"
        " HTTP 409: Differing statements already exist"
    )


def test_the_endpoint_key_never_holds_credentials() -> None:
    endpoint = LrsEndpoint("https://lrs.example.org/xAPI/", "key", "secret")
    assert endpoint.key == "https://lrs.example.org/xAPI/"
    assert endpoint.statements_url == "https://lrs.example.org/xAPI/statements"
    assert "secret" not in repr(endpoint)
