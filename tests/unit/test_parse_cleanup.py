"""cleanup's heading search (a word trie) finds what the plain alternation of the phrases finds."""
from __future__ import annotations

import random
import re

from parsers.cleanup import BOX_HEADINGS, _HEADING_SEARCH, _word_trie


def _flat() -> re.Pattern[str]:
    return re.compile("|".join(r"\s+".join(map(re.escape, h.split())) for h in BOX_HEADINGS))


def test_word_trie_same_matches_as_alternation() -> None:
    flat = _flat()
    words = sorted({w for h in BOX_HEADINGS for w in h.split()}) + ["x", "tin", "bài viết"]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(words) + rng.choice([" ", "  ", "\n", "\t ", "", "."])
                       for _ in range(rng.randint(1, 8)))
        assert bool(_HEADING_SEARCH.search(text)) == bool(flat.search(text)), text
    for heading in BOX_HEADINGS:
        assert _HEADING_SEARCH.search("abc " + heading.replace(" ", " \n ") + " xyz")


def test_word_trie_prefix_phrase() -> None:
    assert re.fullmatch(_word_trie([("a",), ("a", "b"), ("c", "d")]), "a")
    assert re.search(_word_trie([("a",), ("a", "b"), ("c", "d")]), "c  d")
