"""sheetsync: keep a job-application tracker up to date.

The library API lives in :mod:`sheetsync.core` (``pull``, ``push``, ``sync``,
``compute``); it is not imported here so that the CLI starts quickly.
"""

__version__ = "0.1.0"
