"""Longer onboarding texts: the privacy notice, the profile summary, priority tags."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from aiogram.utils.i18n import gettext as _

from flows.centre import CentreConfig
from flows.person import ProfileDraft, age_on, display_phone, in_priority_order
from flows.texts import format_date, join_list, local_name
from storage.models import Pregnancy, Sex


def privacy_summary(centre: CentreConfig) -> str:
    return _(
        "欢迎使用{centre}家庭医生服务。\n\n"
        "登记前请您了解：\n"
        "• 我们会记下您的姓名、手机号、出生日期、住址，用来给您签约家庭医生、预约和提醒。\n"
        "• 这些信息加密保存，只有您的家庭医生团队能看。\n"
        "• 您随时可以查看、修改、删除自己的信息。\n\n"
        "同意的话请点「同意，继续」。（说明版本 {version}）"
    ).format(
        centre=local_name(centre.centre.name, centre.centre.name_en),
        version=centre.privacy.notice_version,
    )


def full_privacy_notice(centre: CentreConfig) -> str:
    return _(
        "个人信息保护说明（版本 {version}）\n\n"
        "1. 谁在处理：{centre}（地址：{address}，电话：{phone}）。\n"
        "2. 收集什么：姓名、手机号、出生日期、性别、社区和地址；"
        "经您另外同意后，才收集慢病、怀孕、残疾、血压血糖等健康信息。\n"
        "3. 做什么用：家庭医生签约、预约、用药和随访提醒、回答您的提问。"
        "不做广告，不卖给任何人。\n"
        "4. 谁能看：只有您签约的家庭医生团队；每次查看都有记录。"
        "家人要看，需要您另外授权，并可随时收回。\n"
        "5. 怎么保存：加密保存在中心的服务器上，签约结束后按规定期限保存，到期删除。\n"
        "6. 您的权利：查看、复制、更正、删除您的信息，撤回同意。"
        "在「设置」里可以办，或打中心电话。\n"
        "7. 不同意的后果：不同意本说明，我们无法为您登记；"
        "不同意健康信息，仍可登记，只是不能用慢病管理和提醒。"
    ).format(
        version=centre.privacy.notice_version,
        centre=local_name(centre.centre.name, centre.centre.name_en),
        address=centre.centre.address,
        phone=centre.centre.phone,
    )


def tag_label(tag: str, centre: CentreConfig) -> str:
    condition = centre.condition(tag)
    if condition is not None:
        return _("{condition}患者").format(condition=local_name(condition.name, condition.name_en))
    labels = {
        "elderly": _("{age}岁及以上老人").format(age=centre.priority.elderly_min_age),
        "child": _("0–{age}岁儿童").format(age=centre.priority.child_max_age),
        "maternal": _("孕产妇"),
        "disability": _("残疾人"),
    }
    return labels.get(tag, tag)


def tag_labels(tags: Iterable[str], centre: CentreConfig) -> str:
    """65岁及以上老人、高血压患者: in the one order priority groups are listed in."""
    return join_list([tag_label(t, centre) for t in in_priority_order(tags, centre.priority)])


def tags_sentence(tags: list[str], centre: CentreConfig) -> str:
    if not tags:
        return ""
    labels = tag_labels(tags, centre)
    return "\n\n" + _("按照规定，您可以优先签约和预约（{labels}）。").format(labels=labels)


def profile_summary(draft: ProfileDraft, centre: CentreConfig, today: date) -> str:
    lines = [_("请核对您的资料：")]
    lines.append(_("姓名：{name}").format(name=draft.name or "—"))
    phone = display_phone(draft.phone) if draft.phone else "—"
    lines.append(_("手机：{phone}").format(phone=phone))
    if draft.birth_date is not None:
        lines.append(
            _("出生：{date}（{age}岁）").format(
                date=format_date(draft.birth_date), age=age_on(draft.birth_date, today)
            )
        )
    if draft.sex is not None:
        lines.append(_("性别：{sex}").format(sex=_("男") if draft.sex is Sex.MALE else _("女")))
    community = centre.community(draft.community_id or "")
    if community is not None:
        lines.append(
            _("社区：{community}").format(community=local_name(community.name, community.name_en))
        )
    if draft.address:
        lines.append(_("地址：{address}").format(address=draft.address))
    if draft.health_consent:
        names = [
            local_name(c.name, c.name_en) for c in centre.conditions if c.code in draft.conditions
        ]
        lines.append(_("慢病：{names}").format(names=join_list(names) if names else _("没有")))
        if draft.pregnancy in (Pregnancy.PREGNANT, Pregnancy.POSTPARTUM):
            lines.append(
                _("怀孕：{status}").format(
                    status=_("怀孕中") if draft.pregnancy is Pregnancy.PREGNANT else _("产后一年内")
                )
            )
        if draft.disability:
            lines.append(_("残疾：有"))
    return "\n".join(lines)
