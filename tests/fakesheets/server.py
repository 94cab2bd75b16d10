"""A fake of the Sheets v4 and Drive v3 REST endpoints, over real HTTP on 127.0.0.1.

Driven by real gspread through ``SHEETSYNC_API_ENDPOINT``.  Every request is
validated against Google's discovery documents, logged (method, path, query,
body bytes) and can be hit by an injected fault: an error status (429 with
``Retry-After``, 500, 503, ...), a dropped connection (before or after the
request takes effect), a slow answer, or an answer cut off mid-body.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import discovery
from .discovery import InvalidRequest
from .model import Formula, Sheet, Spreadsheet

STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE",
                503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}  # fmt: skip
ROLES = ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader")


@dataclass
class Fault:
    """What to do to a matching request instead of (or besides) answering it."""

    kind: str  # "status" | "drop" | "slow" | "cut"
    status: int = 503
    retry_after: str | None = None
    body: dict[str, Any] | None = None
    delay: float = 0.0
    apply: bool = False  # drop/slow: let the request take effect first

    @classmethod
    def error(cls, status: int, retry_after: str | None = None,
              body: dict[str, Any] | None = None, *,
              after_applying: bool = False) -> Fault:  # fmt: skip
        """An error answer; ``after_applying``: the request took effect first (a 500 or
        504 can come after Google applied the change)."""
        return cls("status", status=status, retry_after=retry_after, body=body,
                   apply=after_applying)  # fmt: skip

    @classmethod
    def drop(cls, *, after_applying: bool = False) -> Fault:
        return cls("drop", apply=after_applying)

    @classmethod
    def slow(cls, delay: float, *, apply: bool = True) -> Fault:
        return cls("slow", delay=delay, apply=apply)

    @classmethod
    def cut(cls) -> Fault:
        """The request takes effect; its answer stops halfway through the body."""
        return cls("cut", apply=True)


@dataclass
class Rule:
    match: Callable[[str, str], bool]  # (method id, path) -> bool
    fault: Fault
    nth: int  # first matching request (1-based) hit
    times: int
    seen: int = 0

    def hit(self, method_id: str, path: str) -> bool:
        if not self.match(method_id, path):
            return False
        self.seen += 1
        return self.nth <= self.seen < self.nth + self.times


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    method_id: str = ""
    status: int = 0
    fault: str | None = None

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def is_write(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class FakeGoogle:
    """The fake service: spreadsheets by id, a request log and fault rules."""

    spreadsheets: dict[str, Spreadsheet] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    url: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    # A quota window: every Sheets request is refused with 429 until the clock passes it.
    quota_clock: Callable[[], float] | None = None
    quota_until: float = float("-inf")

    # -- life cycle
    def start(self) -> FakeGoogle:
        fake = self

        class Handler(_Handler):
            service = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- test helpers
    def create_spreadsheet(
        self,
        grids: dict[str, list[list[Any]]],
        *,
        key: str | None = None,
        rows: int = 1000,
        cols: int = 26,
        title: str = "Job search",
        owner: str = "owner@example.com",
    ) -> Spreadsheet:
        """A spreadsheet whose tabs hold ``grids`` (row lists; ``Formula`` for formulas)."""
        key = key or f"fake{next(self._ids):04d}" + "x" * 36
        book = Spreadsheet(key, title)
        for index, (name, grid) in enumerate(grids.items()):
            sheet = Sheet(sheet_id=0 if index == 0 else 100 + index, title=name, index=index,
                          rows=max(rows, len(grid)), cols=max(cols, *(len(r) for r in grid), 1))
            for r, row in enumerate(grid):
                for c, value in enumerate(row):
                    sheet.set(r, c, value)
            book.sheets.append(sheet)
        book.permissions.append({"kind": "drive#permission", "id": "owner-perm", "type": "user",
                                 "role": "owner", "emailAddress": owner,
                                 "displayName": "Sheet Owner"})  # fmt: skip
        with self.lock:
            self.spreadsheets[key] = book
        return book

    def inject(self, target: str, fault: Fault, *, nth: int = 1, times: int = 1) -> Rule:
        """Hit the ``nth`` .. ``nth+times-1`` requests whose method id ends with ``target``.

        ``target`` is a discovery method id or its tail, e.g. ``values.batchUpdate``,
        ``spreadsheets.batchUpdate``, ``values.batchGet``, ``permissions.create``.
        """
        rule = Rule(lambda mid, path: mid.endswith(target), fault, nth, times)
        with self.lock:
            self.rules.append(rule)
        return rule

    def quota_window(self, seconds: float, clock: Callable[[], float]) -> None:
        """Refuse every Sheets request with 429 for ``seconds`` of ``clock`` from now.

        Google's per-minute quotas refuse everything until the minute refills;
        its 429 carries no Retry-After.  ``clock`` is the test's clock, so the
        window closes when the client's (fake) sleeping has waited it out.
        """
        with self.lock:
            self.quota_clock = clock
            self.quota_until = clock() + seconds

    def over_quota(self, method_id: str) -> bool:
        with self.lock:
            return (self.quota_clock is not None and method_id.startswith("sheets.")
                    and self.quota_clock() < self.quota_until)  # fmt: skip

    def requests(self, target: str = "") -> list[Logged]:
        with self.lock:
            return [e for e in self.log if e.method_id.endswith(target)]

    def count(self, target: str = "") -> int:
        return len(self.requests(target))

    def reads(self) -> list[Logged]:
        return [e for e in self.requests() if not e.is_write]

    def writes(self) -> list[Logged]:
        return [e for e in self.requests() if e.is_write]

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()

    # -- dispatch (called from handler threads)
    def take_fault(self, method_id: str, path: str) -> Fault | None:
        with self.lock:
            for rule in self.rules:
                if rule.hit(method_id, path):
                    return rule.fault
        return None

    def dispatch(self, http_method: str, path: str, query: dict[str, list[str]],
                 body: bytes) -> tuple[int, Any]:  # fmt: skip
        method, params = discovery.route(http_method, path)
        typed_query = discovery.check_query(method, query)
        payload: Any = None
        if body:
            try:
                payload = json.loads(body)
            except ValueError as exc:
                raise InvalidRequest(f"Invalid JSON payload received. {exc}") from exc
        discovery.check_body(method, payload)
        with self.lock:
            if method.api == "drive":
                return self._drive(method.id, params, typed_query, payload or {})
            return self._sheets(method.id, params, typed_query, payload or {})

    def _book(self, key: str) -> Spreadsheet:
        book = self.spreadsheets.get(key)
        if book is None:
            raise InvalidRequest("Requested entity was not found.", 404, "NOT_FOUND")
        if book.denied:
            raise InvalidRequest("The caller does not have permission", book.denied,
                                 STATUS_NAMES.get(book.denied, "PERMISSION_DENIED"))  # fmt: skip
        if book.office:
            raise InvalidRequest("This operation is not supported for this document", 400,
                                 "FAILED_PRECONDITION")  # fmt: skip
        return book

    def _sheets(self, mid: str, params: dict[str, str], query: dict[str, Any],
                body: dict[str, Any]) -> tuple[int, Any]:  # fmt: skip
        book = self._book(params["spreadsheetId"])
        if mid == "sheets.spreadsheets.values.batchGet":
            render = query.get("valueRenderOption", "FORMATTED_VALUE")
            dt_render = query.get("dateTimeRenderOption", "SERIAL_NUMBER")
            major = query.get("majorDimension", "ROWS")
            ranges = query.get("ranges", [])
            return 200, {"spreadsheetId": book.id, "valueRanges": [
                book.get_values(r, render, dt_render, major) for r in ranges]}
        if mid == "sheets.spreadsheets.values.batchUpdate":
            option = body.get("valueInputOption")
            if option not in ("RAW", "USER_ENTERED"):
                raise InvalidRequest("'valueInputOption' is required but not specified"
                                     if option is None else
                                     f"Invalid valueInputOption: {option}")  # fmt: skip
            planned = [book.plan_update(vr, option) for vr in body.get("data", [])]
            responses, total = [], 0
            book.bump()
            for rng, values in planned:  # all validated: now apply (atomic)
                n = book.apply_update(rng, values, option)
                total += n
                height = len(values)
                width = max((len(r) for r in values), default=0)
                responses.append({"spreadsheetId": book.id, "updatedRows": height,
                                  "updatedColumns": width, "updatedCells": n,
                                  "updatedRange": rng.a1(rng.r0 + max(height, 1) - 1,
                                                         rng.c0 + max(width, 1) - 1)})
            return 200, {"spreadsheetId": book.id, "totalUpdatedCells": total,
                         "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
                         "totalUpdatedSheets": len({id(r[0].sheet) for r in planned}),
                         "responses": responses}  # fmt: skip
        if mid == "sheets.spreadsheets.get":
            return 200, book.metadata(bool(query.get("includeGridData", False)),
                                      query.get("ranges"))  # fmt: skip
        if mid == "sheets.spreadsheets.batchUpdate":
            replies = book.batch_update(body.get("requests", []))
            book.bump()
            return 200, {"spreadsheetId": book.id, "replies": replies}
        raise InvalidRequest(f"fake does not model {mid}", 501, "UNIMPLEMENTED")

    def _drive(self, mid: str, params: dict[str, str], query: dict[str, Any],
               body: dict[str, Any]) -> tuple[int, Any]:  # fmt: skip
        book = self.spreadsheets.get(params.get("fileId", ""))
        if book is None:
            raise _drive_error(404, "notFound", f"File not found: {params.get('fileId')}.")
        if book.denied:
            raise _drive_error(403, "insufficientFilePermissions",
                               "The user does not have sufficient permissions for this file.")
        if mid == "drive.files.get":
            return 200, _file_fields(book, str(query.get("fields", "")))
        if mid == "drive.permissions.create":
            role, kind = body.get("role"), body.get("type")
            if role not in ROLES:
                raise _drive_error(400, "invalid", f"The provided value for the role is "
                                   f"invalid: {role}")  # fmt: skip
            if kind not in ("user", "group", "domain", "anyone"):
                raise _drive_error(400, "invalid", f"Invalid permission type: {kind}")
            email = body.get("emailAddress")
            if kind in ("user", "group") and not email:
                raise _drive_error(400, "required", "The permission emailAddress is required.")
            if "sendNotificationEmail" in query and kind not in ("user", "group"):
                raise _drive_error(400, "invalid", "sendNotificationEmail is only for users "
                                   "and groups")  # fmt: skip
            notify = query.get("sendNotificationEmail", True)
            for perm in book.permissions:
                if email and perm.get("emailAddress") == email:
                    perm["role"] = role
                    perm["notified"] = notify
                    perm["message"] = query.get("emailMessage")
                    break
            else:
                perm = {"kind": "drive#permission", "id": f"perm{next(self._ids)}",
                        "type": kind, "role": role, "emailAddress": email,
                        "notified": notify, "message": query.get("emailMessage")}
                book.permissions.append(perm)
            book.bump()
            return 200, {"kind": "drive#permission", "id": perm["id"], "type": kind,
                         "role": role}  # fmt: skip
        if mid == "drive.permissions.list":
            visible = [{k: v for k, v in p.items() if k not in ("notified", "message")}
                       for p in book.permissions]  # fmt: skip
            size = int(query.get("pageSize", 0) or 0) or len(visible) or 1
            start = int(query.get("pageToken", "0") or 0)
            page = visible[start:start + size]
            out: dict[str, Any] = {"kind": "drive#permissionList", "permissions": page}
            if start + size < len(visible):
                out["nextPageToken"] = str(start + size)
            return 200, out
        raise InvalidRequest(f"fake does not model {mid}", 501, "UNIMPLEMENTED")


def _file_fields(book: Spreadsheet, fields: str) -> dict[str, Any]:
    """Drive v3 ``files.get``: the fields asked for (``version`` is an int64 sent as a
    string); without ``fields``, Drive's default set."""
    every = {"kind": "drive#file", "id": book.id, "name": book.title,
             "mimeType": "application/vnd.google-apps.spreadsheet",
             "version": str(book.version())}  # fmt: skip
    names = [f.strip() for f in fields.split(",") if f.strip()] or [
        "kind", "id", "name", "mimeType"]
    unknown = [n for n in names if n not in every]
    if unknown:
        raise _drive_error(400, "invalidParameter", f"Invalid field selection {unknown[0]}")
    return {n: every[n] for n in names}


