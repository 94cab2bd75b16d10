"""The Apps Script menu (addon/) and the Dockerfile, held to what `serve` really does.

Apps Script does not run here, so its contract is checked: the scopes it asks
for, the request it sends, and every field of the answer it reads, against a
real answer from `serve`'s sync.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import ROOT, TODAY

from sheetsync.backends.csv_folder import CsvFolderBackend
from sheetsync.config import Config
from sheetsync.live.serve import TOP_MAX, App, sync_function

CODE = (ROOT / "addon" / "Code.gs").read_text(encoding="utf-8")


def test_the_manifest_asks_for_exactly_the_three_minimal_scopes() -> None:
    manifest = json.loads((ROOT / "addon" / "appsscript.json").read_text(encoding="utf-8"))
    assert sorted(manifest["oauthScopes"]) == [
        "https://www.googleapis.com/auth/script.container.ui",
        "https://www.googleapis.com/auth/script.external_request",
        "https://www.googleapis.com/auth/spreadsheets.currentonly",
    ]
    assert manifest["runtimeVersion"] == "V8"


def test_the_menu_calls_post_sync_with_the_token_from_script_properties() -> None:
    assert "createMenu('sheetsync')" in CODE
    assert ".addItem('Sync now', 'syncNow')" in CODE
    assert ".addItem(\"What's due\", 'whatsDue')" in CODE
    for name in ("function onOpen(", "function syncNow(", "function whatsDue("):
        assert name in CODE
    assert "getScriptProperties()" in CODE and "'SHEETSYNC_TOKEN'" in CODE
    assert "'/sync'" in CODE and "method: 'post'" in CODE
    assert "Authorization: 'Bearer ' + token" in CODE
    assert "followRedirects: false" in CODE  # the token is never sent on elsewhere
    top = int(re.search(r"var TOP_ITEMS = (\d+);", CODE).group(1))  # type: ignore[union-attr]
    assert 0 < top <= TOP_MAX
    for status in ("401", "409", "429", "502"):  # the refusals it explains
        assert f"{status}:" in CODE


def test_every_answer_field_the_menu_reads_is_in_a_real_answer(
        tracker: Path, tmp_path: Path, config: Config) -> None:  # fmt: skip
    answer = sync_function(CsvFolderBackend(tracker), config, tmp_path, lambda: TODAY)(3)
    counts = set(re.findall(r"\bc\.(\w+)", CODE))
    items = set(re.findall(r"\bitem\.(\w+)", CODE))
    top = set(re.findall(r"\b(?:answer|body)\.(\w+)", CODE))
    assert counts and items and top
    assert counts <= set(answer["counts"])
    assert items <= set(answer["due"][0])
    refusal = App("t", lambda top: {}).answer({"PATH_INFO": "/", "REQUEST_METHOD": "GET"})[1]
    assert top <= set(answer) | set(refusal)
    assert "escape_(item.company)" in CODE  # cell text is escaped before it becomes HTML


def test_the_dockerfile_installs_the_serve_extra_and_runs_serve() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for source in re.findall(r"^COPY (.+) \S+$", text, re.MULTILINE):
        for name in source.split():
            assert (ROOT / name).exists(), name  # everything it copies is in the repository
    assert "pip install '.[serve]'" in text
    assert re.search(r"^USER (?!root)\w+", text, re.MULTILINE)  # not as root
    cmd = re.search(r"^CMD (.+)$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    assert "sheetsync serve --host 0.0.0.0" in cmd and "${PORT}" in cmd
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^serve = \["waitress', pyproject, re.MULTILINE)
