"""A link with credentials in it (`http://user:pass@host/`, issue 12, item 10) is checked without
them (they are never sent) and the result says so; it used to fail with a ValueError."""

import asyncio

from paperenrich.config import Settings
from paperenrich.linkcheck.engine import Checker, build_client
from paperenrich.urls import without_userinfo
from tests.emulator.hostile import HostileServer, answer


def test_without_userinfo():
    assert without_userinfo("http://user:pw@example.org:8080/x?q#f") == ("http://example.org:8080/x?q#f", True)
    assert without_userinfo("https://example.org/a@b") == ("https://example.org/a@b", False)


def test_a_link_with_credentials_is_checked_without_them():
    async def check(url: str):
        settings = Settings(allow_private=True, link_retries=0)
        async with build_client(settings) as client:
            return await Checker(settings, client).check(url)

    with HostileServer() as server:
        server.route("/", answer("<html><body>a page</body></html>", "text/html"))
        url = server.url("/page").replace("http://", "http://alice:s3cret@")
        result = asyncio.run(check(url))
        assert result.status == "ok", result.detail
        assert "credentials" in result.detail
        (method, path, headers) = server.requests[-1]
        assert path == "/page" and "Authorization" not in headers and "s3cret" not in repr(headers)