def _drive_error(status: int, reason: str, message: str) -> InvalidRequest:
    err = InvalidRequest(message, status, reason)
    err.drive = True  # type: ignore[attr-defined]
    return err


def error_body(status: int, message: str, reason: str, drive: bool = False) -> dict[str, Any]:
    if drive:
        return {"error": {"code": status, "message": message, "errors": [
            {"message": message, "domain": "global", "reason": reason}]}}
    return {"error": {"code": status, "message": message,
                      "status": reason or STATUS_NAMES.get(status, "UNKNOWN")}}


class _Handler(BaseHTTPRequestHandler):
    service: FakeGoogle
    protocol_version = "HTTP/1.0"  # one request per connection: simple and realistic enough

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, http_method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        entry = Logged(http_method, parts.path, query, body)
        try:
            method, _ = discovery.route(http_method, parts.path)
            entry.method_id = method.id
        except InvalidRequest:
            pass
        with self.service.lock:
            self.service.log.append(entry)
        if self.service.over_quota(entry.method_id):
            entry.status, entry.fault = 429, "quota"
            kind = "Read" if http_method == "GET" else "Write"
            message = (f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} "
                       "requests per minute per user' of service 'sheets.googleapis.com' for "
                       "consumer 'project_number:123456789'.")  # fmt: skip
            self._send(429, error_body(429, message, "RESOURCE_EXHAUSTED"), {})
            return
        fault = self.service.take_fault(entry.method_id, parts.path)
        if fault is not None:
            entry.fault = fault.kind
        if fault is not None and fault.kind == "status":
            if fault.apply:  # it takes effect (if valid); the injected answer stands
                with contextlib.suppress(InvalidRequest):
                    self.service.dispatch(http_method, parts.path, query, body)
            payload = fault.body or error_body(fault.status, _fault_message(fault.status),
                                               STATUS_NAMES.get(fault.status, "UNKNOWN"))
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            entry.status = fault.status
            self._send(fault.status, payload, headers)
            return
        if fault is not None and not fault.apply:
            if fault.kind == "drop":
                self.close_connection = True
                return  # no answer at all: the client sees the connection closed
            time.sleep(fault.delay)
        try:
            status, payload = self.service.dispatch(http_method, parts.path, query, body)
        except InvalidRequest as exc:
            status = exc.status
            payload = error_body(exc.status, exc.message, exc.reason,
                                 getattr(exc, "drive", False))  # fmt: skip
        entry.status = status
        if fault is not None and fault.apply:
            if fault.kind == "drop":
                self.close_connection = True
                return  # it happened, but the answer never arrives
            if fault.kind == "cut":
                self._send(status, payload, {}, cut=True)
                return
            time.sleep(fault.delay)
        self._send(status, payload, {})

    def _send(self, status: int, payload: Any, headers: dict[str, str], *,
              cut: bool = False) -> None:  # fmt: skip
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if cut:  # the promised length never arrives
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a slow-answer fault)


def _fault_message(status: int) -> str:
    return {429: "Quota exceeded for quota metric 'Write requests' and limit 'Write requests "
                 "per minute per user' of service 'sheets.googleapis.com'.",
            500: "Internal error encountered.", 502: "Bad Gateway",
            503: "The service is currently unavailable.",
            504: "Deadline exceeded."}.get(status, "Injected error")  # fmt: skip


def a1_cell(text: str) -> tuple[int, int]:
    """``B7`` -> (6, 1), for tests poking at the model."""
    m = re.fullmatch(r"([A-Z]+)(\d+)", text)
    if not m:
        raise ValueError(text)
    from .model import col_index

    return int(m.group(2)) - 1, col_index(m.group(1))


__all__ = ["FakeGoogle", "Fault", "Formula", "a1_cell"]
