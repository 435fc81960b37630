"""`check` behind a proxy: link requests go through HTTP_PROXY (absolute form) and HTTPS_PROXY
(a CONNECT tunnel, TLS to the target itself), NO_PROXY names go direct, credentials in the
proxy URL become Proxy-Authorization and never show, and a proxy setting that cannot be used is
a one-line configuration error. The links' hosts end in `.test`: they resolve nowhere, so a
link that answers went through the proxy."""

from __future__ import annotations

import asyncio
import base64
import socket
import ssl
import subprocess
import sys

import pytest

from paperenrich.config import Settings
from paperenrich.errors import ConfigError
from paperenrich.linkcheck import check_urls
from paperenrich.linkcheck.wire import Proxies, ProxyError
from paperenrich.model import Place
from tests.emulator.hostile import HostileServer, answer
from tests.emulator.proxy import ForwardProxy
from tests.emulator.webhosts import WebHosts

trustme = pytest.importorskip("trustme")

PAGE = "<html><head><title>A paper</title></head><body>ok</body></html>"


def check(urls, **settings):
    results = asyncio.run(check_urls({u: [Place("l.md", i + 1)] for i, u in enumerate(urls)},
                                     Settings(**{"use_cache": False, "link_timeout": 5.0, **settings})))
    return {r.url: r for r in results}


def test_http_links_go_through_http_proxy_in_absolute_form(monkeypatch):
    with WebHosts(2, first_host=110) as web:
        names = {f"paper{i}.proxy.test": (web.hosts[i], web.port) for i in range(2)}
        with ForwardProxy(names) as proxy:
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            urls = [f"http://{name}:{web.port}/ok/{i}" for name in names for i in range(2)]
            results = check(urls)
            assert {r.status for r in results.values()} == {"ok"}, [r.detail for r in results.values()]
            assert {("GET", url) for url in urls} <= set(proxy.seen)
            assert len(web.requests()) >= 4  # each link reached its host, through the proxy


def test_https_links_go_through_a_connect_tunnel_with_the_systems_certificates(monkeypatch, tmp_path):
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("site.proxy.test").configure_cert(context)
    ca_file = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with HostileServer(tls=context) as server:
        server.route("/paper", answer(PAGE, "text/html"))
        with ForwardProxy({"site.proxy.test": server.address}, require="Basic " + base64.b64encode(b"carol:pw").decode()) as proxy:
            host, port = proxy.url.removeprefix("http://").split(":")
            monkeypatch.setenv("HTTPS_PROXY", f"http://carol:pw@{host}:{port}")  # (CONNECT must carry the credentials)
            monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
            url = "https://site.proxy.test/paper"
            assert check([url])[url].status == "ok"
            assert ("CONNECT", "site.proxy.test:443") in proxy.seen
            assert server.hits["/paper"] == 1
            # a tunnel the proxy refuses (it knows no such upstream): broken, and it says why
            refused = "https://elsewhere.proxy.test/paper"
            result = check([refused])[refused]
            assert result.status == "broken" and result.detail == "the proxy answered HTTP 502 to CONNECT elsewhere.proxy.test:443"


def test_a_proxy_that_does_not_answer_is_named_as_the_cause(monkeypatch):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # a port nothing listens on
        port = unused.getsockname()[1]
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        url = "http://paper.proxy.test/a"
        result = check([url])[url]
    assert result.status == "broken" and result.detail.startswith(f"cannot reach the proxy 127.0.0.1:{port}")


