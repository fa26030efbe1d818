"""Words for the codes signing stores (relations, states, roles; reasons are
in reasons.py), as catalogue ids.
Plain data, so rules and notices can use them without aiogram; shown through gettext."""

from __future__ import annotations

from flows.catalogue import N_
from storage.models import ContractState, Relation, StaffRole

RELATIONS = {
    Relation.SELF: N_("本人"),
    Relation.SPOUSE: N_("老伴"),
    Relation.FATHER: N_("父亲"),
    Relation.MOTHER: N_("母亲"),
    Relation.SON: N_("儿子"),
    Relation.DAUGHTER: N_("女儿"),
    Relation.GRANDCHILD: N_("孙辈"),
    Relation.OTHER: N_("其他家人"),
}
STATES = {
    ContractState.REQUESTED: N_("⏳ 等医生审核"),
    ContractState.ACTIVE: N_("✅ 已签约"),
    ContractState.REJECTED: N_("未通过"),
    ContractState.EXPIRED: N_("已到期"),
    ContractState.CANCELLED: N_("已解约"),
    ContractState.RENEWED: N_("已续约"),
}
ROLES = {
    StaffRole.GP: N_("全科医生"),
    StaffRole.NURSE: N_("护士"),
    StaffRole.PUBLIC_HEALTH: N_("公卫医师"),
    StaffRole.ASSISTANT: N_("医生助理"),
}
