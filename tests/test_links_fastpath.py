"""The checker's hot path must send exactly what the httpx path sent: the plain-URL shortcut
(which skips httpx's URL parser) is held to httpx here, and cookies follow a redirect chain only."""

from __future__ import annotations

import asyncio
from unittest import mock
from urllib.parse import urlsplit

import httpx
import yarl
from hypothesis import given, settings, strategies as st

from paperenrich.config import Settings
from paperenrich.linkcheck import engine
from paperenrich.linkcheck.engine import Checker, build_client, plain_host, plain_url, precheck, request_target

# Characters around and inside the plain form, so that both sides of its edges are generated.
_HOSTS = st.one_of(st.text("abcxyzABC019.-_", min_size=1, max_size=12),
                   st.sampled_from(["10.0.0.1", "127.0.0.1", "8.8.8.8", "169.254.169.254", "0", "1.2.3"]))
_TAIL = st.one_of(st.text("abcXYZ019-._~!$&'()*+,;=:@/?#%[] \"<>^`{|}éfF", max_size=30),
                  st.sampled_from(["/a%2541", "/x.pdf", "/%7e/q.zip?x=1", "/a/./b", "#frag"]))


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(["http", "https", "HTTP", "ftp"]), _HOSTS,
       st.one_of(st.none(), st.integers(0, 99999)), _TAIL)
def test_a_plain_url_is_sent_as_httpx_sends_it(scheme, host, port, tail):
    url = f"{scheme}://{host}{'' if port is None else f':{port}'}{tail}"
    found = plain_host(url)
    if found is None:
        return  # httpx parses it, as before
    parsed = httpx.URL(url)  # a plain URL is one httpx accepts...
    assert found == parsed.host
    assert _sent(request_target(url)) == _sent(yarl.URL(str(parsed), encoded=True))  # ...and sends unchanged
    assert plain_url(url)[1] == urlsplit(url).path  # (the path the method is chosen by)
    assert engine.host_key(url) == urlsplit(url).hostname  # (the host lane it is paced by)
    for allow_private in (False, True):  # and precheck's shortcut gives the long way's verdict
        settings = Settings(allow_private=allow_private)
        with mock.patch.object(engine, "plain_url", lambda _url: None):
            long_way = precheck(url, settings, (), ())
        assert precheck(url, settings, (), ()) == long_way


def _sent(url: yarl.URL) -> tuple:
    """What a request to `url` is made of: where it connects, its Host header and request target."""
    return url.scheme, url.raw_host, url.port, url.host_port_subcomponent, url.raw_path_qs


def test_plain_form_examples():
    assert plain_host("http://127.0.0.2:4000/ok/1") == "127.0.0.2"
    assert plain_host("https://arxiv.org/abs/1706.03762v2?x=1#sec") == "arxiv.org"
    # left to httpx: upper case, dot segments, credentials, bad escapes, ports out of range, non-ASCII
    for url in ("http://A.org/", "http://a.org/a/../b", "http://u:p@a.org/", "http://a.org/%zz",
                "http://a.org:99999/", "https://bücher.de/", "http://[::1]/"):
        assert plain_host(url) is None, url
    # precheck's other rules still apply to plain URLs; the rest still meet httpx's parser
    assert precheck("http://a.org/%2541", Settings(), (), ())[1].startswith("double-encoded URL")
    assert precheck("http://a.org:x/", Settings(), (), ())[1] == "malformed URL (Invalid port: 'x')"
    assert precheck("http://a.org/ok", Settings(), (), ()) is None


def test_cookies_follow_the_redirect_chain_but_not_the_next_link(tmp_path):
    """A cookie set by a redirect is sent on the chain's next hop; the next link starts without."""
    from tests.emulator.webhosts import WebHosts

    with WebHosts(1) as web:
        settings = Settings(allow_private=True, use_cache=False, link_timeout=5.0)
        target = web.url(0, "echo-headers/after")
        setter = web.url(0, "moved") + "?" + httpx.QueryParams({"to": target, "code": "302", "cookie": "consent=yes"}).__str__()

        async def go():
            async with build_client(settings) as client:
                checker = Checker(settings, client)
                first = await checker.check(setter)
                second = await checker.check(web.url(0, "echo-headers/fresh"))
                return first, second

        first, second = asyncio.run(go())
        assert first.status == "redirected"
        hops = web.requests(path_prefix="/echo-headers/after")
        assert hops and hops[-1].headers.get("cookie") == "consent=yes"
        fresh = web.requests(path_prefix="/echo-headers/fresh")
        assert fresh and "cookie" not in fresh[-1].headers
