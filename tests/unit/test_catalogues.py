"""The message catalogues match the code: every text the bot can show is translated, keeps its
{placeholders}, and the English UI never falls back to Chinese.

Extraction follows babel.cfg and the `messages` target of the Makefile."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "bot" / "locales"
TEMPLATE = LOCALES / "messages.pot"
# pybabel extract keeps its default keywords and adds the ones the Makefile passes with -k.
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "N_": None, "gettext": None}
FIX = "run `make messages` and translate them"

# `{name}`, `{0}`, `{age:d}`; not the escaped `{{` / `}}`.
PLACEHOLDER = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")
# Han ideographs, CJK and full-width punctuation (、。「」：（）), kana, compatibility forms.
CJK = re.compile(
    "[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f"
    "\uff00-\uffef\U00020000-\U0002fa1f]"
)


def _msgid(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _strings(message: Message) -> list[str]:
    string = message.string
    if isinstance(string, str):
        return [string]
    return list(string or ())


@cache
def code_msgids() -> frozenset[str]:
    """What `pybabel extract -F babel.cfg -k _ -k N_ -k gettext .` finds."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    # Only walk the top-level folders babel.cfg names (bot/, flows/), not .venv or node_modules.
    tops = {pattern.split("/", 1)[0] for pattern, _method in method_map}

    def wanted(dirpath: str) -> bool:
        parts = Path(dirpath).relative_to(ROOT).parts
        hidden = bool(parts) and parts[-1].startswith((".", "_"))  # as pybabel skips them
        return not hidden and (not parts or parts[0] in tops)

    found = extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=wanted
    )
    return frozenset(_msgid(message) for _file, _line, message, _comments, _ctx in found)


@cache
def catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def en() -> Catalog:
    return catalogue(LOCALES / "en" / "LC_MESSAGES" / "messages.po", "en")


def zh_cn() -> Catalog:
    return catalogue(LOCALES / "zh_CN" / "LC_MESSAGES" / "messages.po", "zh_CN")


def entries(catalog: Catalog) -> list[Message]:
    """Real messages: not the header, not obsolete (#~) ones."""
    return [message for message in catalog if message.id]


def msgids(catalog: Catalog) -> set[str]:
    return {_msgid(message.id) for message in entries(catalog)}


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def _listing(texts: set[str] | list[str]) -> str:
    return "\n".join(f"  {text!r}" for text in sorted(texts))


def test_code_has_texts_to_translate() -> None:
    assert len(code_msgids()) > 50, "extraction found almost nothing; is babel.cfg still right?"


def test_every_text_in_the_code_is_translated_to_english() -> None:
    catalog = en()
    missing, untranslated, fuzzy = set(), set(), set()
    for msgid in code_msgids():
        message = catalog.get(msgid)
        strings = [] if message is None else _strings(message)
        if message is None:
            missing.add(msgid)
        elif not strings or not all(strings):
            untranslated.add(msgid)
        elif message.fuzzy:
            fuzzy.add(msgid)
    problems = []
    if missing:
        problems.append(f"not in the en catalogue ({FIX}):\n{_listing(missing)}")
    if untranslated:
        problems.append(f"no English translation ({FIX}):\n{_listing(untranslated)}")
    if fuzzy:
        problems.append(f"marked fuzzy (check, then drop the flag):\n{_listing(fuzzy)}")
    assert not problems, "\n".join(problems)


def test_translations_keep_the_placeholders() -> None:
    wrong = []
    for catalog in (en(), zh_cn()):
        for message in entries(catalog):
            expected = placeholders(_msgid(message.id))
            for string in _strings(message):
                if string and placeholders(string) != expected:
                    wrong.append(
                        f"{catalog.locale}: {_msgid(message.id)!r} -> {string!r}: "
                        f"expected {sorted(expected.elements())}, "
                        f"got {sorted(placeholders(string).elements())}"
                    )
    assert not wrong, "placeholders changed in translation:\n" + "\n".join(wrong)


def test_english_has_no_chinese_left() -> None:
    leaks = [
        f"{_msgid(message.id)!r} -> {string!r}"
        for message in entries(en())
        for string in _strings(message)
        if CJK.search(PLACEHOLDER.sub("", string))
    ]
    assert not leaks, "Chinese text in English translations:\n" + "\n".join(leaks)


def test_zh_cn_catalogue_matches_the_template() -> None:
    template, chinese = msgids(catalogue(TEMPLATE)), msgids(zh_cn())
    assert chinese == template, (
        "zh_CN catalogue is out of step with messages.pot (run `make messages`).\n"
        f"only in the template:\n{_listing(template - chinese)}\n"
        f"only in zh_CN:\n{_listing(chinese - template)}"
    )
