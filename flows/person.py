"""Rules about a person's profile, shared by onboarding, family members in signing, settings
and the texts staff read: checking what people type, ages, priority tags, health facts.
No aiogram and no database calls here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import phonenumbers

from flows.centre import PriorityRules
from flows.forms.words import arabic_numerals
from storage.models import Pregnancy, Resident, Sex, TagSource

OLDEST_BIRTH_YEAR = 1900
NAME_MAX = 30
ADDRESS_MAX = 120


@dataclass
class ProfileDraft:
    """What onboarding has collected so far; kept in the conversation state between steps."""

    name: str | None = None
    phone: str | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    community_id: str | None = None
    address: str | None = None
    health_consent: bool = False
    conditions: list[str] = field(default_factory=list)
    pregnancy: Pregnancy | None = None
    disability: bool | None = None

    def to_state(self) -> dict[str, object]:
        return {
            "name": self.name,
            "phone": self.phone,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex.value if self.sex else None,
            "community_id": self.community_id,
            "address": self.address,
            "health_consent": self.health_consent,
            "conditions": list(self.conditions),
            "pregnancy": self.pregnancy.value if self.pregnancy else None,
            "disability": self.disability,
        }

    @classmethod
    def from_state(cls, data: dict[str, object]) -> ProfileDraft:
        birth = data.get("birth_date")
        sex = data.get("sex")
        pregnancy = data.get("pregnancy")
        conditions = data.get("conditions")
        disability = data.get("disability")
        return cls(
            name=_opt_str(data.get("name")),
            phone=_opt_str(data.get("phone")),
            birth_date=date.fromisoformat(birth) if isinstance(birth, str) else None,
            sex=Sex(sex) if isinstance(sex, str) else None,
            community_id=_opt_str(data.get("community_id")),
            address=_opt_str(data.get("address")),
            health_consent=data.get("health_consent") is True,
            conditions=[c for c in conditions if isinstance(c, str)]
            if isinstance(conditions, list)
            else [],
            pregnancy=Pregnancy(pregnancy) if isinstance(pregnancy, str) else None,
            disability=disability if isinstance(disability, bool) else None,
        )


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


# ---- checking what people type -------------------------------------------------------------


# What Telegram turns into a link or a command in a message: @mentions, /commands, URLs with
# a scheme, t.me / www. addresses, and domains (a dot, ASCII or the CJK full stops Telegram
# also reads as dots, between letters and a top-level domain). A name never needs them.
_DOTS = ".。．｡"
_LINK_IN_NAME = re.compile(
    r"[@＠/／]"
    r"|[a-z][a-z0-9+.-]*://|\b(tg|mailto|tel)\s*:"  # http://, tg:resolve, mailto: ...
    rf"|[a-z0-9-][{_DOTS}][a-z][a-z0-9-]+"  # evil.com, t.me (and J.Smith: asked again)
    rf"|[{_DOTS}](中国|中國|公司|网络|網絡|香港|台湾|台灣|在线|网址|商城|集团|手机)",
    re.IGNORECASE,
)
# Rendering a stored name to staff: the characters that make a link, swapped for look-alikes
# Telegram does not read as one (fullwidth @ and /, the middle dot used in names, a fullwidth
# colon). A dot followed by a space ("J. Smith") is left as it is.
_UNLINK = str.maketrans({"@": "＠", "/": "／", ":": "："})
_DOT_BEFORE_TEXT = re.compile(rf"[{_DOTS}](?=\S)")


def clean_name(text: str) -> str | None:
    """A person's name as typed: trimmed, no control characters, 1–30 characters, and
    nothing Telegram would turn into a link (a URL, a domain, an @mention, a /command)."""
    name = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    name = re.sub(r"\s+", " ", name)
    if not name or len(name) > NAME_MAX or not any(ch.isalpha() for ch in name):
        return None
    if name_has_link(name):
        return None
    return name


# How people introduce a name rather than just typing it: 我叫张秀兰, 他叫…, My name is …
_NAME_INTRO = re.compile(
    r"^\s*(?:(?:我|他|她|俺|本人)(?:的)?(?:名字)?(?:叫|是|叫做)|名字(?:叫|是)|姓名(?:是|叫)?[:：]?"
    r"|my name is|my name's|i am|i'm|call me|his name is|her name is|name[:：]?)\s*",
    re.IGNORECASE,
)


def without_name_intro(text: str) -> str | None:
    """The name in "我叫张秀兰" / "他叫…" / "My name is …", or None when the text has no such
    introduction (then the whole text is the name)."""
    match = _NAME_INTRO.match(text)
    if match is None or match.end() == len(text):
        return None
    return text[match.end() :].strip().rstrip("。.!！")


def name_has_link(text: str) -> bool:
    """Why clean_name refused: the text holds a URL, a domain, an @mention or a /command."""
    return _LINK_IN_NAME.search(text) is not None


def unlinkable(name: str) -> str:
    """A stored name as it may be shown to staff: whatever it holds (names stored before
    clean_name refused links included), Telegram will not make a link or a command of it."""
    return _DOT_BEFORE_TEXT.sub("·", name.translate(_UNLINK))


def clean_address(text: str) -> str | None:
    address = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    return address[:ADDRESS_MAX] if address else None


def normalise_phone(text: str) -> str | None:
    """A Chinese (or international) phone number in E.164 form, or None. Digits may be
    typed in Chinese (一三八…, 幺 for 1)."""
    digits = arabic_numerals(text).strip().replace(" ", "").replace("-", "")
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """+8613800138000 → 138 0013 8000: how people write their own number."""
    try:
        number = phonenumbers.parse(e164, "CN")
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 86
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


_DATE = re.compile(
    r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*[日号]?\s*(?:出生|生)?的?\s*$"
)


def parse_birth_date(text: str, today: date) -> date | None:
    """A typed birth date such as 1950-03-05, 1950/3/5, 1950年3月5日 or 一九五零年三月五号."""
    match = _DATE.match(arabic_numerals(text))
    if not match:
        return None
    try:
        born = date(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    return born if plausible_birth_date(born, today) else None


def plausible_birth_date(born: date, today: date) -> bool:
    return born.year >= OLDEST_BIRTH_YEAR and born <= today


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def may_be_pregnant(sex: Sex | None, born: date | None, today: date, rules: PriorityRules) -> bool:
    """Only ask about pregnancy when it can apply (women of child-bearing age, by config)."""
    youngest, oldest = rules.childbearing_ages
    return sex is Sex.FEMALE and born is not None and youngest <= age_on(born, today) <= oldest


def priority_tags(draft: ProfileDraft, today: date, rules: PriorityRules) -> list[str]:
    """Priority-population tags (重点人群) that follow from the profile."""
    tags: list[str] = []
    if draft.birth_date is not None:
        age = age_on(draft.birth_date, today)
        if age >= rules.elderly_min_age:
            tags.append("elderly")
        if age <= rules.child_max_age:
            tags.append("child")
    if draft.health_consent:
        if draft.pregnancy in (Pregnancy.PREGNANT, Pregnancy.POSTPARTUM):
            tags.append("maternal")
        if draft.disability:
            tags.append("disability")
        tags.extend(c for c in draft.conditions if c in rules.conditions)
    return tags


def in_priority_order(tags: Iterable[str], rules: PriorityRules) -> list[str]:
    """Priority groups in one order wherever they are listed: as config.yml's priority
    section gives them (older people, young children, then pregnancy and disability, then
    its conditions in its order); tags a doctor added come last."""
    order = ["elderly", "child", "maternal", "disability", *rules.conditions]
    present = set(tags)
    return [t for t in order if t in present] + sorted(present - set(order))


def is_health_tag(tag: str, rules: PriorityRules) -> bool:
    """A derived tag that tells something about health (not age): it goes with the consent."""
    return tag in ("maternal", "disability") or tag in rules.conditions


def erase_health_facts(resident: Resident, rules: PriorityRules) -> None:
    """Conditions, pregnancy, disability and the tags derived from them. Tags a doctor added
    stay: they are the doctor's record, not something told under the consent."""
    conditions = {c.code for c in resident.conditions}
    resident.conditions.clear()
    resident.pregnancy, resident.disability = None, None
    for tag in [t for t in resident.tags if t.source is TagSource.DERIVED]:
        if is_health_tag(tag.tag, rules) or tag.tag in conditions:
            resident.tags.remove(tag)
