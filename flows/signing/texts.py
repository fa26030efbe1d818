"""How signing speaks: package lines, the agreement summary, the family doctor card, the
doctor's view of a request, why a press was refused. Short lines an elderly reader takes in
at a glance."""

from __future__ import annotations

from datetime import date

from aiogram.utils.i18n import gettext as _

from flows.centre import WEEKDAYS, CentreConfig, Package
from flows.onboarding.texts import tag_labels
from flows.packages.service import (
    NotEligible,
    Offer,
    is_free,
    package_by_id,
    price_of,
    yearly_times,
)
from flows.person import age_on, unlinkable
from flows.signing.card_texts import clinic_days, staff_title
from flows.signing.cards import ClinicSlot
from flows.signing.service import DoctorChoice, SigningProblem
from flows.signing.words import RELATIONS
from flows.texts import N_, format_date, format_money, join_list, local_name
from storage.models import Contract, Relation, Resident, Sex


def relation_label(relation: Relation) -> str:
    return _(RELATIONS[relation])


def person_label(resident: Resident) -> str:
    """张秀兰（本人）"""
    return _("{name}（{relation}）").format(
        name=unlinkable(resident.name), relation=relation_label(resident.relation)
    )


def package_name(package: Package) -> str:
    return local_name(package.name, package.name_en)


def package_price(package: Package) -> str:
    """免费 / 自付 ¥120/年（医保付 ¥180）"""
    if is_free(package):
        return _("免费")
    price = price_of(package)
    return _("自付 {own}/年（医保付 {insurance}）").format(
        own=format_money(price.own), insurance=format_money(price.insurance)
    )


def package_details(package: Package) -> str:
    lines = [f"📦 {package_name(package)}", package_price(package)]
    if not is_free(package):
        lines.append(_("原价 {price}/年").format(price=format_money(package.price)))
    lines.append(_("包含："))
    lines += [
        _("• {item}，每年 {times} 次").format(
            item=local_name(i.name, i.name_en), times=yearly_times(i)
        )
        for i in package.items
    ]
    return "\n".join(lines)


def refusal_reason(offer: Offer, centre: CentreConfig) -> str:
    """Why this person cannot choose the package, in their terms (what they would need),
    not the package's name again."""
    rule = offer.package.eligibility
    reason = offer.refusal
    if reason is NotEligible.TOO_YOUNG:
        return _("满 {age} 岁才能选").format(age=rule.min_age)
    if reason is NotEligible.TOO_OLD:
        return _("{age} 岁及以下才能选").format(age=rule.max_age)
    if reason is NotEligible.PREGNANCY:
        return _("怀孕或生孩子一年内才能选")
    if reason is NotEligible.DISABILITY:
        return _("登记了残疾才能选")
    if reason is NotEligible.HEALTH_UNKNOWN:
        return _("没有记录健康情况，看不出能不能选")
    return _("有{conditions}才能选").format(conditions=_condition_names(rule.conditions, centre))


def _condition_names(codes: tuple[str, ...], centre: CentreConfig) -> str:
    return join_list(
        [local_name(c.name, c.name_en) for code in codes if (c := centre.condition(code))]
    )


def offers_text(name: str, offers: list[Offer], chosen: list[str], centre: CentreConfig) -> str:
    lines = [_("给 {name} 选服务包：").format(name=name), _("基础服务包免费，已经包含。")]
    closed = [o for o in offers if not o.eligible]
    if closed:
        lines.append("")
        lines.append(_("这些不能选："))
        # One line a reason: "高血压服务包、糖尿病服务包：没有记录健康情况…", not the
        # same words three times over.
        by_reason: dict[str, list[str]] = {}
        for offer in closed:
            by_reason.setdefault(refusal_reason(offer, centre), []).append(
                package_name(offer.package)
            )
        lines += [
            _("• {package}：{reason}").format(package=join_list(names), reason=reason)
            for reason, names in by_reason.items()
        ]
    if chosen:
        lines.append("")
        lines.append(_("已选：{names}").format(names=_chosen_names(offers, chosen)))
    return "\n".join(lines)


def _chosen_names(offers: list[Offer], chosen: list[str]) -> str:
    return join_list([package_name(o.package) for o in offers if o.package.id in chosen])


def doctor_title(choice: DoctorChoice) -> str:
    return staff_title(choice.title, choice.title_en)  # one signs with a GP


def doctor_button(choice: DoctorChoice) -> str:
    return ("⭐ " if choice.in_grid else "") + _("{name} {title} · 还能签 {left} 人").format(
        name=choice.name, title=doctor_title(choice), left=choice.places_left
    )


