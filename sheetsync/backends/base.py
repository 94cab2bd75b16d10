"""The backend interface: read every tab in one go, write a plan in one go.

A backend knows nothing of policy or drafts.  It turns a sheet into a
:class:`~sheetsync.tracker.table.Workbook` of text and applies a
:class:`~sheetsync.tracker.plan.Plan` of cell changes, addressing rows by identity.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sheetsync.tracker.plan import Plan
from sheetsync.tracker.schema import APPLICATIONS, find_tab, normalize_header
from sheetsync.tracker.table import Table, Workbook


@dataclass
class WriteReport:
    """What a write did: cells written, and changes dropped because their row vanished."""

    written: int = 0
    dropped: list[str] = field(default_factory=list)
    requests: int = 0


class Backend(ABC):
    """A tracker location sheetsync can read and write."""

    #: Human-readable location, for messages ("tracker/ (CSV folder)").
    label: str
    #: Stable identity of the sheet, used to name its lock and state.
    key: str
    #: sheetsync column -> the user's Applications header (``[columns]``)
    aliases: Mapping[str, str] = MappingProxyType({})
    #: the Applications tab's own name (``[tabs] applications``), when it has one
    applications_tab: str | None = None
    #: the Dashboard tab's name (``[tabs] dashboard``); None: no Dashboard is kept
    dashboard_tab: str | None = None
    #: write even when the file would lose features of the user's (``xlsx_allow_loss``)
    allow_loss: bool = False

    def find_tab(self, tab: str, names: list[str]) -> str | None:
        """Which of ``names`` holds ``tab`` (see :func:`~sheetsync.tracker.schema.find_tab`)."""
        if self.dashboard_tab:  # the Dashboard is never a tracker tab
            dash = normalize_header(self.dashboard_tab)
            names = [n for n in names if normalize_header(n) != dash]
        return find_tab(tab, names, self.applications_tab if tab == APPLICATIONS else None)

    def find_dashboard(self, names: list[str]) -> str | None:
        """Which of ``names`` is the Dashboard tab (case and spacing ignored)."""
        wanted = normalize_header(self.dashboard_tab or "")
        return next((n for n in names if wanted and normalize_header(n) == wanted), None)

    def make_table(self, tab: str, header: list[str], rows: list[list[str]]) -> Table:
        """A tab as read, its headers matched with the configured ``[columns]``."""
        return Table(tab, header, rows, self.aliases if tab == APPLICATIONS else {})

    @abstractmethod
    def read(self) -> Workbook:
        """Read every tracker tab that exists, as text, in one go."""

    @abstractmethod
    def write(self, plan: Plan, base: Workbook) -> WriteReport:
        """Apply ``plan`` (computed against ``base``) atomically.

        Implementations re-read the rows' identities just before writing and
        address rows through :func:`sheetsync.tracker.plan.relocate`; cells the plan
        does not name are never written.
        """

    def check_write(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Raise when writing would lose something of the user's; by default nothing would."""

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release connections; the default has none."""
