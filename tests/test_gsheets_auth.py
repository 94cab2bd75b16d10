"""Credentials, sign-in, sharing with a mentor, and the Google commands."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fakesheets import FakeGoogle
from gsheets_helpers import tracker_grids

from sheetsync.backends.google import auth
from sheetsync.cli import cli
from sheetsync.config import Config
from sheetsync.errors import EXIT_AUTH, EXIT_USAGE, AuthError, ConfigError

pytest_plugins = ["fakesheets.plugin"]

SA_EMAIL = "tracker-bot@job-search.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def private_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()  # fmt: skip


def write_sa(path: Path, key: str, email: str = SA_EMAIL) -> Path:
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "job-search", "private_key_id": "k1",
        "private_key": key, "client_email": email, "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token"}))  # fmt: skip
    path.chmod(0o600)
    return path


def write_token(path: Path, *, scopes: list[str] | None = None, refresh: bool = True) -> Path:
    data = {"type": "authorized_user", "client_id": "cid.apps.googleusercontent.com",
            "client_secret": "s", "refresh_token": "r" if refresh else None, "token": "t",
            "scopes": scopes or [auth.SCOPE_SHEETS], "expiry": "2026-03-16T10:00:00Z",
            "account": "jordan@example.com"}  # fmt: skip
    if not refresh:
        del data["refresh_token"]
    return auth.save_token(data, path)


def flag_email(path: Path) -> str:
    return str(json.loads(path.read_text())["client_email"])


# ------------------------------------------------------------------ loading
def test_a_service_account_key_is_loaded_with_the_sheets_scope_only(tmp_path: Path,
                                                                    private_key: str) -> None:
    loaded = auth.load_credentials(write_sa(tmp_path / "sa.json", private_key), environ={})
    assert loaded.kind == "service_account" and loaded.email == SA_EMAIL
    assert loaded.scopes == (auth.SCOPE_SHEETS,)
    assert list(getattr(loaded.credentials, "scopes", [])) == [auth.SCOPE_SHEETS]


def test_credentials_are_found_in_the_documented_order(tmp_path: Path, private_key: str) -> None:
    flag = write_sa(tmp_path / "flag.json", private_key, "flag@p.iam.gserviceaccount.com")
    env = write_sa(tmp_path / "env.json", private_key, "env@p.iam.gserviceaccount.com")
    conf = write_sa(tmp_path / "conf.json", private_key, "conf@p.iam.gserviceaccount.com")
    token = write_token(tmp_path / "token.json")
    environ = {auth.ENV_CREDENTIALS: str(env)}
    kw: dict[str, Any] = {"config_path": conf, "token": token}
    assert auth.load_credentials(flag, environ=environ, **kw).email == flag_email(flag)
    assert auth.load_credentials(None, environ=environ, **kw).email == flag_email(env)
    assert auth.load_credentials(None, environ={}, **kw).email == flag_email(conf)
    saved = auth.load_credentials(None, environ={}, token=token)
    assert saved.kind == "oauth" and saved.email == "jordan@example.com"


def test_missing_or_wrong_files_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="no Google credentials") as info:
        auth.load_credentials(None, environ={}, token=tmp_path / "none.json")
    assert "sheetsync auth login" in str(info.value.hint)
    with pytest.raises(AuthError, match="does not exist"):
        auth.load_credentials(tmp_path / "typo.json", environ={})
    client = tmp_path / "client.json"
    client.write_text(json.dumps({"installed": {"client_id": "x"}}))
    with pytest.raises(AuthError, match="OAuth client file") as info:
        auth.load_credentials(client, environ={})
    assert "--client-secrets" in str(info.value.hint)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(AuthError, match="not valid JSON"):
        auth.load_credentials(broken, environ={})


def test_sharing_needs_the_drive_permission(tmp_path: Path) -> None:
    token = write_token(tmp_path / "token.json")
    with pytest.raises(AuthError, match="does not allow sharing") as info:
        auth.load_credentials(None, environ={}, token=token, scopes=auth.SHARING_SCOPES)
    assert "--allow-sharing" in str(info.value.hint)


# ------------------------------------------------------------------ the saved sign-in
def test_the_token_is_written_atomically_and_privately(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "sheetsync"
    path = write_token(folder / "token.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.name for p in folder.iterdir()] == ["token.json"]  # no temporary left behind
    assert json.loads(path.read_text())["refresh_token"] == "r"


def test_status_says_who_for_what_and_what_is_wrong(tmp_path: Path, private_key: str) -> None:
    token = write_token(tmp_path / "token.json", scopes=[auth.SCOPE_SHEETS, auth.SCOPE_DRIVE])
    token.chmod(0o644)
    result = auth.status(environ={}, token=token)
    assert result.kind == "oauth" and result.email == "jordan@example.com" and result.can_share
    assert result.expiry is not None and result.expiry.year == 2026
    assert any("chmod 600" in p for p in result.problems)
    text = "\n".join(result.lines())
    assert "signed in as jordan@example.com" in text and "expires 2026-03-16 10:00" in text

    sa = auth.status(write_sa(tmp_path / "sa.json", private_key), environ={})
    assert sa.kind == "service_account" and sa.email == SA_EMAIL and sa.problems == []

    nobody = auth.status(environ={}, token=tmp_path / "missing.json")
    assert nobody.kind is None and "sheetsync auth login" in nobody.problems[0]
    stale = auth.status(environ={}, token=write_token(tmp_path / "t2.json", refresh=False))
    assert any("sign in again" in p and "7 days" in p for p in stale.problems)


class _Flow:
    """Stands in for google_auth_oauthlib's InstalledAppFlow (no network, no browser)."""

    last: _Flow | None = None

    def __init__(self, config: dict[str, Any], scopes: list[str]) -> None:
        from google.oauth2.credentials import Credentials

        claims = base64.urlsafe_b64encode(json.dumps({"email": "jordan@example.com"}).encode())
        self.scopes = scopes
        self.credentials = Credentials(
            "token", refresh_token="refresh", client_id="cid", client_secret="s",
            token_uri="https://oauth2.googleapis.com/token", scopes=scopes,
            id_token="h." + claims.decode().rstrip("=") + ".sig")  # fmt: skip
        self.redirect_uri = ""
        self.fetched: str | None = None
        self.local_server: dict[str, Any] | None = None
        _Flow.last = self

    @classmethod
    def from_client_config(cls, config: dict[str, Any], scopes: list[str]) -> _Flow:
        return cls(config, scopes)

    def authorization_url(self, **kwargs: Any) -> tuple[str, str]:
        return "https://accounts.google.com/o/oauth2/auth?client_id=cid", "state"

    def fetch_token(self, authorization_response: str) -> None:
        self.fetched = authorization_response

    def run_local_server(self, **kwargs: Any) -> Any:
        self.local_server = kwargs
        return self.credentials