def test_no_proxy_names_go_direct(monkeypatch):
    with WebHosts(1, first_host=112) as web, ForwardProxy({}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", web.hosts[0])
        url = web.url(0, "ok/direct")
        assert check([url], allow_private=True)[url].status == "ok"
        assert proxy.seen == []


def test_proxy_credentials_become_proxy_authorization_and_never_show(monkeypatch):
    with WebHosts(1, first_host=113) as web:
        with ForwardProxy({"auth.proxy.test": (web.hosts[0], web.port)}) as proxy:
            host, port = proxy.url.removeprefix("http://").split(":")
            monkeypatch.setenv("HTTP_PROXY", f"http://alice:s%40cret@{host}:{port}")
            url = f"http://auth.proxy.test:{web.port}/ok/a"
            result = check([url])[url]
            assert result.status == "ok"
            assert proxy.authorizations == ["Basic " + base64.b64encode(b"alice:s@cret").decode()]
            assert "cret" not in repr(result)


@pytest.mark.parametrize("value", ["socks5://alice:secret@127.0.0.1:1080", "https://alice:secret@proxy.example:3128"])
def test_a_proxy_that_cannot_be_used_is_a_configuration_error(monkeypatch, value):
    monkeypatch.setenv("HTTPS_PROXY", value)
    with pytest.raises(ConfigError) as raised:
        check(["https://example.org/"])
    assert "HTTPS_PROXY" in str(raised.value) and "secret" not in str(raised.value)


def test_the_command_line_says_it_in_one_line_with_exit_3(tmp_path):
    (tmp_path / "list.md").write_text("- [A](https://example.org/a)\n")
    env = {"PATH": "/usr/bin:/bin", "HTTPS_PROXY": "socks5://alice:secret@127.0.0.1:1080", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "paperenrich", "check", "list.md", "--no-cache"], cwd=tmp_path,
                          capture_output=True, text=True, env={**env, "PYTHONPATH": ":".join(sys.path)}, timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.count("\n") == 1 and "HTTPS_PROXY" in proc.stderr and "secret" not in proc.stderr + proc.stdout


def test_through_a_proxy_the_machine_itself_is_still_refused(monkeypatch):
    with ForwardProxy({}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        # (127.1, 2130706433, 0x7f.1 and 0 are addresses too: the C library reads them as 127.0.0.1 and 0.0.0.0)
        urls = ["http://localhost:8080/admin", "http://api.localhost/x", "http://127.0.0.1:8080/admin",
                "http://127.1:8080/admin", "http://2130706433:8080/", "http://0x7f.1/", "http://0/", "https://127.1/x"]
        results = check(urls)
        assert {r.status for r in results.values()} == {"skipped"}
        assert all("non-public address" in r.detail for r in results.values())
        assert proxy.seen == []  # the proxy was never asked to reach them


def test_when_no_host_answers_through_the_proxy_the_proxy_is_named_not_the_network(tmp_path):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
        (tmp_path / "list.md").write_text("".join(f"- [{c}](http://{c}.proxy.test/1)\n" for c in "abcd"))
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HTTP_PROXY": f"http://127.0.0.1:{port}",
               "PYTHONPATH": ":".join(sys.path)}
        proc = subprocess.run([sys.executable, "-m", "paperenrich", "check", "list.md", "--no-cache"], cwd=tmp_path,
                              capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 5 and proc.stderr.count("\n") == 1
    assert f"cannot reach the proxy 127.0.0.1:{port} (connection refused)" in proc.stderr and "offline" not in proc.stderr



def test_a_407_from_the_proxy_is_the_proxys_trouble_and_is_not_cached(monkeypatch, tmp_path):
    from paperenrich.cache import Cache

    with WebHosts(1, first_host=114) as web:
        upstream = {"auth.proxy.test": (web.hosts[0], web.port)}
        url = f"http://auth.proxy.test:{web.port}/ok/407"
        with ForwardProxy(upstream, require="Basic " + base64.b64encode(b"bob:pw").decode()) as proxy:
            host, port = proxy.url.removeprefix("http://").split(":")
            monkeypatch.setenv("HTTP_PROXY", proxy.url)  # no credentials
            cache = Cache(tmp_path / "cache")
            results = asyncio.run(check_urls({url: [Place("l.md", 1)]}, Settings(link_timeout=5.0), cache=cache))
            assert results[0].status == "broken"
            assert results[0].detail == f"the proxy answered HTTP 407 to GET auth.proxy.test:{web.port} (proxy authentication required)"
            assert web.requests() == []
            monkeypatch.setenv("HTTP_PROXY", f"http://bob:pw@{host}:{port}")  # the user fixes it: asked again, not a cached 407
            results = asyncio.run(check_urls({url: [Place("l.md", 1)]}, Settings(link_timeout=5.0), cache=cache))
            assert results[0].status == "ok" and len(web.requests()) == 1
            cache.close()


def test_a_proxy_that_says_nothing_or_nonsense_is_named_without_a_traceback(monkeypatch, capfd):
    import threading

    def serve(listener, reply):
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(65536)
            if reply:
                conn.sendall(reply)  # ...and then nothing (a silent proxy sends nothing at all)
            threading.Timer(3, conn.close).start()

    cases = [(b"", "cannot reach the proxy 127.0.0.1:{port} (no tunnel to nonsense.proxy.test:443 within 0.9 s)"),
             (b"HTTP/1.1 " + b"2" * 5000 + b" OK\r\n\r\n", "the proxy answered CONNECT nonsense.proxy.test:443 without an HTTP status line"),
             (b"SSH-2.0 200 x\r\n\r\n", "the proxy answered CONNECT nonsense.proxy.test:443 without an HTTP status line")]
    for reply, expected in cases:
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            port = listener.getsockname()[1]
            threading.Thread(target=serve, args=(listener, reply), daemon=True).start()
            monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
            url = "https://nonsense.proxy.test/x"
            result = check([url], link_timeout=1.0)[url]
        assert result.status == "broken" and result.detail == expected.format(port=port)
    assert "Traceback" not in capfd.readouterr().err


def test_an_ipv6_target_is_bracketed_in_connect(monkeypatch):
    with ForwardProxy({}) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        url = "https://[2001:db8::1]/x"
        result = check([url], allow_private=True)[url]  # (a documentation address: private to the guard)
        assert ("CONNECT", "[2001:db8::1]:443") in proxy.seen
        assert result.detail == "the proxy answered HTTP 502 to CONNECT [2001:db8::1]:443"


@pytest.mark.parametrize("no_proxy, host, port, direct", [
    ("example.org:8080", "example.org", 8080, True), ("example.org:8080", "example.org", 80, False),
    (".example.org", "a.example.org", 80, True), ("*", "anything.test", 443, True), ("other.org", "example.org", 80, False),
    ("[2001:db8::1]:443", "2001:db8::1", 443, True)])
def test_no_proxy_forms(no_proxy, host, port, direct):
    proxies = Proxies({"http": "http://127.0.0.1:3128", "https": "http://127.0.0.1:3128", "no": no_proxy})
    assert (proxies.for_target("http", host, port) is None) == direct


@pytest.mark.parametrize("value, says", [("http://u:p@[::1", "not a URL"), ("http://127.0.0.1:0", "port is not a number from 1 to 65535"),
                                         ("http://127.0.0.1:99999", "port is not a number from 1 to 65535"),
                                         ("http://:3128", "no proxy host")])
def test_proxy_values_that_cannot_be_used(value, says):
    with pytest.raises(ProxyError) as raised:
        Proxies({"https": value})
    assert says in str(raised.value) and "HTTPS_PROXY" in str(raised.value) and ":p@" not in str(raised.value)


def test_a_proxy_name_that_does_not_resolve_says_so(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.nowhere.invalid:3128")
    url = "http://paper.proxy.test/a"
    result = check([url])[url]
    assert result.detail.startswith("cannot reach the proxy proxy.nowhere.invalid:3128 (its name does not resolve")



def test_proxy_credentials_never_show_in_verbose_output_or_json(tmp_path):
    with WebHosts(1, first_host=115) as web:
        with ForwardProxy({"quiet.proxy.test": (web.hosts[0], web.port)}) as proxy:
            host, port = proxy.url.removeprefix("http://").split(":")
            (tmp_path / "list.md").write_text(f"- [A](http://quiet.proxy.test:{web.port}/ok/1) [B](http://quiet.proxy.test:{web.port}/status/404/1)\n")
            env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HTTP_PROXY": f"http://dave:hunter2secret@{host}:{port}",
                   "PYTHONPATH": ":".join(sys.path)}
            proc = subprocess.run([sys.executable, "-m", "paperenrich", "check", "list.md", "--no-cache", "-vv", "--format", "json"],
                                  cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60)
            assert proc.returncode == 2, proc.stderr  # the 404 came through the proxy
            assert "hunter2secret" not in proc.stdout + proc.stderr
            assert base64.b64encode(b"dave:hunter2secret").decode() not in proc.stdout + proc.stderr


def test_a_proxy_that_accepts_and_never_answers_http_links_is_named_not_the_network(tmp_path):
    # http:// links go to the proxy in absolute form: a proxy that takes the connection and says
    # nothing leaves every link a timeout, which alone would read as this machine being offline.
    import threading

    held = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def serve():
            while True:
                try:
                    held.append(listener.accept()[0])  # kept open, never answered
                except OSError:
                    return

        threading.Thread(target=serve, daemon=True).start()
        (tmp_path / "list.md").write_text("".join(f"- [{c}](http://{c}.proxy.test/1)\n" for c in "abcd"))
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HTTP_PROXY": f"http://127.0.0.1:{port}",
               "PYTHONPATH": ":".join(sys.path)}
        proc = subprocess.run([sys.executable, "-m", "paperenrich", "check", "list.md", "--no-cache", "--timeout", "1"],
                              cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60)
    for conn in held:
        conn.close()
    assert proc.returncode == 5 and proc.stderr.count("\n") == 1, proc.stderr
    assert f"no answer through the proxy 127.0.0.1:{port}" in proc.stderr and "offline" not in proc.stderr
