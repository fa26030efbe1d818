"""Shared wording helpers for every slice: marking texts for translation, dates as people
read them, and names of things from config.yml in the user's language."""

from __future__ import annotations

from datetime import date

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from babel.dates import get_month_names

from flows.catalogue import N_

__all__ = [
    "LANGUAGE_PROMPT",
    "N_",
    "current_language",
    "format_date",
    "format_money",
    "join_list",
    "local_name",
    "month_name",
]

# Not strftime's %b: that follows the process's C locale, not the reader's language.
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Shown before anyone has picked a language, so it speaks both.
LANGUAGE_PROMPT = "请选择语言\nPlease choose your language"


def current_language() -> str:
    return get_i18n().current_locale


def local_name(zh: str, en: str) -> str:
    """Names from config.yml come with a Chinese and an English form."""
    return en if current_language() == "en" and en else zh


def format_date(day: date, locale: str | None = None) -> str:
    """The one way a day is written: 2026年3月5日 / 5 Mar 2026 (chat texts and notices)."""
    if (locale or current_language()) == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def format_money(amount: float) -> str:
    """Yuan with two decimals in every language: ¥120.00."""
    return f"¥{amount:,.2f}"


def month_name(month: int) -> str:
    """3 → 3月 / Mar, from the CLDR data Babel ships."""
    return str(get_month_names("abbreviated", locale=current_language())[month])


def join_list(items: list[str]) -> str:
    """高血压、糖尿病 / Hypertension, Diabetes."""
    return _("、").join(items)
