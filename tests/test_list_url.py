"""A list given as an http(s) URL (a raw Markdown file): fetched as `check` asks a link, from a local
web host on loopback (allowed with --allow-private, as check's tests do; refused without)."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.cli_run import run


LIST = ("# Reading list\n\n"
        "- Attention Is All You Need (NeurIPS'17) [paper](https://arxiv.org/abs/1706.03762)\n"
        "- Efficient Memory Management for Large Language Model Serving with PagedAttention (SOSP'23) "
        "[paper](https://arxiv.org/abs/2309.06180)\n")


class _RawFiles(BaseHTTPRequestHandler):
    """/list.md (text/plain, as raw file hosts serve it), /moved (a redirect to it), /page.html (HTML),
    /huge.md (bigger than the cap), /latin1.md (not UTF-8)."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.requests.append(self.path)
        if self.path == "/moved":
            self._send(302, b"", "text/plain", {"Location": "/list.md"})
        elif self.path == "/list.md":
            self._send(200, LIST.encode(), "text/plain; charset=utf-8")
        elif self.path == "/page.html":
            self._send(200, b"<!doctype html><title>x</title>", "text/html")
        elif self.path == "/huge.md":
            self._send(200, b"- a line\n" * 20000, "text/plain")
        elif self.path == "/gzipped.md":
            self._send(200, gzip.compress(LIST.encode()), "text/plain", {"Content-Encoding": "gzip"})
        elif self.path == "/bomb.md":  # 40 KB on the wire, 40 MB inflated
            self._send(200, gzip.compress(b"- a line\n" * 4_500_000), "text/plain", {"Content-Encoding": "gzip"})
        elif self.path == "/cut.md":
            self._send(200, gzip.compress(LIST.encode())[:-12], "text/plain", {"Content-Encoding": "gzip"})
        elif self.path == "/brotli.md":
            self._send(200, b"\x1b\x03\x00", "text/plain", {"Content-Encoding": "br"})
        elif self.path == "/latin1.md":
            self._send(200, "- Caf\u00e9 (OSDI'22)\n".encode("latin-1"), "text/plain")
        else:
            self._send(404, b"not here", "text/plain")

    def _send(self, code: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def raw_host():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RawFiles)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)



@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAPERENRICH_CACHE", str(tmp_path / "cache"))
    return tmp_path


def test_scan_a_url_names_it_as_the_source(raw_host, in_tmp, capsys):
    server, base = raw_host
    url = f"{base}/moved"  # through a redirect, checked again on the way
    code, out, err = run(capsys, "scan", url, "--allow-private", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["source"] == url
    assert [e["title"] for e in doc["entries"]] == [
        "Attention Is All You Need",
        "Efficient Memory Management for Large Language Model Serving with PagedAttention"]
    assert [e["line"] for e in doc["entries"]] == [3, 4]
    assert server.requests == ["/moved", "/list.md"]


def test_a_loopback_url_is_refused_without_allow_private(raw_host, in_tmp, capsys):
    server, base = raw_host
    code, out, err = run(capsys, "scan", f"{base}/list.md")
    assert code == 4 and out == ""
    assert "not fetched: non-public address" in err and err.count("\n") == 1
    assert server.requests == []  # refused before any request


@pytest.mark.parametrize("path, why", [("/page.html", "an HTML page, not a Markdown file"),
                                       ("/huge.md", "larger than 16 KB"),
                                       ("/latin1.md", "not UTF-8 text"),
                                       ("/bomb.md", "larger than 16 KB"),
                                       ("/cut.md", "a truncated gzip body"),
                                       ("/brotli.md", "an encoding that was not asked for (br)"),
                                       ("/nothing.md", "HTTP 404")])
def test_what_is_not_a_markdown_list_is_one_line_and_exit_4(raw_host, in_tmp, capsys, path, why):
    _server, base = raw_host
    (in_tmp / "paperenrich.toml").write_text("max_list_bytes = 16384\n")
    code, _out, err = run(capsys, "scan", f"{base}{path}", "--allow-private")
    assert code == 4 and why in err and err.count("\n") == 1


def test_check_a_url_names_it_in_each_links_places(raw_host, in_tmp, capsys):
    _server, base = raw_host
    url = f"{base}/list.md"
    # The arXiv links are excluded: tests send nothing beyond loopback.
    code, out, err = run(capsys, "check", url, "--allow-private", "--format", "json", "--exclude", "^https://arxiv")
    assert code == 0, err
    places = {(p["file"], p["line"]) for r in json.loads(out)["results"] for p in r["places"]}
    assert places == {(url, 3), (url, 4)}


def test_every_command_takes_directories_globs_and_urls_and_names_each_source(raw_host, in_tmp, capsys, scholar_world,
                                                                             monkeypatch):
    for name, value in scholar_world.env().items():
        monkeypatch.setenv(name, value)
    _server, base = raw_host
    url = f"{base}/list.md"
    lists = in_tmp / "lists"
    (lists / "deeper").mkdir(parents=True)
    (lists / "a.md").write_text(f"- Attention Is All You Need (NeurIPS'17) [paper]({base}/list.md)\n")
    (lists / "deeper" / "b.md").write_text(f"\n- A Paper Nobody Has Heard Of (OSDI'22) [paper]({base}/nothing.md)\n")
    a, b = str(lists / "a.md"), str(lists / "deeper" / "b.md")

    # check DIR: every link's place names its file (the directory's *.md files, recursively).
    code, out, _err = run(capsys, "check", lists, "--allow-private", "--format", "json")
    assert code == 2  # /nothing.md answers 404
    places = {(p["file"], p["line"]) for r in json.loads(out)["results"] for p in r["places"]}
    assert places == {(a, 1), (b, 2)}

    # scan with a glob and a URL: each entry names its list.
    code, out, _err = run(capsys, "scan", str(lists / "**" / "*.md"), url, "--allow-private", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["sources"] == [a, b, url]
    assert [(e["source"], e["line"]) for e in doc["entries"]] == [(a, 1), (b, 2), (url, 3), (url, 4)]

    # lint over a directory and a URL (the services are the emulators; the list URL on loopback).
    (in_tmp / "paperenrich.toml").write_text('allow_private = true\nexclude = ["^https://arxiv"]\nlink_timeout = 3.0\n')
    code, out, _err = run(capsys, "lint", lists, url, "--format", "json", "--fail-on", "none")
    assert code == 0
    found = {(f["file"], f["line"], f["kind"]) for f in json.loads(out)["findings"]}
    assert (b, 2, "broken") in found and (b, 2, "unresolved") in found
    assert {f for f in found if f[0] == url} == set()  # the URL's two papers resolve, their links are excluded


def test_a_gzipped_list_is_read_whole(raw_host, in_tmp, capsys):
    _server, base = raw_host
    code, out, err = run(capsys, "scan", f"{base}/gzipped.md", "--allow-private", "--format", "json")
    assert code == 0, err
    assert [e["line"] for e in json.loads(out)["entries"]] == [3, 4]


def test_a_list_url_is_fetched_through_the_proxy(raw_host, in_tmp, capsys, monkeypatch):
    from tests.emulator.proxy import ForwardProxy

    server, base = raw_host
    with ForwardProxy({"lists.proxy.test": server.server_address[:2]}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        url = f"http://lists.proxy.test:{server.server_address[1]}/list.md"  # a name that resolves nowhere
        code, out, err = run(capsys, "scan", url, "--format", "json")
        assert code == 0, err
        assert len(json.loads(out)["entries"]) == 2
        assert ("GET", url) in proxy.seen
