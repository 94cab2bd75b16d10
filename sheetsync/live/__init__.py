"""Live sync: ``watch`` (poll cheaply, sync on change) and ``serve`` (sync on request)."""
