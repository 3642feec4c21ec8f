"""A small Hub-like HTTP server on 127.0.0.1 for the tests (HF_ENDPOINT points at it).

It answers the calls paramtui makes through huggingface_hub: ``GET /api/models?search=...`` (the
search listing: downloads, safetensors total, gated, tags), ``GET /api/models/{repo}[/revision/{rev}]``
(sha, files with sizes, gated flag) and ``GET /{repo}/resolve/{rev}/{file}`` with Range support. The
error answers carry the ``X-Error-Code`` headers the real Hub sends (RepoNotFound,
RevisionNotFound, GatedRepo), so huggingface_hub raises its own exceptions. Weight files are
virtual: a real header followed by zeros up to the declared size, so a "5 GB" shard costs nothing.
Every request is logged (path, range, bytes sent); a per-request delay and injected failures
model a slow or flaky link.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

GOOD_TOKEN = "hf_test_token_that_must_never_be_printed"
"""The token that opens gated repos."""


@dataclass
class VirtualFile:
    """File content: ``head`` bytes, then zeros up to ``size``."""

    head: bytes
    size: int

    def read(self, start: int, end: int) -> bytes:
        """Bytes [start, end)."""
        end = min(end, self.size)
        part = self.head[start:end] if start < len(self.head) else b""
        return part + b"\0" * max(0, end - start - len(part))


@dataclass
class FakeRepo:
    """One repo: its files at one commit, optional extra revisions, gating."""

    files: dict[str, VirtualFile]
    gated: bool = False
    revisions: dict[str, str] = field(default_factory=dict)
    sha: str = ""
    downloads: int = 0
    """What the search listing says (downloads in the last 30 days)."""
    params: int | None = None
    """The safetensors parameter total the listing gives (None: the Hub gives none, as for GGUF repos)."""
    pipeline_tag: str = "text-generation"

    def __post_init__(self) -> None:
        if not self.sha:
            digest = hashlib.sha1(json.dumps(sorted((k, v.size) for k, v in self.files.items())).encode())
            self.sha = digest.hexdigest()
        self.revisions.setdefault("main", self.sha)


@dataclass
class Logged:
    """One request as the server saw it."""

    path: str
    range: str | None
    bytes_sent: int
    status: int


class FakeHub:
    """The server and its state; use as a context manager."""

    def __init__(self) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.log: list[Logged] = []
        self.delay_s = 0.0
        self.fail_next: int = 0
        self.fail_status = 503
        self.searches: list[dict[str, list[str]]] = []
        """The query parameters of every search, in order."""
        self._lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                hub._handle(self)

            def do_HEAD(self) -> None:
                hub._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add(self, repo_id: str, repo: FakeRepo) -> FakeRepo:
        self.repos[repo_id] = repo
        return repo

    def requests_for(self, fragment: str) -> list[Logged]:
        return [r for r in self.log if fragment in r.path]

    # --- request handling -------------------------------------------------------------------

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)
        with self._lock:
            self.log.append(Logged(h.path, h.headers.get("Range"), len(body), status))

    def _error(self, h: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
        body = json.dumps({"error": message}).encode()
        headers = {"X-Error-Code": code, "X-Error-Message": message, "Content-Type": "application/json"}
        self._send(h, status, body, headers)

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        if self.delay_s:
            time.sleep(self.delay_s)
        with self._lock:
            failing = self.fail_next > 0
            self.fail_next -= failing
        if failing:
            self._send(h, self.fail_status, b"busy")
            return
        path = h.path.split("?", 1)[0]
        if path == "/api/models":
            self._search(h)
            return
        api = re.match(r"^/api/models/([^/]+/[^/]+)(?:/revision/([^/]+))?$", path)
        if api:
            self._model_info(h, api[1], api[2] or "main")
            return
        resolve = re.match(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$", path)
        if resolve:
            self._resolve(h, resolve[1], resolve[2], resolve[3])
            return
        self._error(h, 404, "EntryNotFound", "no such route")

    def _lookup(self, h: BaseHTTPRequestHandler, repo_id: str, rev: str) -> FakeRepo | None:
        repo = self.repos.get(repo_id)
        if repo is None:
            self._error(h, 401, "RepoNotFound", "Repository not found")
            return None
        if rev not in repo.revisions and rev != repo.sha:
            self._error(h, 404, "RevisionNotFound", "Invalid rev id")
            return None
        return repo

    def _model_info(self, h: BaseHTTPRequestHandler, repo_id: str, rev: str) -> None:
        repo = self._lookup(h, repo_id, rev)
        if repo is None:
            return
        info = {
            "id": repo_id,
            "modelId": repo_id,
            "sha": repo.revisions.get(rev, repo.sha),
            "private": False,
            "gated": "manual" if repo.gated else False,
            "siblings": [{"rfilename": name, "size": f.size} for name, f in sorted(repo.files.items())],
        }
        self._send(h, 200, json.dumps(info).encode(), {"Content-Type": "application/json"})

    def _search(self, h: BaseHTTPRequestHandler) -> None:
        """``GET /api/models?search=&sort=downloads&pipeline_tag=&limit=&expand=...``, as the Hub answers it."""
        query = parse_qs(urlsplit(h.path).query)
        self.searches.append(query)
        text = query.get("search", [""])[0].lower()
        pipeline = query.get("pipeline_tag", [""])[0]
        limit = int(query.get("limit", ["1000"])[0])
        found = [
            (repo_id, repo)
            for repo_id, repo in self.repos.items()
            if text in repo_id.lower() and (not pipeline or repo.pipeline_tag == pipeline)
        ]
        found.sort(key=lambda item: -item[1].downloads)
        items = []
        for repo_id, repo in found[:limit]:
            gguf = any(name.endswith(".gguf") for name in repo.files)
            item: dict[str, Any] = {
                "_id": repo.sha[:24],
                "id": repo_id,
                "downloads": repo.downloads,
                "gated": "manual" if repo.gated else False,
                "tags": ["gguf", "text-generation"] if gguf else ["safetensors", "text-generation"],
                "library_name": "gguf" if gguf else "transformers",
            }
            if repo.params is not None:
                item["safetensors"] = {"parameters": {"BF16": repo.params}, "total": repo.params}
            items.append(item)
        self._send(h, 200, json.dumps(items).encode(), {"Content-Type": "application/json"})

    def _resolve(self, h: BaseHTTPRequestHandler, repo_id: str, rev: str, filename: str) -> None:
        repo = self._lookup(h, repo_id, rev)
        if repo is None:
            return
        if repo.gated and h.headers.get("Authorization") != f"Bearer {GOOD_TOKEN}":
            self._error(h, 403, "GatedRepo", "Access to model is restricted")
            return
        file = repo.files.get(filename)
        if file is None:
            self._error(h, 404, "EntryNotFound", "Entry not found")
            return
        wanted = h.headers.get("Range")
        match = re.match(r"bytes=(\d+)-(\d*)", wanted or "")
        if match:
            start = int(match[1])
            end = int(match[2]) + 1 if match[2] else file.size
            body = file.read(start, end)
            headers = {"Content-Range": f"bytes {start}-{start + len(body) - 1}/{file.size}"}
            self._send(h, 206, body, headers)
            return
        if file.size > 64 * 2**20:
            self._error(h, 400, "TooLarge", "the test server refuses whole-file downloads of weights")
            return
        self._send(h, 200, file.read(0, file.size))


def files_from(mapping: dict[str, tuple[bytes, int]]) -> dict[str, VirtualFile]:
    """tests/checkpoints.py ``shard_files`` output -> virtual files."""
    return {name: VirtualFile(head, size) for name, (head, size) in mapping.items()}


def json_file(data: Any) -> VirtualFile:
    raw = json.dumps(data).encode()
    return VirtualFile(raw, len(raw))
