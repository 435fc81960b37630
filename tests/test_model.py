"""The model's fast paths give exactly what the dataclasses' own methods give."""

from __future__ import annotations

import dataclasses
import pickle

from paperenrich.ids import extract_ids, ids_from_links
from paperenrich.model import Entry, Ids, Link, new_entry


def _ids_made_every_way() -> list[Ids]:
    made = [Ids(), Ids(arxiv="2309.06180"), Ids(doi="10.1/x", vldb="vol1/p1-a"), Ids(None, "10.1/y", None, "v1/a11")]
    made += [dataclasses.replace(made[1], doi="10.1/z"), made[2].merged(made[1])]
    made += [extract_ids("https://arxiv.org/abs/2309.06180"), extract_ids("https://github.com/a/b"),
             ids_from_links(["https://arxiv.org/abs/2309.06180", "https://doi.org/10.1145/3600006.3613165"])]
    return made + [pickle.loads(pickle.dumps(i)) for i in made]


def test_ids_to_dict_and_is_empty_read_the_fields_in_their_order():
    for ids in _ids_made_every_way():
        # (the dataclass's own view: every field by name, in field order)
        expected = {f.name: getattr(ids, f.name) for f in dataclasses.fields(Ids) if getattr(ids, f.name)}
        assert ids.to_dict() == expected and list(ids.to_dict()) == list(expected)
        assert ids.is_empty() == (not expected)


def test_new_entry_is_the_entry_the_dataclass_makes():
    values = (3, 5, ("Systems", "Training"), "A Title", "OSDI", 2024, (Link("https://arxiv.org/abs/2309.06180", "paper"),),
              Ids(arxiv="2309.06180"), None, "table")
    fast, made = new_entry(*values), Entry(*values)
    assert fast == made and hash(fast) == hash(made) and repr(fast) == repr(made)
    assert list(vars(fast)) == [f.name for f in dataclasses.fields(Entry)]  # all fields, in order
    assert pickle.loads(pickle.dumps(fast)) == made and fast.to_dict() == made.to_dict()
    assert dataclasses.replace(fast, duplicate_of=1) == dataclasses.replace(made, duplicate_of=1)
