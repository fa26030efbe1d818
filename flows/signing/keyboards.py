"""Signing keyboards: large buttons, one action each, always a way back."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.menu.callbacks import BackToMenu
from flows.packages.service import Offer, choosable
from flows.signing.callbacks import (
    CancelWhy,
    CardAction,
    ChangeTo,
    Family,
    PackageInfo,
    Withdraw,
    Wizard,
)
from flows.signing.reasons import CANCEL_REASONS
from flows.signing.service import FAMILY_RELATIONS, DoctorChoice
from flows.signing.texts import (
    doctor_button,
    package_name,
    package_price,
    person_label,
    relation_label,
)
from storage.models import Resident

Rows = list[list[InlineKeyboardButton]]


def _wizard(text: str, step: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=Wizard(step=step, value=value).pack())


def family_button(text: str, step: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=Family(step=step, value=value).pack())


def _action(text: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=CardAction(action=action).pack())


def _menu_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=_("🏠 回主菜单"), callback_data=BackToMenu().pack())]


def _markup(rows: Rows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def intro_keyboard() -> InlineKeyboardMarkup:
    return _markup(
        [
            [_action(_("📝 开始签约"), "start")],
            [_action(_("📦 看服务包"), "packages")],
            _menu_row(),
        ]
    )


def packages_keyboard(centre: CentreConfig, signed: bool) -> InlineKeyboardMarkup:
    rows: Rows = [
        [
            InlineKeyboardButton(
                text=f"{package_name(p)} · {package_price(p)}",
                callback_data=PackageInfo(package_id=p.id).pack(),
            )
        ]
        for p in centre.packages
    ]
    if not signed:
        rows.append([_action(_("📝 开始签约"), "start")])
    rows.append(_menu_row())
    return _markup(rows)


def package_back_keyboard() -> InlineKeyboardMarkup:
    return _markup([[_action(_("⬅️ 返回服务包列表"), "packages")], _menu_row()])


def members_keyboard(
    people: list[tuple[Resident, bool]], chosen: list[int], can_add: bool
) -> InlineKeyboardMarkup:
    """Who to sign for: tap to choose; people already covered are marked and not offered."""
    rows: Rows = []
    for resident, covered in people:
        label = person_label(resident)
        if covered:
            rows.append([_wizard(_("{person}·已签约").format(person=label), "who", "covered")])
        else:
            mark = "✅ " if resident.id in chosen else "⬜ "
            rows.append([_wizard(mark + label, "who", str(resident.id))])
    if can_add:
        rows.append([_wizard(_("➕ 添加家人"), "who", "add")])
    if chosen:
        rows.append([_wizard(_("✔️ 选好了，下一步"), "who", "done")])
    rows.append(_menu_row())
    return _markup(rows)


def doctors_keyboard(choices: list[DoctorChoice], waitlist: bool) -> InlineKeyboardMarkup:
    rows: Rows = [[_wizard(doctor_button(c), "doctor", c.staff_id)] for c in choices]
    if waitlist:
        rows.append([_action(_("🕒 排队等空位"), "waitlist")])
    rows.append([_wizard(_("⬅️ 上一步"), "doctor", "back")])
    return _markup(rows)


def doctor_ok_keyboard() -> InlineKeyboardMarkup:
    return _markup(
        [
            [_wizard(_("✅ 就选这位医生"), "doctor_ok", "yes")],
            [_wizard(_("⬅️ 换一位"), "doctor_ok", "back")],
        ]
    )


def offers_keyboard(offers: list[Offer], chosen: list[str]) -> InlineKeyboardMarkup:
    rows: Rows = []
    for offer in offers:
        if not choosable(offer):
            continue
        mark = "✅ " if offer.package.id in chosen else "⬜ "
        label = f"{mark}{package_name(offer.package)} · {package_price(offer.package)}"
        rows.append([_wizard(label, "pkg", offer.package.id)])
    rows.append([_wizard(_("✔️ 选好了，下一步"), "pkg", "done")])
    rows.append([_wizard(_("⬅️ 上一步"), "pkg", "back")])
    return _markup(rows)


def term_keyboard(terms: tuple[int, ...], default: int) -> InlineKeyboardMarkup:
    buttons = [
        _wizard(("⭐ " if t == default else "") + _("{years} 年").format(years=t), "term", str(t))
        for t in terms
    ]
    return _markup([buttons, [_wizard(_("⬅️ 上一步"), "term", "back")]])


def confirm_keyboard() -> InlineKeyboardMarkup:
    return _markup(
        [
            [_wizard(_("✅ 确认签约"), "confirm", "yes")],
            [_wizard(_("⬅️ 上一步"), "confirm", "back")],
            [_wizard(_("✖️ 先不签了"), "confirm", "no")],
        ]
    )


def _more_row(full: bool) -> Rows:
    return [] if full else [[_action(_("📋 更多"), "more")]]


def _withdraw(text: str, contract_id: int, sure: bool = False) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=Withdraw(contract_id=contract_id, sure=sure).pack()
    )


def card_keyboard(renewable: bool, change_id: int | None, full: bool) -> InlineKeyboardMarkup:
    """`change_id`: a pending change of doctor, which can be taken back."""
    # Near the end, renewing is what matters most: it comes before "更多".
    rows: Rows = [[_action(_("🔄 一键续约"), "renew")]] if renewable else []
    rows += _more_row(full)
    if change_id is None:
        rows.append([_action(_("👩‍⚕️ 换医生"), "change")])
    else:
        rows.append([_withdraw(_("↩️ 不换医生了"), change_id)])
    rows.append([_action(_("✖️ 解约"), "cancel")])
    rows.append([_action(_("📦 看服务包"), "packages")])
    rows.append(_menu_row())
    return _markup(rows)


def pending_keyboard(contract_id: int, full: bool) -> InlineKeyboardMarkup:
    rows: Rows = _more_row(full)
    rows.append([_withdraw(_("↩️ 撤回申请"), contract_id)])
    rows.append([_action(_("📦 看服务包"), "packages")])
    rows.append(_menu_row())
    return _markup(rows)


def withdraw_sure_keyboard(contract_id: int) -> InlineKeyboardMarkup:
    return _markup(
        [
            [_withdraw(_("✅ 确定撤回"), contract_id, sure=True)],
            [_action(_("⬅️ 不撤回"), "card")],
        ]
    )


def submitted_keyboard() -> InlineKeyboardMarkup:
    """After a request is sent: what was asked for, or the menu; nothing to sign again."""
    return _markup([[_action(_("📇 看我的申请"), "card")], _menu_row()])


def change_keyboard(choices: list[DoctorChoice], contract_id: int) -> InlineKeyboardMarkup:
    rows: Rows = [
        [
            InlineKeyboardButton(
                text=doctor_button(c),
                callback_data=ChangeTo(staff_id=c.staff_id, contract_id=contract_id).pack(),
            )
        ]
        for c in choices
    ]
    rows.append([_action(_("⬅️ 返回"), "card")])
    return _markup(rows)


def change_sure_keyboard(staff_id: str, contract_id: int) -> InlineKeyboardMarkup:
    return _markup(
        [
            [
                InlineKeyboardButton(
                    text=_("✅ 确定换"),
                    callback_data=ChangeTo(
                        staff_id=staff_id, sure=True, contract_id=contract_id
                    ).pack(),
                )
            ],
            [_action(_("⬅️ 不换了"), "card")],
        ]
    )


def cancel_reasons_keyboard(contract_id: int) -> InlineKeyboardMarkup:
    rows: Rows = [
        [
            InlineKeyboardButton(
                text=_(CANCEL_REASONS.label(r)),
                callback_data=CancelWhy(reason=r, contract_id=contract_id).pack(),
            )
        ]
        for r in CANCEL_REASONS.offered
    ]
    rows.append([_action(_("⬅️ 不解约了"), "card")])
    return _markup(rows)


def cancel_sure_keyboard(reason: str, contract_id: int) -> InlineKeyboardMarkup:
    return _markup(
        [
            [
                InlineKeyboardButton(
                    text=_("确定解约"),
                    callback_data=CancelWhy(
                        reason=reason, sure=True, contract_id=contract_id
                    ).pack(),
                )
            ],
            [_action(_("⬅️ 不解约了"), "card")],
        ]
    )


def card_link_keyboard() -> InlineKeyboardMarkup:
    return _markup([[_action(_("📇 看签约卡"), "card")], _menu_row()])


# ---- family members -------------------------------------------------------------------------


def relation_keyboard() -> InlineKeyboardMarkup:
    buttons = [family_button(relation_label(r), "relation", r.value) for r in FAMILY_RELATIONS]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([family_button(_("⬅️ 不加了"), "relation", "back")])
    return _markup(rows)


def family_name_keyboard(suggestion: str) -> InlineKeyboardMarkup:
    return _markup(
        [
            [family_button(_("先写「{name}」").format(name=suggestion), "name", "relation")],
            [family_button(_("⬅️ 上一步"), "name", "back")],
        ]
    )


def family_health_keyboard() -> InlineKeyboardMarkup:
    return _markup(
        [
            [family_button(_("✅ 记录（家人已同意）"), "health", "yes")],
            [family_button(_("不记录"), "health", "no")],
            [family_button(_("⬅️ 上一步"), "health", "back")],
        ]
    )
