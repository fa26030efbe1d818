"""How the family doctor card (签约卡) reads: three lines first (who, until when, where),
then on "更多" the clinic hours by day, the team, each person's packages and the cost."""

from __future__ import annotations

from itertools import groupby

from aiogram.utils.i18n import gettext as _
from babel.dates import get_day_names

from flows.person import unlinkable
from flows.signing.cards import ClinicSlot, ContractCard
from flows.signing.words import RELATIONS, ROLES, STATES
from flows.texts import current_language, format_date, format_money, join_list, local_name
from storage.models import StaffRole


def staff_title(title: str, title_en: str, role: StaffRole = StaffRole.GP) -> str:
    """主治医师 / Attending physician; an English reader without `title_en` in config.yml
    gets the post's name (GP, nurse) rather than Chinese."""
    if current_language() == "en":
        return title_en or _(ROLES[role])
    return title or _(ROLES[role])


def weekday_name(weekday: int) -> str:
    """0 → 周一 / Mon, from the CLDR data Babel ships."""
    return str(get_day_names("abbreviated", locale=current_language())[weekday])


def clinic_days(hours: list[ClinicSlot]) -> list[str]:
    """One line a day: 周一 08:30-11:30、14:00-17:00."""
    ordered = sorted(hours, key=lambda h: (h.weekday, h.start))
    return [
        _("{day} {times}").format(
            day=weekday_name(day),
            times=join_list([f"{h.start:%H:%M}-{h.end:%H:%M}" for h in slots]),
        )
        for day, slots in groupby(ordered, key=lambda h: h.weekday)
    ]


def card_summary(card: ContractCard, *, for_staff: bool = False) -> str:
    """Three lines: the doctor, the state and term, the room and team."""
    title = staff_title(card.doctor_title, card.doctor_title_en)  # a family doctor is a GP
    heading = (
        _("📇 家庭医生：{name}（{title}）")
        if for_staff
        else _("📇 我的家庭医生：{name}（{title}）")
    )
    if card.starts_on and card.ends_on:
        term = _("{state} · {start} 至 {end}").format(
            state=_(STATES[card.state]),
            start=format_date(card.starts_on),
            end=format_date(card.ends_on),
        )
    else:
        term = _("{state} · {years} 年，医生同意后开始").format(
            state=_(STATES[card.state]), years=card.term_years
        )
    room = local_name(card.room, card.room_en) or _("诊室请问中心前台")
    where = _("🏥 {room} · {team}").format(
        room=room, team=local_name(card.team_name, card.team_name_en)
    )
    return "\n".join([heading.format(name=card.doctor_name, title=title), term, where])


def card_details(card: ContractCard) -> str:
    """What "更多" adds under the summary."""
    lines: list[str] = []
    if card.hours:
        lines.append(_("🕘 坐诊时间"))
        lines += [f"  {day}" for day in clinic_days(card.hours)]
    mates = [_("{name}（{role}）").format(name=m.name, role=_(ROLES[m.role])) for m in card.team]
    lines.append(_("👥 团队成员"))
    lines.append("  " + join_list(mates))
    for member in card.members:
        lines.append("")
        lines.append(
            _("【{name}·{relation}】").format(
                name=unlinkable(member.name), relation=_(RELATIONS[member.relation])
            )
        )
        for use in member.packages:
            lines.append(f"📦 {local_name(use.package.name, use.package.name_en)}")
            lines += [
                _("  {item} {included} 次，已用 {used} 次").format(
                    item=local_name(e.item.name, e.item.name_en), included=e.included, used=e.used
                )
                for e in use.entitlements
            ]
    if card.own_share_per_year:
        lines.append("")
        lines.append(_("💰 每年自付 {own}").format(own=format_money(card.own_share_per_year)))
    return "\n".join(lines)


def card_text(card: ContractCard, *, full: bool, for_staff: bool = False) -> str:
    """The summary (as the resident first sees it), or the whole card."""
    summary = card_summary(card, for_staff=for_staff)
    return summary + "\n\n" + card_details(card) if full else summary
