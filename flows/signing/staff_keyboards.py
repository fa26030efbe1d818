"""The doctor's side of signing: the queue of requests, agree / decline (with a reason),
the signed residents page by page, each opening to that resident's card."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from flows.menu.callbacks import BackToMenu
from flows.signing.callbacks import Decide, ResidentsPage, Review, StaffResident
from flows.signing.reasons import REJECT_REASONS, WRITTEN

Rows = list[list[InlineKeyboardButton]]
WRITE = "write"  # the Decide verdict that asks the doctor to type a reason


def _menu_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=_("🏠 回主菜单"), callback_data=BackToMenu().pack())]


def _markup(rows: Rows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def review_button(contract_id: int, label: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=Review(contract_id=contract_id).pack())


def queue_keyboard(items: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    return _markup([[review_button(cid, label)] for cid, label in items] + [_menu_row()])


def _decide(text: str, contract_id: int, verdict: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=Decide(contract_id=contract_id, verdict=verdict).pack()
    )


def decision_keyboard(contract_id: int) -> InlineKeyboardMarkup:
    return _markup(
        [
            [_decide(_("✅ 同意"), contract_id, "yes"), _decide(_("❌ 不同意"), contract_id, "no")],
            [_decide(_("📇 看签约卡"), contract_id, "card")],
        ]
    )


def card_link_for_staff(contract_id: int) -> InlineKeyboardMarkup:
    return _markup([[_decide(_("📇 看签约卡"), contract_id, "card")], _menu_row()])


def reject_reasons_keyboard(contract_id: int) -> InlineKeyboardMarkup:
    rows: Rows = [
        [_decide(_(REJECT_REASONS.label(r)), contract_id, r)] for r in REJECT_REASONS.offered
    ]
    rows.append([_decide(_("✏️ 自己写原因"), contract_id, WRITE)])
    rows.append([review_button(contract_id, _("⬅️ 返回"))])
    return _markup(rows)


def back_to_request_keyboard(contract_id: int) -> InlineKeyboardMarkup:
    return _markup([[review_button(contract_id, _("⬅️ 返回申请"))]])


def send_written_reason_keyboard(contract_id: int) -> InlineKeyboardMarkup:
    return _markup(
        [
            [_decide(_("✅ 确定，发给居民"), contract_id, WRITTEN)],
            [_decide(_("✏️ 重写"), contract_id, WRITE)],
            [review_button(contract_id, _("⬅️ 返回申请"))],
        ]
    )


def _page(text: str, page: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=ResidentsPage(page=page).pack())


def residents_keyboard(items: list[tuple[int, str]], page: int, more: bool) -> InlineKeyboardMarkup:
    """👥 居民: a button per resident (resident id, label), then the pages around."""
    rows: Rows = [
        [InlineKeyboardButton(text=label, callback_data=StaffResident(resident_id=rid).pack())]
        for rid, label in items
    ]
    pages = ([_page(_("◀️ 上一页"), page - 1)] if page > 0 else []) + (
        [_page(_("下一页 ▶️"), page + 1)] if more else []
    )
    if pages:
        rows.append(pages)
    rows.append(_menu_row())
    return _markup(rows)


def resident_back_keyboard() -> InlineKeyboardMarkup:
    return _markup([[_page(_("⬅️ 返回居民列表"), 0)], _menu_row()])
