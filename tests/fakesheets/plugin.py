"""pytest fixtures for the fake Google service.

Load with ``pytest_plugins = ["fakesheets.plugin"]`` (in ``tests/conftest.py``
or a test module).  ``fake_google`` starts a fresh fake on 127.0.0.1 for the
test and points ``SHEETSYNC_API_ENDPOINT`` at it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakesheets.server import FakeGoogle


@pytest.fixture
def fake_google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    fake = FakeGoogle().start()
    monkeypatch.setenv("SHEETSYNC_API_ENDPOINT", fake.url)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    try:
        yield fake
    finally:
        fake.stop()
