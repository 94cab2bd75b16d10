"""The backend interface: read every tab in one go, write a plan in one go.

A backend knows nothing of policy or drafts.  It turns a sheet into a
:class:`~sheetsync.table.Workbook` of text and applies a
:class:`~sheetsync.plan.Plan` of cell changes, addressing rows by identity.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from sheetsync.tracker.plan import Plan
from sheetsync.tracker.table import Workbook


@dataclass
class WriteReport:
    """What a write did: cells written, and changes dropped because their row vanished."""

    written: int = 0
    dropped: list[str] = field(default_factory=list)
    requests: int = 0


class PreparedWrite:
    """A write made ready by :meth:`Backend.prepare`: nothing is written before ``commit``."""

    def __init__(self, commit: Callable[[], WriteReport], abandon: Callable[[], None]) -> None:
        self._commit, self._abandon = commit, abandon

    def commit(self) -> WriteReport:
        """Write it, as :meth:`Backend.write` would have."""
        return self._commit()

    def abandon(self) -> None:
        """Drop it: the sheet is left as it is.  Safe after ``commit`` too."""
        self._abandon()


class Backend(ABC):
    """A tracker location sheetsync can read and write."""

    #: Human-readable location, for messages ("tracker/ (CSV folder)").
    label: str
    #: Stable identity of the sheet, used to name its lock and state.
    key: str
    #: Tabs whose write may be prepared on its own, before the rest of the plan
    #: is known (each is a file of its own).  A sync prepares them while drafts
    #: are still being made.  None by default: one write for the whole plan.
    early_tabs: tuple[str, ...] = ()

    @abstractmethod
    def read(self) -> Workbook:
        """Read every tracker tab that exists, as text, in one go."""

    @abstractmethod
    def write(self, plan: Plan, base: Workbook) -> WriteReport:
        """Apply ``plan`` (computed against ``base``) atomically.

        Implementations re-read the rows' identities just before writing and
        address rows through :func:`sheetsync.plan.relocate`; cells the plan
        does not name are never written.
        """

    def prepare(self, plan: Plan, base: Workbook, *, now: bool = False) -> PreparedWrite:
        """Get ``write(plan, base)`` ready, possibly in the background, without writing.

        The caller logs the push meanwhile, then commits.  The default does all
        the work in ``commit``; a backend with a costly write to build (the
        text of large files) starts it here, in worker processes, or with
        ``now`` (the caller's other cores are busy) in this one before returning.
        """
        return PreparedWrite(lambda: self.write(plan, base), lambda: None)

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release connections; the default has none."""
