"""The boolean query syntax of S2 `GET /paper/search/bulk`.

As documented by Semantic Scholar: terms side by side must all match (AND); `+` is AND, `|` is
OR, `-` before a term or group negates it, `"..."` is a phrase, `*` after a word matches a prefix,
parentheses group. `~N` (fuzzy/proximity) is accepted and ignored (the emulator matches exactly).
`|` binds loosest, so `a b | c` means `(a AND b) OR c`.

    "attention is all you need" | "language models are few-shot learners"
    (transformer | attention) + serving -survey
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.emulator.textnorm import fold
from tests.emulator.tokens import TokenStream

_TOKEN = re.compile(r'"[^"]*"(?:~\d*)?|[()|+\-]|[^\s()|+"]+')


class BulkSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Word:
    text: str  # folded; several words make a phrase
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    node: "Node"


@dataclass(frozen=True)
class All:
    nodes: tuple["Node", ...]


@dataclass(frozen=True)
class Any:
    nodes: tuple["Node", ...]


Node = Word | Not | All | Any


def parse(query: str) -> Node | None:
    return _Parser.parse_whole(_TOKEN, query, lambda parser: parser.parse_any())


class _Parser(TokenStream):
    error = BulkSyntaxError

    def parse_any(self) -> Node:
        nodes = [self.parse_all()]
        while self.peek() == "|":
            self.take()
            nodes.append(self.parse_all())
        return nodes[0] if len(nodes) == 1 else Any(tuple(nodes))

    def parse_all(self) -> Node:
        nodes = []
        while (token := self.peek()) is not None and token not in ("|", ")"):
            if token == "+":
                self.take()
                continue
            node = self.parse_unary()
            if node != Word(""):  # a lone "~2" or punctuation: nothing to match
                nodes.append(node)
        if not nodes:
            raise BulkSyntaxError("empty clause")
        return nodes[0] if len(nodes) == 1 else All(tuple(nodes))

    def parse_unary(self) -> Node:
        token = self.take()
        if token == "-":
            return Not(self.parse_unary())
        if token == "(":
            node = self.parse_any()
            if self.peek() != ")":
                raise BulkSyntaxError("missing ')'")
            self.take()
            return node
        if token == ")":
            raise BulkSyntaxError("unexpected ')'")
        if token.startswith('"'):
            return Word(fold(token.rsplit('"', 1)[0].strip('"')))
        prefix = token.endswith("*")
        text = fold(re.sub(r"~\d*$", "", token.rstrip("*")))
        return Word(text, prefix=prefix and " " not in text)
