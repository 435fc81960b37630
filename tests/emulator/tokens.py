"""A query's tokens with a read position: what the arXiv and S2 query parsers both walk."""

from __future__ import annotations

import re
from typing import Callable, TypeVar

Node = TypeVar("Node")


class TokenStream:
    """Subclasses set `error`, the syntax error their service's parser raises."""

    error: type[ValueError] = ValueError

    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise self.error("query ends too early")
        self.pos += 1
        return token

    @classmethod
    def parse_whole(cls, pattern: re.Pattern[str], query: str, start: Callable[..., Node]) -> Node | None:
        """`start(stream)` over every token of `query` (None when it has none); a token left over is an error."""
        stream = cls(pattern.findall(query))
        if not stream.tokens:
            return None
        node = start(stream)
        if stream.pos != len(stream.tokens):
            raise cls.error(f"unexpected {stream.tokens[stream.pos]!r}")
        return node
