"""Google commands: ``sheetsync auth login|status`` and ``sheetsync share``.

Thin shells: parse options, call one function, print; errors go to the root
group's edge.  Google libraries are imported inside the commands so that
``sheetsync --help`` stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sheetsync.cli.group import cli
from sheetsync.errors import EXIT_AUTH, ConfigError

if TYPE_CHECKING:
    from sheetsync.config import Config


@cli.group()
def auth() -> None:
    """Sign in to Google, or see who is signed in."""


@auth.command()
@click.option("--client-secrets", "client_secrets", required=True,
              type=click.Path(dir_okay=False), metavar="PATH",
              help="OAuth client JSON of type 'Desktop app' from the Google Cloud console.")
@click.option("--no-browser", is_flag=True,
              help="Print the sign-in address instead of opening a browser (for servers).")
@click.option("--allow-sharing", is_flag=True,
              help="Also allow `sheetsync share` (asks for access to Google Drive).")
def login(client_secrets: str, no_browser: bool, allow_sharing: bool) -> None:
    """Sign in with your Google account and save the token (mode 0600)."""
    from sheetsync.backends.google import auth as google_auth

    status = google_auth.login(client_secrets, no_browser=no_browser,
                               allow_sharing=allow_sharing, echo=click.echo,
                               prompt=click.prompt)  # fmt: skip
    click.echo(f"Signed in. Token saved to {status.source}")
    for line in status.lines():
        click.echo(f"  {line}")


@auth.command()
@click.option("--credentials", type=click.Path(dir_okay=False),
              help="A service-account JSON key to describe instead.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Config file (for its `credentials` setting).")
def status(credentials: str | None, config_path: str | None) -> None:
    """Say who is signed in, with which permissions, and any problem with the files."""
    from sheetsync.backends.google import auth as google_auth

    config_credentials = _config(config_path).credentials
    result = google_auth.status(credentials, config_path=config_credentials)
    for line in result.lines():
        click.echo(line)
    if result.kind is None:
        click.get_current_context().exit(EXIT_AUTH)


def _config(config_path: str | None) -> Config:
    from sheetsync.config import load_config

    return load_config(config_path)


@cli.command()
@click.argument("email", required=False)
@click.option("--role", type=click.Choice(["reader", "commenter", "writer"]),
              default="writer", show_default=True,
              help="What the person may do: writer approves and edits drafts, commenter only "
                   "comments, reader only reads.")
@click.option("--no-notify", is_flag=True, help="Do not e-mail the person about it.")
@click.option("--message", metavar="TEXT", help="A note for the notification e-mail.")
@click.option("--list", "list_", is_flag=True, help="List who has access instead.")
@click.option("--sheet", metavar="URL", help="The Google Sheets URL or key "
              "[default: `sheet` from sheetsync.toml].")
@click.option("--credentials", type=click.Path(dir_okay=False),
              help="Service-account JSON key (default: $GOOGLE_APPLICATION_CREDENTIALS, the "
                   "config, then your `sheetsync auth login`).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
def share(email: str | None, role: str, no_notify: bool, message: str | None, list_: bool,
          sheet: str | None, credentials: str | None, config_path: str | None) -> None:
    """Share the tracker with EMAIL (say, a mentor), or --list who has access."""
    from sheetsync.backends.google import sharing

    config = _config(config_path)
    location = sheet or config.sheet
    if not location:
        raise ConfigError("no sheet given",
                          hint="pass --sheet URL, or set `sheet` in sheetsync.toml")
    from sheetsync.backends import is_google

    if not is_google(location):  # before any credentials: they would not help
        raise ConfigError(
            f"{location} is not a Google Sheet: only a Google Sheet can be shared",
            hint="share a local tracker by sending the file or folder; or put it in Google "
            "Sheets and pass its URL with --sheet",
        )
    if list_:
        if email:
            raise ConfigError("give either EMAIL or --list, not both")
        shares = sharing.list_shares(location, credentials=credentials,
                                     config_credentials=config.credentials)  # fmt: skip
        for entry in shares:
            click.echo(entry.line())
        return
    if not email:
        raise ConfigError("whom should the sheet be shared with?",
                          hint="give an e-mail address, e.g. `sheetsync share "
                               "mentor@example.com`, or --list")  # fmt: skip
    result = sharing.share(location, email, role, not no_notify, message,
                           credentials=credentials,
                           config_credentials=config.credentials)  # fmt: skip
    notified = "" if no_notify else " (Google e-mails them a link)"
    click.echo(f"Shared with {result.email} as {result.role}{notified}: {result.meaning()}")
