"""sheetsync as a library: compute, pull, push, sync, undo."""

from sheetsync.core.runs import (
    Outcome,
    RunOptions,
    compute,
    pull,
    push,
    read_only,
    sync,
    undo,
)

__all__ = ["Outcome", "RunOptions", "compute", "pull", "push", "read_only", "sync", "undo"]
