"""`enrich` behind a proxy (issue 13): HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment, and
certificates checked against the system's trust store (here: a test CA named by SSL_CERT_FILE, as an
administrator would add a corporate CA). The service names end in `.test`: they resolve nowhere, so a
run that resolves anything went through the proxy."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from tests.emulator.hostile import HostileServer, answer
from tests.emulator.proxy import ForwardProxy
from tests.test_hostile_services import TITLE_A, batch_of, feed, s2_paper

trustme = pytest.importorskip("trustme")

LIST = f"# Papers\n- {TITLE_A} [pdf](https://arxiv.org/abs/2309.06180)\n"
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "ssl_cert_file", "ssl_cert_dir")


def serve_paper(server: HostileServer) -> None:
    server.route("/api/query", answer(feed(("2309.06180", TITLE_A, "2023-09-12T00:00:00Z")), "application/atom+xml"))
    server.route("/graph/v1/paper/batch", batch_of({"ARXIV:2309.06180": s2_paper("2309.06180", TITLE_A)}))


def enrich(cwd: Path, arxiv_url: str, s2_url: str, **env_vars: str) -> subprocess.CompletedProcess:
    (cwd / "list.md").write_text(LIST, encoding="utf-8")
    (cwd / "paperenrich.toml").write_text(
        f"arxiv_url = '{arxiv_url}'\ns2_url = '{s2_url}'\narxiv_interval = 0.01\ns2_rps = 100.0\n"
        "max_retries = 1\nrequest_deadline = 20\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PAPERENRICH_", "S2_API_KEY")) and k.lower() not in PROXY_VARS}
    env.update(env_vars)
    return subprocess.run([sys.executable, "-m", "paperenrich", "enrich", "list.md", "--format", "json", "--cache", "c"],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


@pytest.fixture
def tls_world(tmp_path):
    """An https arXiv and S2 (one server, both names on its certificate) behind a forward proxy."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("arxiv.proxy.test", "s2.proxy.test").configure_cert(context)
    ca_file = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with HostileServer(tls=context) as server:
        serve_paper(server)
        with ForwardProxy({"arxiv.proxy.test": server.address, "s2.proxy.test": server.address}) as proxy:
            yield proxy, ca_file


def test_https_services_are_reached_through_https_proxy_with_the_systems_certificates(tls_world, tmp_path):
    proxy, ca_file = tls_world
    proc = enrich(tmp_path, "https://arxiv.proxy.test/api/query", "https://s2.proxy.test/graph/v1",
                  HTTPS_PROXY=proxy.url, SSL_CERT_FILE=str(ca_file), S2_API_KEY="a-key")
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(proc.stdout)["entries"]
    assert entry["paper"]["arxiv"] == "2309.06180" and entry["paper"]["match"]["source"] == "arxiv+s2"
    assert {("CONNECT", "arxiv.proxy.test:443"), ("CONNECT", "s2.proxy.test:443")} <= set(proxy.seen)


def test_an_untrusted_certificate_is_refused(tls_world, tmp_path):
    proxy, _ = tls_world
    proc = enrich(tmp_path, "https://arxiv.proxy.test/api/query", "https://s2.proxy.test/graph/v1", HTTPS_PROXY=proxy.url)
    assert proxy.seen  # it went through the proxy, and trusted nothing it was shown: one line, exit 5
    assert proc.returncode == 5 and proc.stderr.count("\n") == 1 and "CERTIFICATE_VERIFY_FAILED" in proc.stderr


def test_http_proxy_and_no_proxy(tmp_path):
    with HostileServer() as server:
        serve_paper(server)
        host, port = server.address
        with ForwardProxy({host: (host, port)}) as proxy:
            (tmp_path / "a").mkdir()
            proc = enrich(tmp_path / "a", server.url("/api/query"), server.url("/graph/v1"), HTTP_PROXY=proxy.url)
            assert proc.returncode == 0, proc.stderr
            assert json.loads(proc.stdout)["entries"][0]["paper"]["arxiv"] == "2309.06180"
            through = len(proxy.seen)
            assert through >= 2  # both services' requests went through the proxy
            (tmp_path / "b").mkdir()
            proc = enrich(tmp_path / "b", server.url("/api/query"), server.url("/graph/v1"), HTTP_PROXY=proxy.url, NO_PROXY=host)
            assert proc.returncode == 0, proc.stderr
            assert json.loads(proc.stdout)["entries"][0]["paper"]["arxiv"] == "2309.06180"
            assert len(proxy.seen) == through  # NO_PROXY: straight to the service
