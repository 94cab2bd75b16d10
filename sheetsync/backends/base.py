"""The backend interface: read every tab in one go, write a plan in one go.

A backend knows nothing of policy or drafts.  It turns a sheet into a
:class:`~sheetsync.tracker.table.Workbook` of text and applies a
:class:`~sheetsync.tracker.plan.Plan` of cell changes, addressing rows by identity.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from sheetsync.tracker.plan import Plan
from sheetsync.tracker.table import Workbook


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

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release connections; the default has none."""
