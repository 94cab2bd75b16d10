"""Google credentials: a service-account key for cron, or a user's OAuth sign-in.

Where credentials come from, first match wins:

1. ``--credentials PATH`` (a service-account JSON key, or an authorized-user file);
2. ``$GOOGLE_APPLICATION_CREDENTIALS``;
3. ``credentials = "..."`` in ``sheetsync.toml``;
4. the token saved by ``sheetsync auth login`` (``token.json`` in the user config
   folder, mode 0600).

Scopes are the narrowest that work.  Reading and writing the tracker needs only
``spreadsheets``.  Sharing needs Drive: ``drive.file`` would be narrower but
only covers files this app created or the user opened through the app's file
picker, so it cannot share a tracker the user made in the browser; sharing
therefore asks for ``drive``, and only the ``share`` command uses it (an OAuth
user grants it with ``sheetsync auth login --allow-sharing``).  Sign-in also
asks for ``openid`` and ``userinfo.email`` (non-sensitive) so that ``auth
status`` can say which account is signed in.

Every failure is an :class:`~sheetsync.errors.AuthError` whose hint says what
to do; nothing here prints a traceback.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetsync.errors import AuthError

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

SCOPE_SHEETS = "https://www.googleapis.com/auth/spreadsheets"
SCOPE_DRIVE = "https://www.googleapis.com/auth/drive"
SCOPE_EMAIL = "https://www.googleapis.com/auth/userinfo.email"
SCOPE_OPENID = "openid"
SHEETS_SCOPES = (SCOPE_SHEETS,)
SHARING_SCOPES = (SCOPE_SHEETS, SCOPE_DRIVE)
ENV_CREDENTIALS = "GOOGLE_APPLICATION_CREDENTIALS"
TOKEN_FILE = "token.json"

LOGIN_HINT = (
    "run `sheetsync auth login --client-secrets client_secret.json`, or pass "
    "--credentials with a service-account JSON key (see docs/google-setup.md)"
)
RELOGIN_HINT = (
    "sign in again with `sheetsync auth login` (OAuth apps left in 'Testing' mode "
    "lose their refresh token after 7 days: publish the app to avoid this)"
)


@dataclass
class LoadedCredentials:
    """Credentials plus what messages need to know about them."""

    credentials: Credentials
    kind: str  # "service_account" | "oauth" | "anonymous"
    email: str | None = None
    source: str | None = None  # the file they came from
    scopes: tuple[str, ...] = ()


@dataclass
class AuthStatus:
    """What ``sheetsync auth status`` reports."""

    kind: str | None  # None: nobody is signed in
    email: str | None = None
    source: str | None = None
    scopes: tuple[str, ...] = ()
    expiry: datetime | None = None
    can_share: bool = False
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if self.kind is None:
            return ["not signed in", *[f"problem: {p}" for p in self.problems]]
        who = {"service_account": "service account", "oauth": "Google account"}[self.kind]
        out = [f"signed in as {self.email or '(unknown account)'} ({who})",
               f"credentials: {self.source}"]  # fmt: skip
        if self.kind == "service_account":
            out.append("scopes: asked per command (spreadsheets; drive for `sheetsync share`)")
        elif self.scopes:
            out.append("scopes: " + ", ".join(self.scopes))
        out.append("sharing (sheetsync share): " + ("allowed" if self.can_share else
                   "not allowed" + (" (run `sheetsync auth login --allow-sharing`)"
                                    if self.kind == "oauth" else "")))  # fmt: skip
        if self.kind == "oauth":
            if self.expiry is None:
                out.append("access token: none yet (refreshed on next use)")
            else:
                state = "expired, refreshed on next use" if self.expiry < _now() else "valid"
                out.append(f"access token: {state} (expires {self.expiry:%Y-%m-%d %H:%M} UTC)")
        out.extend(f"problem: {p}" for p in self.problems)
        return out


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # google-auth uses naive UTC


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path("sheetsync")


def token_path() -> Path:
    return config_dir() / TOKEN_FILE


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AuthError(f"credentials file {path} does not exist",
                        hint="check the path given with --credentials, "
                             f"${ENV_CREDENTIALS} or `credentials` in sheetsync.toml") from exc
    except OSError as exc:
        raise AuthError(f"cannot read credentials file {path}: {exc.strerror}",
                        hint="check the file's permissions") from exc  # fmt: skip
    except ValueError as exc:
        raise AuthError(f"credentials file {path} is not valid JSON",
                        hint="download the JSON key again from the Google Cloud console") from exc
    if not isinstance(data, dict):
        raise AuthError(f"credentials file {path} is not a Google credentials file",
                        hint=LOGIN_HINT)  # fmt: skip
    return data


def _mode_problem(path: Path) -> str | None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if os.name == "posix" and mode & 0o077:
        return (f"{path} is readable by other users (mode {mode:o}): "
                f"run `chmod 600 {path}`")  # fmt: skip
    return None


def credentials_from_file(path: str | os.PathLike[str],
                          scopes: Sequence[str] = SHEETS_SCOPES) -> LoadedCredentials:
    """Service-account key or authorized-user (token) file -> credentials."""
    file = Path(path).expanduser()
    info = _read_json(file)
    kind = info.get("type")
    if kind == "service_account":
        from google.oauth2 import service_account

        try:
            creds = service_account.Credentials.from_service_account_info(info, scopes=scopes)
        except (ValueError, KeyError) as exc:
            raise AuthError(f"{file} is not a usable service-account key ({exc})",
                            hint="create a new JSON key for the service account in the "
                                 "Google Cloud console") from exc  # fmt: skip
        return LoadedCredentials(creds, "service_account", info.get("client_email"),
                                 str(file), tuple(scopes))  # fmt: skip
    if kind == "authorized_user":
        return _user_credentials(info, file)
    if "installed" in info or "web" in info:
        raise AuthError(f"{file} is an OAuth client file, not credentials",
                        hint=f"run `sheetsync auth login --client-secrets {file}` "
                             "to sign in with it")  # fmt: skip
    raise AuthError(f"{file} is neither a service-account key nor a saved sign-in",
                    hint=LOGIN_HINT)  # fmt: skip


def _user_credentials(info: Mapping[str, Any], file: Path) -> LoadedCredentials:
    from google.oauth2.credentials import Credentials as UserCredentials

    try:
        creds = UserCredentials.from_authorized_user_info(dict(info))
    except ValueError as exc:
        raise AuthError(f"the saved sign-in in {file} is incomplete ({exc})",
                        hint=RELOGIN_HINT) from exc  # fmt: skip
    scopes = tuple(creds.scopes or info.get("scopes") or ())
    return LoadedCredentials(creds, "oauth", info.get("account"), str(file), scopes)


def load_credentials(
    path: str | os.PathLike[str] | None = None,
    *,
    config_path: str | os.PathLike[str] | None = None,
    scopes: Sequence[str] = SHEETS_SCOPES,
    environ: Mapping[str, str] | None = None,
    token: Path | None = None,
) -> LoadedCredentials:
    """Find credentials in the documented order; :class:`AuthError` when there are none."""
    env = environ if environ is not None else os.environ
    for candidate in (path, env.get(ENV_CREDENTIALS) or None, config_path):
        if candidate:
            return credentials_from_file(candidate, scopes)
    saved = token or token_path()
    if saved.is_file():
        loaded = credentials_from_file(saved, scopes)
        missing = [s for s in scopes if s not in loaded.scopes]
        if missing and SCOPE_DRIVE in missing:
            raise AuthError("your sign-in does not allow sharing the sheet",
                            hint="run `sheetsync auth login --allow-sharing` to allow it")
        if missing:
            raise AuthError("your sign-in does not allow editing spreadsheets",
                            hint="run `sheetsync auth login` again and allow every "
                                 "requested permission")  # fmt: skip
        return loaded
    raise AuthError("no Google credentials found", hint=LOGIN_HINT)


def describe(credentials: Credentials) -> LoadedCredentials:
    """Wrap a credentials object someone built in code."""
    email = getattr(credentials, "service_account_email", None)
    if isinstance(email, str) and "@" in email:
        return LoadedCredentials(credentials, "service_account", email)
    kind = "anonymous" if type(credentials).__name__ == "AnonymousCredentials" else "oauth"
    return LoadedCredentials(credentials, kind, getattr(credentials, "account", None) or None)


def save_token(data: Mapping[str, Any], path: Path | None = None) -> Path:
    """Write the sign-in atomically, readable by the owner only (0600, folder 0700)."""
    target = path or token_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(target.parent, 0o700)
    fd, tmp = tempfile.mkstemp(prefix=".token-", dir=target.parent)
    try:
        if os.name == "posix":
            os.fchmod(fd, 0o600)  # before any secret is written
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(dict(data), handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _email_from_id_token(id_token: str | None) -> str | None:
    """The e-mail claim of an ID token (display only: it came straight from Google)."""
    if not id_token or id_token.count(".") != 2:
        return None
    payload = id_token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    email = claims.get("email") if isinstance(claims, dict) else None
    return email if isinstance(email, str) else None


def login(
    client_secrets_path: str | os.PathLike[str],
    *,
    no_browser: bool = False,
    allow_sharing: bool = False,
    token: Path | None = None,
    prompt: Any = None,
    echo: Any = print,
) -> AuthStatus:
    """Run Google's installed-app sign-in and save the token; returns the new status.

    With a browser on this machine, a local redirect server catches Google's
    answer.  With ``no_browser`` (a server over SSH), the user opens the printed
    address anywhere, and pastes back the address the browser ends up on (a
    ``http://localhost:...`` page that fails to load is expected).
    """
    from google_auth_oauthlib.flow import InstalledAppFlow

    secrets = Path(client_secrets_path).expanduser()
    info = _read_json(secrets)
    if "installed" not in info:
        hint = ("create an OAuth client of type 'Desktop app' and download its JSON"
                if "web" in info else LOGIN_HINT)  # fmt: skip
        raise AuthError(f"{secrets} is not an OAuth client file for a desktop app", hint=hint)
    scopes = [SCOPE_SHEETS, *([SCOPE_DRIVE] if allow_sharing else []), SCOPE_OPENID, SCOPE_EMAIL]
    # Google may return scopes in another order or fewer of them (the user can
    # untick boxes); we check what was granted ourselves below.
    os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
    flow = InstalledAppFlow.from_client_config(info, scopes=scopes)
    try:
        if no_browser:
            flow.redirect_uri = "http://localhost:1/"
            url, _ = flow.authorization_url(prompt="consent", access_type="offline")
            echo("Open this address in a browser, sign in and allow access:\n\n  " + url + "\n")
            echo("The browser then goes to a http://localhost:1/... page that does not load.")
            ask = prompt or input
            answer = str(ask("Paste that page's full address here: ")).strip()
            flow.fetch_token(authorization_response=answer.replace("http://", "https://", 1))
        else:
            flow.run_local_server(port=0, open_browser=True, prompt="consent",
                                  access_type="offline",
                                  authorization_prompt_message="If no browser opens, visit: {url}",
                                  success_message="sheetsync is signed in; you may close "
                                                  "this window.")  # fmt: skip
    except AuthError:
        raise
    except Exception as exc:  # oauthlib and the local server raise many kinds
        raise AuthError(f"Google sign-in failed: {exc}",
                        hint="run `sheetsync auth login` again; on a machine without a "
                             "browser add --no-browser") from exc  # fmt: skip
    creds = flow.credentials
    if not creds.refresh_token:
        raise AuthError("Google did not return a refresh token",
                        hint="remove sheetsync's access at https://myaccount.google.com/"
                             "permissions, then run `sheetsync auth login` again")  # fmt: skip
    granted = set(creds.granted_scopes or creds.scopes or scopes)
    if SCOPE_SHEETS not in granted:
        raise AuthError("access to Google Sheets was not granted",
                        hint="run `sheetsync auth login` again and tick every box")  # fmt: skip
    data = json.loads(creds.to_json())
    data["type"] = "authorized_user"  # the format google-auth and gcloud read back
    data["scopes"] = sorted(granted)
    data["account"] = _email_from_id_token(getattr(creds, "id_token", None))
    saved = save_token(data, token)
    return status(token=saved, environ={})


def status(
    path: str | os.PathLike[str] | None = None,
    *,
    config_path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    token: Path | None = None,
) -> AuthStatus:
    """Who is signed in, for what, until when, and any file problems; no network."""
    env = environ if environ is not None else os.environ
    source = next((c for c in (path, env.get(ENV_CREDENTIALS) or None, config_path) if c), None)
    file = Path(source).expanduser() if source else (token or token_path())
    if not file.is_file():
        if source:
            return AuthStatus(None, problems=[f"credentials file {file} does not exist"])
        return AuthStatus(None, problems=[f"no service-account key given and no saved sign-in "
                                          f"at {file}; {LOGIN_HINT}"])  # fmt: skip
    problems = [p for p in [_mode_problem(file)] if p]
    try:
        info = _read_json(file)
        loaded = credentials_from_file(file, SHEETS_SCOPES)
    except AuthError as exc:
        return AuthStatus(None, source=str(file), problems=[*problems, str(exc)])
    if loaded.kind == "service_account":
        return AuthStatus("service_account", loaded.email, str(file), SHARING_SCOPES,
                          can_share=True, problems=problems)  # fmt: skip
    expiry = None
    if info.get("expiry"):
        try:
            expiry = datetime.fromisoformat(str(info["expiry"]).rstrip("Z"))
        except ValueError:
            problems.append("the saved access-token expiry is unreadable")
    if not info.get("refresh_token"):
        problems.append(f"no refresh token saved: {RELOGIN_HINT}")
    return AuthStatus("oauth", loaded.email, str(file), loaded.scopes, expiry,
                      can_share=SCOPE_DRIVE in loaded.scopes, problems=problems)  # fmt: skip


def anonymous() -> LoadedCredentials:
    from google.auth.credentials import AnonymousCredentials

    return LoadedCredentials(AnonymousCredentials(), "anonymous")
