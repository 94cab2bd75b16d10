"""A stateful fake of the Google Sheets v4 and Drive v3 REST endpoints sheetsync uses.

Start it with :class:`FakeGoogle` (or the ``fake_google`` pytest fixture from
:mod:`fakesheets.plugin`), point ``SHEETSYNC_API_ENDPOINT`` at ``fake.url``, and
drive it with real gspread.
"""

from .model import Formula, Sheet, Spreadsheet
from .server import FakeGoogle, Fault, Logged, a1_cell

__all__ = ["FakeGoogle", "Fault", "Formula", "Logged", "Sheet", "Spreadsheet", "a1_cell"]
