"""What to ask next: the most useful batch each lane can build from the entries' current needs (pure).

A plan is (namespace, keys, label); the label names the request kind in Stats.requests. The planner
reads the entries, the known answers and what is in flight (a `Board`), and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paperenrich.resolve.lookups import NS_ARXIV, NS_AX_TITLE, NS_S2, NS_S2_MATCH, NS_S2_TITLE, Lookups
from paperenrich.resolve.stages import Work, needs
from paperenrich.sources import arxiv as ax
from paperenrich.sources import s2

Plan = tuple[str, list[str], str]


@dataclass
class Board:
    """What the planner looks at: the entries, the answers so far, and the lookups being fetched."""

    works: list[Work]
    lookups: Lookups
    inflight: set[tuple[str, str]] = field(default_factory=set)
    bulk_supported: bool = True
    more_coming: bool = False  # lists still being scanned will add entries


def waiting(board: Board, ns: str, stages: tuple[str, ...]) -> list[str]:
    """Keys of `ns` that entries in `stages` wait for, not known and not being fetched."""
    keys = []
    for w in board.works:
        if w.stage in stages:
            for n, key in needs(w, board.bulk_supported):
                if n == ns and not board.lookups.has(n, key) and (n, key) not in board.inflight:
                    keys.append(key)
    return list(dict.fromkeys(keys))

def query_titles(board: Board) -> dict[str, str]:
    """title key -> the search title of the first entry with that key."""
    out: dict[str, str] = {}
    for w in board.works:
        out.setdefault(w.title_key, w.query_title)
    return out


def upstream(board: Board, stages: tuple[str, ...]) -> bool:
    """Some entry before these stages (or still to come) may add to a batch of a later one."""
    return board.more_coming or any(w.stage in stages for w in board.works)

# A plan is (namespace, keys, label); the label names the request kind in Stats.requests.
# Follow-ups (the other service's record of a resolved paper) wait until a full batch is ready
# or no entry upstream can add more, so they cost as few requests as the batch limits allow.
def plan_arxiv(board: Board) -> Plan | None:
    # Ids go as soon as they are known, in full batches while more lists are being scanned.
    ids = waiting(board, NS_ARXIV, ("ids",))
    if len(ids) >= ax.ID_BATCH or (ids and not board.more_coming):
        return NS_ARXIV, ids[: ax.ID_BATCH], "arxiv_id_list"
    # Titles before follow-ups: what arXiv does not find goes on to S2's one-title match, so a
    # title search holds up the other lane's last work; a follow-up holds up nothing. Titles wait
    # for a full OR group, or until no entry before this stage can add one: on the seeds each
    # title trickled in alone from S2's bulk answers, and a one-title request costs this lane
    # (the slower one) a whole 3 s slot.
    titles = waiting(board, NS_AX_TITLE, ("ax_title",))
    if len(titles) >= ax.TITLE_BATCH or (titles and not upstream(board, ("ids", "s2_title"))):
        return NS_AX_TITLE, titles[: ax.TITLE_BATCH], "arxiv_title_search"
    follow = waiting(board, NS_ARXIV, ("complete",))
    if len(follow) >= ax.ID_BATCH:
        return NS_ARXIV, follow[: ax.ID_BATCH], "arxiv_id_followup"
    if follow and not upstream(board, ("ids", "s2_title", "ax_title", "s2_match")):
        return NS_ARXIV, follow, "arxiv_id_followup"
    return None

def plan_s2(board: Board) -> Plan | None:
    keys = waiting(board, NS_S2, ("ids",))
    if len(keys) >= s2.ID_BATCH or (keys and not board.more_coming):
        return NS_S2, keys[: s2.ID_BATCH], "s2_batch"
    follow = waiting(board, NS_S2, ("complete",))
    if len(follow) >= s2.ID_BATCH:
        return NS_S2, follow[: s2.ID_BATCH], "s2_batch_followup"
    titles = waiting(board, NS_S2_TITLE, ("s2_title",))
    if len(titles) >= s2.TITLE_BATCH or (titles and not upstream(board, ("ids",))):
        return NS_S2_TITLE, titles[: s2.TITLE_BATCH], "s2_bulk_search"
    # Titles neither phrase search found: one words query for many (their distinctive words, ANDed),
    # sent when a batch is full or nothing upstream can add to it; S2's one-title /search/match
    # for a title with too few distinctive words (or no bulk endpoint), and, in the driver, where
    # the words query's page floods.
    matches = waiting(board, NS_S2_MATCH, ("s2_match",))
    titles = query_titles(board)
    by_words = [k for k in matches if board.bulk_supported and s2.word_groups(titles[k])]
    if by_words and (len(by_words) >= s2.WORDS_BATCH or not upstream(board, ("ids", "s2_title", "ax_title"))):
        return NS_S2_MATCH, by_words[: s2.WORDS_BATCH], "s2_bulk_words"
    alone = [k for k in matches if k not in by_words]
    if alone:
        return NS_S2_MATCH, alone[:1], "s2_match"
    if follow and not upstream(board, ("ids", "s2_title", "ax_title", "s2_match")):
        return NS_S2, follow, "s2_batch_followup"
    return None
