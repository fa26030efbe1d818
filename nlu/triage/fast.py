"""Patterns that stay fast on any message.

Triage runs every pattern over every message on the event loop, so each pattern is rewritten
to let Python's regex engine skip ahead with its fast character scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["fast", "fast_with_starts", "literal_heads"]

# Speed: Python's regex engine skips ahead with a fast character scan only when every top-level
# option of a pattern starts with a plain character; otherwise it tries the whole pattern at
# every position of the message. So fast() spreads leading groups out ((?:手|脚)麻 → 手麻|脚麻:
# the same matches in the same order) and moves a leading \b or ^ after the first letter
# (\bhelp → h(?<!\w.)elp, ^sos → s(?<![\s\S]s)os). A lookbehind goes after the first
# character by hand: 晕(?<!头晕)到.


def _structural(pattern: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """Positions of ``(``, ``)`` and ``|`` from ``start``, past escapes and character classes."""
    i = start
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(pattern, i)
        elif char in "()|":
            yield i, char
        i += 1


def _class_end(pattern: str, start: int) -> int:
    """Index of the ``]`` closing the character class that opens at ``start``."""
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1
    while pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i


def _closing(pattern: str, start: int) -> int:
    """Index of the ``)`` closing the group that opens at ``start``."""
    depth = 0
    for i, char in _structural(pattern, start):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced pattern: {pattern!r}")


def _top_level(pattern: str) -> list[str]:
    """``a|b(?:c|d)`` → ``[a, b(?:c|d)]``."""
    parts, depth, begin = [], 0, 0
    for i, char in _structural(pattern):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            parts.append(pattern[begin:i])
            begin = i + 1
    return [*parts, pattern[begin:]]


def _spread(option: str) -> list[str]:
    """``\b(?:a|b)c`` → ``[\bac, \bbc]``, down to options that start with a character."""
    anchor = next((a for a in ("\\b", "^") if option.startswith(a + "(?:")), "")
    if not option.startswith(anchor + "(?:"):
        return [option]
    start = len(anchor)
    end = _closing(option, start)
    rest = option[end + 1 :]
    branches = _top_level(option[start + 3 : end])
    if rest[:1] == "?" and rest[1:2] not in ("?", "+"):
        # (?:a|b)?c → ac|bc|c: the same matches, tried in the same order.
        rest = rest[1:]
        return [s for branch in [*branches, ""] for s in _spread(anchor + branch + rest)]
    if rest[:1] in ("?", "*", "+", "{"):
        raise ValueError(f"option starts with a repeated group: {option!r}")
    return [spread for branch in branches for spread in _spread(anchor + branch + rest)]


def _plain_start(option: str) -> str:
    if option.startswith("\\b") and option[2:3].isalnum():
        return f"{option[2]}(?<!\\w.){option[3:]}"
    if option.startswith("^") and option[1:2].isalnum():
        return f"{option[1]}(?<![\\s\\S]{option[1]}){option[2:]}"
    if not option or option[0] in "([\\.^$|?*+{":
        raise ValueError(f"option must start with a plain character: {option!r}")
    return option


def _by_first_character(options: list[str]) -> list[str]:
    """``[ab, ac, d]`` → ``[a(?:b|c), d]``: the engine then tries one option per character of
    the message instead of every option (the matches are the same: options that start with
    different characters never match at the same place, and each group keeps its order)."""
    groups: dict[str, list[str]] = {}
    for option in options:
        if option[1:2] and option[1] in "?*+{":
            raise ValueError(f"option's first character is quantified: {option!r}")
        groups.setdefault(option[0], []).append(option[1:])
    return [_joined(first, rests) for first, rests in groups.items()]


_WORD_BOUNDARY_AFTER_FIRST = "(?<!\\w.)"  # what _plain_start puts after an option's first letter


def _joined(first: str, rests: list[str]) -> str:
    """``first`` and its options' rests as one. When every rest starts with the word-boundary
    lookbehind, it is checked once (c(?<!\\w.)(?:hest|ollapsed)): the regex engine skips an
    option that starts with a plain character cheaply, but tries a lookbehind every time."""
    if len(rests) == 1:
        return first + rests[0]
    head = _WORD_BOUNDARY_AFTER_FIRST
    if all(rest.startswith(head) for rest in rests):
        return f"{first}{head}(?:{'|'.join(rest[len(head) :] for rest in rests)})"
    return f"{first}(?:{'|'.join(rests)})"


def fast(pattern: str) -> re.Pattern[str]:
    """``pattern``, rewritten so every top-level option starts with a plain character, and
    options that start with the same character are tried as one."""
    return fast_with_starts(pattern)[0]


# Characters so common in messages (and in floods of numerals) that an option starting with
# one is tried almost everywhere: such an option starts at its second character instead and
# looks back for the first (一动不动 → 动(?<=一动)不动), when that second character is plain.
# (Not 不 or 没: a match starting after them would read as negated, 不省人事 as "not 省人事".)
COMMON = frozenset("一二三四五六七八九十两人我他她的了是在有这那就都也还又很好大小老")
_SPECIAL = frozenset("\\()[]{}?*+.^$|")


def _rare_start(option: str) -> str:
    first, second, rest = option[:1], option[1:2], option[2:]
    if first not in COMMON or not second or second in _SPECIAL or rest[:1] in ("?", "*", "+", "{"):
        return option
    return f"{second}(?<={first}{second}){rest}"


SECOND_SPREAD = 8  # at most this many options made of one by spreading its second group


def _spread_second(option: str) -> list[str]:
    """``压(?:得|到)x`` → ``[压得x, 压到x]``: the regex engine skips an option that starts with a
    plain character cheaply but enters a group every time, so after the first character too
    (a flood of 血压 tried every idiom that starts 压(?:…) at every 压). The same matches in
    the same order; not after a common first character, as _rare_start would then make
    those options start at their second."""
    first, rest = option[:1], option[1:]
    if not first or first in _SPECIAL or first in COMMON or not rest.startswith("(?:"):
        return [option]
    try:
        spread = _spread(rest)
    except ValueError:  # a repeated group: (?:ab)+
        return [option]
    if len(spread) > SECOND_SPREAD or not all(s and s[0] not in _SPECIAL for s in spread):
        return [option]
    return [first + s for s in spread]


def fast_with_starts(pattern: str) -> tuple[re.Pattern[str], frozenset[str]]:
    """fast(pattern), and the characters a match can start with: a message with none of them
    need not be searched at all."""
    options = [
        _rare_start(_plain_start(spread))
        for part in _top_level(pattern)
        for option in _spread(part)
        for spread in _spread_second(option)
    ]
    starts = frozenset(option[0] for option in options)
    return re.compile("|".join(_by_first_character(options))), starts


def _literal_head(option: str, size: int) -> str:
    """The plain characters ``option`` starts with, at most ``size`` (\\bcan'?t → can)."""
    for anchor in ("\\b", "^"):
        option = option.removeprefix(anchor)
    head = ""
    for i, char in enumerate(option[:size]):
        if char in _SPECIAL or option[i + 1 : i + 2] in ("?", "*", "+", "{"):
            break
        head += char
    return head


def literal_heads(pattern: str, size: int) -> tuple[frozenset[str], frozenset[str]]:
    """The first ``size`` characters of every option of ``pattern`` that starts with that many
    plain ones, and the first characters of the others: a message where none of the first
    is found (and none of the second) holds no match. Checking a few heads against the
    message's word starts is far cheaper than a search through a long message."""
    heads: set[str] = set()
    short: set[str] = set()
    for option in (o for part in _top_level(pattern) for o in _spread(part)):
        head = _literal_head(option, size)
        if len(head) == size:
            heads.add(head)
        else:
            short.add(_plain_start(option)[0])
    return frozenset(heads), frozenset(short)
