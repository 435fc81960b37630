"""arXiv `search_query` syntax: field prefixes, AND / OR / ANDNOT, quoted phrases, parentheses.

    ti:"attention is all you need" OR ti:"language models are few-shot learners"
    au:hinton AND (ti:capsule OR abs:routing) ANDNOT cat:cs.CV

Fields: ti (title), au (author), abs (abstract), all (ti+au+abs), id (arXiv id), cat (category),
jr (journal reference), co (comment). A term without a prefix means all:. Two terms side by side
with no operator are ANDed. Words and phrases match whole folded words (case, accents, LaTeX and
punctuation ignored); a phrase must appear as consecutive words. `parse` raises QuerySyntaxError
on unbalanced parentheses or a dangling operator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.emulator.textnorm import fold
from tests.emulator.tokens import TokenStream

FIELDS = ("ti", "au", "abs", "all", "id", "cat", "jr", "co", "rn")
_TOKEN = re.compile(r'\(|\)|"[^"]*"?|[^\s()"]+')


class QuerySyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    field: str
    text: str  # folded words, space-separated
    phrase: bool


@dataclass(frozen=True)
class BoolOp:
    op: str  # "AND" | "OR" | "ANDNOT"
    left: "Node"
    right: "Node"


Node = Term | BoolOp


def parse(query: str) -> Node | None:
    return _Parser.parse_whole(_TOKEN, query, lambda parser: parser.parse_or("all"))


class _Parser(TokenStream):
    error = QuerySyntaxError

    def parse_or(self, field: str) -> Node:
        node = self.parse_and(field)
        while self.peek() == "OR":
            self.take()
            node = BoolOp("OR", node, self.parse_and(field))
        return node

    def parse_and(self, field: str) -> Node:
        node = self.parse_unary(field)
        while True:
            token = self.peek()
            if token in ("AND", "ANDNOT"):
                self.take()
                node = BoolOp(token, node, self.parse_unary(field))
            elif token is not None and token not in ("OR", ")"):
                node = BoolOp("AND", node, self.parse_unary(field))  # implicit AND
            else:
                return node

    def parse_unary(self, field: str) -> Node:
        token = self.take()
        if token == "(":
            node = self.parse_or(field)
            if self.take() != ")":
                raise QuerySyntaxError("missing ')'")
            return node
        if token in (")", "AND", "OR", "ANDNOT"):
            raise QuerySyntaxError(f"unexpected {token!r}")
        prefix, sep, rest = token.partition(":")
        if sep and prefix in FIELDS:
            if not rest:  # ti:"a phrase" or ti:(a OR b): the value is the next token
                nxt = self.peek()
                if nxt == "(":
                    return self.parse_unary(prefix)
                if nxt is None or not nxt.startswith('"'):
                    raise QuerySyntaxError(f"nothing after {token!r}")
                return self._term(prefix, self.take())
            return self._term(prefix, rest)
        return self._term(field, token)

    @staticmethod
    def _term(field: str, raw: str) -> Term:
        quoted = raw.startswith('"')
        text = raw.strip('"')
        if field in ("id", "cat"):
            return Term(field, text.strip().lower(), False)
        folded = fold(text)
        return Term(field, folded, quoted or " " in folded)
