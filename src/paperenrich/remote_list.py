"""A Markdown list given as an http(s) URL (`paperenrich scan https://raw.githubusercontent.com/.../README.md`).

Fetched the way `check` asks any link, since a URL a user pastes is as untrusted as one in a
list: the checker's guarded client (private, loopback and metadata addresses refused, also
through DNS, unless `allow_private`), every redirect hop checked again, a total deadline, the
body capped at `max_list_bytes`, and it must be UTF-8 text, not an HTML page.
"""

from __future__ import annotations

import asyncio
import zlib
from urllib.parse import urljoin

import httpx

from paperenrich.config import Settings
from paperenrich.errors import InputError
from paperenrich.linkcheck.engine import FORBIDDEN_DETAIL
from paperenrich.linkcheck.safety import ForbiddenAddress

_REDIRECTS = (301, 302, 303, 307, 308)


def fetch_list(url: str, settings: Settings) -> str:
    """The text of the list at `url`, or a one-line InputError (exit 4) saying why not."""
    return asyncio.run(_fetch(url, settings))


async def _fetch(url: str, settings: Settings) -> str:
    from paperenrich.linkcheck.engine import base_headers, build_client, precheck, request_target

    client = build_client(settings)
    headers = {**base_headers(settings), "Accept": "text/markdown,text/plain,*/*;q=0.5"}
    try:
        async with asyncio.timeout(settings.link_timeout * 2):  # the whole fetch, redirects included
            current = url
            for _hop in range(settings.max_redirects + 1):
                refused = precheck(current, settings, (), ())
                if refused is not None:
                    raise InputError(f"{url}: not fetched: {refused[1]}")
                # The checker's own request path: its address guard, its proxy (HTTPS_PROXY...).
                response = await client.wire.open("GET", request_target(current), headers)
                try:
                    if response.status in _REDIRECTS and response.headers.get("location"):
                        current = urljoin(current, response.headers["location"])
                        continue
                    if response.status != 200:
                        raise InputError(f"{url}: HTTP {response.status}")
                    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if kind in ("text/html", "application/xhtml+xml"):
                        raise InputError(f"{url}: an HTML page, not a Markdown file (give the raw file's URL)")
                    body = await _read_capped(response, settings.max_list_bytes, url)
                    break
                finally:
                    response.release()  # (a body not read to its end closes the connection)
            else:
                raise InputError(f"{url}: more than {settings.max_redirects} redirects")
    except TimeoutError:
        raise InputError(f"{url}: no complete answer within {settings.link_timeout * 2:g} s") from None
    except httpx.TransportError as exc:
        if _refused_address(exc):
            raise InputError(f"{url}: not fetched: {FORBIDDEN_DETAIL}") from None
        raise InputError(f"{url}: cannot be fetched ({exc})") from None
    finally:
        await client.aclose()
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{url}: not UTF-8 text") from None


def _refused_address(exc: BaseException) -> bool:
    """Whether the guard refused the address (somewhere in the exception's causes)."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or any(current is s for s in seen):
            continue
        if isinstance(current, ForbiddenAddress):
            return True
        seen.append(current)
        todo += [current.__cause__, current.__context__]
    return False


async def _read_capped(response, limit: int, url: str) -> bytes:
    """The whole body, at most `limit` bytes as sent and as inflated; a list cut short would be
    read as a shorter list, so anything too big, damaged or in an encoding not asked for is an error."""
    too_big = InputError(f"{url}: larger than {limit // 1024} KB (max_list_bytes)")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks, size = [], 0
    async for chunk in response.raw_chunks():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    body = b"".join(chunks)
    encoding = (response.headers.get("content-encoding") or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)  # gzip or zlib header
        try:
            body = inflater.decompress(body, limit + 1)  # a gzip bomb stops one byte past the cap
        except zlib.error:
            raise InputError(f"{url}: a damaged {encoding} body") from None
        if len(body) > limit:
            raise too_big
        if not inflater.eof:
            raise InputError(f"{url}: a truncated {encoding} body")
    elif encoding != "identity":
        raise InputError(f"{url}: sent in an encoding that was not asked for ({encoding[:40]})")
    if b"\x00" in body[:65536]:
        raise InputError(f"{url}: a binary file, not a Markdown list")
    return body
