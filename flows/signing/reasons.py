"""Why a contract ended or a request was turned down: one table per kind, each code with the
words a person reads (catalogue ids, shown through gettext). The service checks codes
against it, the keyboards offer its choices and notices word the stored code from it."""

from __future__ import annotations

from dataclasses import dataclass

from flows.catalogue import N_


@dataclass(frozen=True)
class Reason:
    code: str  # stored in contracts.reason
    label: str  # catalogue id
    # A person may pick it as a button; False: the service sets it (withdrawn), or it comes
    # only with the person's own words (written, checked by the service).
    offered: bool = True


class Reasons:
    """An ordered table of reasons; `offered` are the choices a person is given."""

    def __init__(self, *reasons: Reason, fallback: str) -> None:
        self._by_code = {r.code: r for r in reasons}
        self._fallback = fallback

    @property
    def offered(self) -> tuple[str, ...]:
        return tuple(code for code, r in self._by_code.items() if r.offered)

    def may_choose(self, code: str) -> bool:
        reason = self._by_code.get(code)
        return reason is not None and reason.offered

    def label(self, code: str) -> str:
        """The words for a stored code; an unknown one (an old row) reads as the fallback."""
        return (self._by_code.get(code) or self._by_code[self._fallback]).label


# Recorded on a request its household took back (a change of doctor made moot by cancelling
# is recorded so too): only the service sets it, nobody picks it.
WITHDRAWN = "withdrawn"
# The doctor's own words (kept encrypted in contracts.reason_note and sent as written): picked
# through ✏️ 自己写原因 together with the words, never as a button by itself.
WRITTEN = "written"

# Why a doctor may turn a request down.
REJECT_REASONS = Reasons(
    Reason("outside_area", N_("不在服务范围")),
    Reason("full", N_("名额已满")),
    Reason("incomplete", N_("资料不全，请到中心补充")),
    Reason("other", N_("其他原因，请打电话问中心")),
    Reason(WITHDRAWN, N_("已撤回"), offered=False),
    Reason(WRITTEN, N_("医生写的原因"), offered=False),
    fallback="other",
)

# Why a resident may cancel; "changed_doctor" is set when a change of doctor ends a contract.
CANCEL_REASONS = Reasons(
    Reason("moved", N_("搬家了")),
    Reason("other_centre", N_("想去别的机构签约")),
    Reason("unhappy", N_("对服务不满意")),
    Reason("other", N_("其他原因")),
    Reason("changed_doctor", N_("换了医生"), offered=False),
    fallback="other",
)
