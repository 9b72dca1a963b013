"""Candidates: the sections of the cables the retrieved ones favour come along."""

from cableqa.index_files import open_index
from cableqa.search import SECTIONS_PER_EXPANDED_CABLE, Candidate, with_favoured_cables


def test_the_favoured_cable_brings_its_other_sections_without_ranks(hashing_seed_index):
    index = open_index(hashing_seed_index)
    rowids = index.store.section_rowids_of("07PARIS4695")
    retrieved = [Candidate(rowids[3], 1, 2, 0.5), Candidate(rowids[7], None, 1, None)]
    expanded = with_favoured_cables(index, retrieved, dict.fromkeys(rowids, "07PARIS4695"))
    assert expanded[:2] == retrieved
    added = expanded[2:]
    assert [c.rowid for c in added] == [r for r in rowids if r not in (rowids[3], rowids[7])][
        :SECTIONS_PER_EXPANDED_CABLE
    ]
    assert all(c.dense_rank is None and c.keyword_rank is None for c in added)