def doctor_card(staff_id: str, centre: CentreConfig) -> str:
    """Who the chosen doctor is, to confirm before going on: name, title, team, room and
    the days they see patients."""
    doctor, team = centre.staff(staff_id), centre.team_of(staff_id)
    if doctor is None or team is None:
        return ""
    lines = [
        _("👩‍⚕️ {name}（{title}）").format(
            name=doctor.name, title=staff_title(doctor.title, doctor.title_en, doctor.role)
        ),
        _("👥 {team}").format(team=local_name(team.name, team.name_en)),
    ]
    room = local_name(doctor.room, doctor.room_en)
    if room:
        lines.append(_("🏥 {room}").format(room=room))
    slots = [
        ClinicSlot(WEEKDAYS.index(day), h.start, h.end)
        for day, hours in doctor.schedule.items()
        for h in hours
    ]
    if slots:
        lines.append(_("🕘 坐诊时间"))
        lines += [f"  {day}" for day in clinic_days(slots)]
    return "\n".join(lines)


def agreement_summary(
    doctor: DoctorChoice,
    team_name: str,
    people: list[tuple[Resident, list[Package]]],
    term_years: int,
    centre: CentreConfig,
) -> str:
    own = sum(price_of(p).own for _r, packages in people for p in packages)
    lines = [
        _("请看一下签约内容："),
        "",
        _("👩‍⚕️ 家庭医生：{name}（{title}），{team}").format(
            name=doctor.name, title=doctor_title(doctor), team=team_name
        ),
        _("📅 期限：{years} 年，医生同意后开始").format(years=term_years),
        _("👥 签约的人和服务包："),
    ]
    lines += [
        _("• {person}：{packages}").format(
            person=person_label(r), packages=join_list([package_name(p) for p in packages])
        )
        for r, packages in people
    ]
    lines.append(
        _("💰 费用：每年自付 {own}（医保报销后），基础包免费").format(own=format_money(own))
        if own
        else _("💰 费用：全部免费")
    )
    lines += [
        _("✅ 您享有：优先预约、优先转诊、慢病长处方、随访提醒"),
        _("✖️ 想解约：随时在「签约」里点「解约」，说明原因就行"),
        "",
        _("医生会在 {days} 天内审核。").format(
            days=max(1, round(centre.contract.approval_escalate_after_hours / 24))
        ),
    ]
    return "\n".join(lines)


def request_summary(
    contract: Contract, residents: dict[int, Resident], centre: CentreConfig, today: date
) -> str:
    """What the doctor needs to decide: who, how old, which priority groups, which packages."""
    lines = [_("签约申请 #{id}").format(id=contract.id)]
    if contract.replaces_id is not None:
        lines.append(_("（从别的医生换过来）"))
    requested = contract.requested_at.astimezone(centre.zone)
    lines.append(_("提交：{date} {time:%H:%M}").format(date=format_date(requested.date()),
                                                      time=requested))  # fmt: skip
    lines.append(_("期限：{years} 年").format(years=contract.term_years))
    for member in contract.members:
        packages = join_list(
            [
                package_name(p)
                for cp in member.packages
                if (p := package_by_id(centre, cp.package_id))
            ]
        )
        lines += [
            "",
            *resident_lines(residents[member.resident_id], centre, today),
            _("  服务包：{packages}").format(packages=packages),
        ]
    return "\n".join(lines)


def resident_lines(resident: Resident, centre: CentreConfig, today: date) -> list[str]:
    """• 张秀兰（本人） · 女 · 78岁 / its priority groups: how staff see a person."""
    sex = _("男") if resident.sex is Sex.MALE else _("女")
    tags = tag_labels([t.tag for t in resident.tags], centre) or _("无")
    return [
        f"• {person_label(resident)} · {sex} · "
        + _("{age}岁").format(age=age_on(resident.birth_date, today)),
        _("  重点人群：{tags}").format(tags=tags),
    ]


def resident_button(resident: Resident, contract: Contract) -> str:
    """A line of 👥 居民: 张秀兰（本人）· 到 2027年11月22日."""
    if contract.ends_on is None:
        return person_label(resident)
    return _("{person} · 到 {end}").format(
        person=person_label(resident), end=format_date(contract.ends_on)
    )


PROBLEMS = {
    "not_allowed": N_("这个按钮不是给您的。"),
    "no_longer_assigned": N_("这户居民已经不归您的团队负责了，他们的资料不再显示。"),
    "already_covered": N_("有人已经签约或正在申请中，不能再签一次。"),
    "doctor_full": N_("这位医生的名额刚刚签满了，请换一位。"),
    "not_offered": N_("这个选项现在不能选了，请重新选一下。"),
    "state_changed": N_("情况有变化，请看最新的签约卡。"),
    "contract_replaced": N_("这个按钮是之前那份签约的，现在的签约没有改动。请看最新的签约卡。"),
    "change_limit": N_("按规定，一年只能换 {n} 次医生。"),
    "not_yet_renewable": N_("快到期时（最后 {days} 天）才能续约。"),
    "withdrawn": N_("居民已经撤回了这个申请，不用再处理了。谢谢您！"),
}


def problem_text(problem: SigningProblem, centre: CentreConfig) -> str:
    policy = centre.contract
    return _(PROBLEMS[problem.code]).format(
        n=policy.doctor_changes_per_year, days=max(policy.renewal_notice_days)
    )