@pytest.fixture
def fake_flow(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    import google_auth_oauthlib.flow

    monkeypatch.setattr(google_auth_oauthlib.flow, "InstalledAppFlow", _Flow)
    secrets = tmp_path / "client_secret.json"
    secrets.write_text(json.dumps({"installed": {"client_id": "cid", "client_secret": "s"}}))
    return secrets


def test_login_saves_a_private_token_and_knows_the_account(fake_flow: Path, tmp_path: Path
                                                           ) -> None:  # fmt: skip
    token = tmp_path / "cfg" / "token.json"
    result = auth.login(fake_flow, token=token)
    assert result.kind == "oauth" and result.email == "jordan@example.com"
    assert not result.can_share and auth.SCOPE_DRIVE not in (_Flow.last.scopes if _Flow.last
                                                             else [])  # fmt: skip
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert _Flow.last is not None and _Flow.last.local_server is not None
    assert _Flow.last.local_server["port"] == 0


def test_login_without_a_browser_takes_the_pasted_address(fake_flow: Path, tmp_path: Path) -> None:
    said: list[str] = []
    auth.login(fake_flow, no_browser=True, allow_sharing=True, token=tmp_path / "t.json",
               prompt=lambda _: "http://localhost:1/?state=state&code=abc", echo=said.append)
    assert _Flow.last is not None and _Flow.last.fetched == "https://localhost:1/?state=state&code=abc"
    assert auth.SCOPE_DRIVE in _Flow.last.scopes
    assert any("accounts.google.com" in line for line in said)


def test_login_with_a_web_client_file_explains_which_client_to_create(tmp_path: Path) -> None:
    web = tmp_path / "web.json"
    web.write_text(json.dumps({"web": {"client_id": "x"}}))
    result = CliRunner().invoke(cli, ["auth", "login", "--client-secrets", str(web)])
    assert result.exit_code == EXIT_AUTH
    assert "Desktop app" in result.output and "Traceback" not in result.output
    assert result.output.startswith("error: ")


# ------------------------------------------------------------------ commands
def test_auth_status_command(tmp_path: Path, private_key: str) -> None:
    sa = write_sa(tmp_path / "sa.json", private_key)
    ok = CliRunner().invoke(cli, ["auth", "status", "--credentials", str(sa)])
    assert ok.exit_code == 0 and SA_EMAIL in ok.output and "service account" in ok.output
    nobody = CliRunner().invoke(cli, ["auth", "status"])
    assert nobody.exit_code == EXIT_AUTH and "not signed in" in nobody.output


def test_share_and_list_through_drive(fake_google: FakeGoogle) -> None:
    book = fake_google.create_spreadsheet(tracker_grids(1))
    runner = CliRunner()
    url = f"https://docs.google.com/spreadsheets/d/{book.id}/edit"
    quiet = runner.invoke(cli, ["share", "mentor@example.com", "--no-notify", "--sheet", url])
    assert quiet.exit_code == 0, quiet.output
    # Approving a draft or editing its text needs edit rights: writer is the default.
    assert quiet.output.splitlines() == [
        "Shared with mentor@example.com as writer: they can approve drafts, edit their text "
        "and edit every tab; the whole spreadsheet is shared, contact details included."]
    loud = runner.invoke(cli, ["share", "coach@example.com", "--role", "commenter",
                                         "--message", "Thanks for helping!", "--sheet", url])
    assert "(Google e-mails them a link)" in loud.output
    assert "cannot approve a draft or edit its text" in loud.output
    reader = runner.invoke(cli, ["share", "peer@example.com", "--role", "reader",
                                 "--no-notify", "--sheet", url])  # fmt: skip
    assert "can only read" in reader.output and "contact details included" in reader.output
    assert loud.exit_code == 0, loud.output
    by_email = {p["emailAddress"]: p for p in book.permissions}
    assert by_email["mentor@example.com"]["notified"] is False
    assert by_email["mentor@example.com"]["role"] == "writer"
    assert by_email["coach@example.com"]["role"] == "commenter"
    assert by_email["coach@example.com"]["notified"] is True
    assert by_email["coach@example.com"]["message"] == "Thanks for helping!"
    listed = runner.invoke(cli, ["share", "--list", "--sheet", url])
    assert listed.exit_code == 0
    assert listed.output.splitlines() == [
        "owner      Sheet Owner <owner@example.com>",
        "writer     mentor@example.com",
        "commenter  coach@example.com",
        "reader     peer@example.com",
    ]
    create = fake_google.requests("permissions.create")[0]
    assert create.query["sendNotificationEmail"] == ["false"] and "withLink" not in create.json


def test_share_mistakes_are_usage_errors(fake_google: FakeGoogle) -> None:
    book = fake_google.create_spreadsheet(tracker_grids(1))
    runner = CliRunner()
    for args in (["--sheet", book.id], ["x@example.com", "--no-notify", "--message", "hi",
                                        "--sheet", book.id],
                 ["not-an-address", "--sheet", book.id], ["x@example.com"],
                 ["x@example.com", "--role", "owner", "--sheet", book.id]):  # fmt: skip
        result = runner.invoke(cli, ["share", *args])
        assert result.exit_code == EXIT_USAGE, (args, result.output)
        assert "Traceback" not in result.output and "error: " in result.output.lower()
    assert fake_google.count("permissions.create") == 0


def test_share_without_access_names_the_fix(fake_google: FakeGoogle) -> None:
    from sheetsync.backends.google import sharing

    book = fake_google.create_spreadsheet(tracker_grids(1))
    book.denied = 403
    with pytest.raises(AuthError):
        sharing.share(book.id, "mentor@example.com")
    with pytest.raises(ConfigError, match="unknown role"):
        sharing.share(book.id, "mentor@example.com", role="owner")


def test_the_owner_builds_the_backend_from_sheet_credentials_and_config(
        fake_google: FakeGoogle, tmp_path: Path) -> None:  # fmt: skip
    from sheetsync.backends.google.sheets import open_google_backend

    book = fake_google.create_spreadsheet(tracker_grids(2))
    backend = open_google_backend(f"https://docs.google.com/spreadsheets/d/{book.id}/edit#gid=0",
                                  Config(state_dir=str(tmp_path / "state")),
                                  cache_dir=tmp_path / "cache")  # fmt: skip
    wb = backend.read()
    from gsheets_helpers import computed_plan

    backend.write(computed_plan(wb), wb)
    assert (tmp_path / "cache" / f"{book.id}.json").is_file()
    backend.close()


def test_the_command_line_keeps_the_google_cache_in_the_state_folder(
        fake_google: FakeGoogle, tmp_path: Path) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet(tracker_grids(2))
    config = tmp_path / "sheetsync.toml"
    config.write_text(f'state_dir = "{(tmp_path / "state").as_posix()}"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["sync", "-q", "--config", str(config), "--sheet", book.id,
                                      "--today", "2026-03-16"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "state" / "google-cache" / f"{book.id}.json").is_file()


def test_without_a_state_dir_the_google_cache_is_under_the_default_state_root(
        fake_google: FakeGoogle, isolated: Path) -> None:  # fmt: skip
    book = fake_google.create_spreadsheet(tracker_grids(2))
    result = CliRunner().invoke(cli, ["sync", "-q", "--sheet", book.id, "--today", "2026-03-16"])
    assert result.exit_code == 0, result.output
    assert (isolated / "state" / "google-cache" / f"{book.id}.json").is_file()


def test_without_the_override_credentials_are_required(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:  # fmt: skip
    from sheetsync.backends.google.sheets import GoogleSheetsBackend

    monkeypatch.delenv("SHEETSYNC_API_ENDPOINT", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(auth, "token_path", lambda: tmp_path / "none.json")
    with pytest.raises(AuthError, match="no Google credentials"):
        GoogleSheetsBackend("k" * 44)
    assert os.environ.get("SHEETSYNC_API_ENDPOINT") is None
