"""Text analysis shared by the index and the query: one normalisation, one segmenter.

- `to_simplified(text)`: traditional → simplified only (OpenCC t2s, one converter per thread).
- `normalize(text)`: traditional → simplified (OpenCC t2s), NFKC (full-width letters,
  digits and punctuation → half-width), case folding, every white-space character → " ".
  It preserves length: character i of the result comes from character i of the input, so a
  match found in normalised text marks the same span of the original (snippets, highlight).
- `words(text)`: jieba's dictionary and algorithm through rjieba (its Rust port, ~14× faster)
  in precise mode, with the newsroom dictionary (indexer/data/newsroom_dict.txt) loaded into
  the same segmenter for index and query. Tokens without a letter, digit or CJK character
  (punctuation, spaces) are dropped; digits and Latin words are kept ("5g", "iphone").
- `grams(text)`: the set of character unigrams and bigrams inside runs of letters/digits/CJK
  (punctuation and spaces break runs). Indexed without positions; every substring of two or
  more characters has all its bigrams in the set, which makes fragments findable (recall 1.0).
- Numbers: 2,000, 2，000, ２，０００ and 2000 are one number. A comma that separates thousands
  (1–3 digits, then groups of `,` + exactly three digits, not inside a longer digit run and
  not after a comma or a point, so the list 1,2,3 and 12345,678 stay as they are) becomes
  NUMBER_MARK (U+2063 INVISIBLE SEPARATOR) in `normalize`, which keeps the length, so
  highlighting still marks the original "2,000". The mark is then invisible to matching:
  `grams`, `query_grams` and `words` drop it (the grams and word of 2,000 are those of 2000),
  and a needle with adjacent digits is verified with `number_pattern` (the mark optional
  between any two digits) instead of a plain find. Why not strip the comma from the query
  only: the text's "2,000" has no bigram "20", so it would have to be found by the grams
  "2" and "00" (most of the archive) and verified one by one. ％ → % is NFKC already.
- `WordTokenizer`: the Whoosh analyzer for the word fields, sequential positions 0, 1, 2, …
  (word positions, not character offsets). It expects normalised text.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import opencc
import rjieba
from whoosh.analysis import Token, Tokenizer

DICT_PATH = Path(__file__).parent / "data" / "newsroom_dict.txt"

# Runs of letters, digits and CJK characters (\w without the underscore).
RUN = re.compile(r"[^\W_]+")

_local = threading.local()

NUMBER_MARK = "\u2063"  # stands for a thousands separator in normalised text
_THOUSANDS = re.compile(r"(?<![0-9.,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])")
_DIGIT_PAIR = re.compile(r"[0-9][0-9]")


def _converter() -> opencc.OpenCC:
    # OpenCC objects are not shared between threads: one per thread, created on first use.
    conv = getattr(_local, "t2s", None)
    if conv is None:
        conv = _local.t2s = opencc.OpenCC("t2s")
    return conv


def to_simplified(text: str) -> str:
    """`text` with traditional characters converted to simplified (OpenCC t2s), nothing else."""
    return _converter().convert(text)


@lru_cache(maxsize=65536)
def _char_norm(ch: str) -> str:
    """The slow path: one character in, one character out."""
    out = to_simplified(ch)
    if len(out) != 1:
        out = ch
    nf = unicodedata.normalize("NFKC", out)
    if len(nf) == 1:
        out = nf
    folded = out.casefold()
    if len(folded) == 1:
        out = folded
    return " " if out.isspace() and out != "\n" else out


_SPACES = {ord(c): " " for c in "\t\r\x0b\x0c\xa0\u3000\u2002\u2003\u2009\u200b"}


def _expanding_chars() -> re.Pattern[str]:
    """BMP characters that NFKC turns into several (… → ..., ℃ → °c, ① …): they are
    normalised one by one so that the rest of a text can go through NFKC in one call."""
    found = [
        chr(cp)
        for cp in range(0x80, 0x10000)
        if not 0xD800 <= cp <= 0xDFFF and len(unicodedata.normalize("NFKC", chr(cp))) != 1
    ]
    return re.compile("([" + "".join(re.escape(c) for c in found) + "])")


_EXPANDING = _expanding_chars()


def _nfkc_same_length(text: str) -> str:
    parts = _EXPANDING.split(text)
    if len(parts) == 1:
        return unicodedata.normalize("NFKC", text)
    return "".join(
        _char_norm(part) if i % 2 else unicodedata.normalize("NFKC", part)
        for i, part in enumerate(parts)
    )


def normalize(text: str) -> str:
    """Simplified, half-width, case-folded text of exactly the same length as `text`."""
    if not text:
        return ""
    out = to_simplified(text)
    if len(out) == len(text):
        out = _nfkc_same_length(out)
        if len(out) == len(text):
            out = out.casefold()
    if len(out) != len(text):
        # Rare (combining marks, ß …): character by character, to keep offsets aligned.
        out = "".join(_char_norm(ch) for ch in text)
    out = out.translate(_SPACES)
    if "," in out:
        out = _THOUSANDS.sub(lambda m: m.group(0).replace(",", NUMBER_MARK), out)
    return out


def unmarked(norm_text: str) -> str:
    """Normalised text without its thousands marks (for grams and words, not for offsets)."""
    return norm_text.replace(NUMBER_MARK, "") if NUMBER_MARK in norm_text else norm_text


def _number_regex(norm_fragment: str) -> str | None:
    plain = unmarked(norm_fragment)
    if not _DIGIT_PAIR.search(plain):
        return None
    out = []
    for i, ch in enumerate(plain):
        if (
            i
            and ch.isascii()
            and ch.isdigit()
            and plain[i - 1].isascii()
            and plain[i - 1].isdigit()
        ):
            out.append("(?:" + NUMBER_MARK + ")?")
        out.append(re.escape(ch))
    return "".join(out)


@lru_cache(maxsize=1024)
def number_pattern(norm_fragment: str) -> re.Pattern[str] | None:
    """For a fragment with two adjacent digits, the pattern that finds it in normalised text
    with or without thousands marks (2000 finds 2,000 and 2,000 finds 2000); None otherwise
    (a plain find is exact)."""
    regex = _number_regex(norm_fragment)
    return re.compile(regex) if regex is not None else None


@lru_cache(maxsize=1024)
def number_pattern_bytes(norm_fragment: str) -> re.Pattern[bytes] | None:
    """`number_pattern` over UTF-8 bytes (texts.bin, memory-mapped)."""
    regex = _number_regex(norm_fragment)
    return re.compile(regex.encode("utf-8")) if regex is not None else None


def find_all(norm_text: str, norm_fragment: str) -> list[tuple[int, int]]:
    """(start, end) of every occurrence of the fragment, numbers read as `number_pattern`."""
    pattern = number_pattern(norm_fragment)
    if pattern is not None:
        return [m.span() for m in pattern.finditer(norm_text)]
    out, start = [], norm_text.find(norm_fragment)
    while start >= 0 and norm_fragment:
        out.append((start, start + len(norm_fragment)))
        start = norm_text.find(norm_fragment, start + 1)
    return out


def contains(norm_text: str, norm_fragment: str) -> bool:
    """Whether the normalised text holds the fragment (numbers read as `number_pattern`)."""
    pattern = number_pattern(norm_fragment)
    if pattern is not None:
        return pattern.search(norm_text) is not None
    return norm_fragment in norm_text


def grams(norm_text: str) -> set[str]:
    """Unigrams and bigrams of every letter/digit/CJK run in already normalised text."""
    found: set[str] = set()
    for run in RUN.findall(unmarked(norm_text)):
        found.update(run)
        if len(run) > 1:
            found.update(map(str.__add__, run, run[1:]))
    return found


def query_grams(norm_fragment: str) -> list[str]:
    """The grams a document must contain to contain `norm_fragment`: its bigrams, or the
    character itself for one-character runs."""
    needed: list[str] = []
    for run in RUN.findall(unmarked(norm_fragment)):
        if len(run) == 1:
            needed.append(run)
        else:
            needed.extend(run[i : i + 2] for i in range(len(run) - 1))
    return list(dict.fromkeys(needed))


def _load_dictionary(path: Path = DICT_PATH) -> None:
    """Add the newsroom dictionary to rjieba's default segmenter (once per process)."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word = normalize(parts[0])
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[2] if len(parts) > 2 else None
        rjieba.add_word(word, freq, tag)


_load_dictionary()


def words(norm_text: str) -> list[str]:
    """jieba precise-mode words of normalised text, punctuation and spaces dropped."""
    return [w for w in rjieba.cut(unmarked(norm_text)) if RUN.search(w)]


class WordTokenizer(Tokenizer):
    """Whoosh tokenizer over normalised text: rjieba words at positions 0, 1, 2, …"""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordTokenizer)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, word in enumerate(words(value), start_pos):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            yield token
