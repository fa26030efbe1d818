"""What a red flag is called and the one line of first aid that goes with it, per category of
nlu/triage/categories.yml (the same published sources). Never a diagnosis: the person hears
"this may be dangerous, call 120", then what to do while they wait."""

from __future__ import annotations

from collections.abc import Iterable

from flows.catalogue import N_

CATEGORY_NAMES = {
    "unconscious": N_("昏迷、叫不醒"),
    "breathing": N_("严重呼吸困难"),
    "child_breathing": N_("孩子呼吸困难"),
    "convulsion": N_("抽搐"),
    "chest_pain": N_("急性胸痛"),
    "stroke": N_("中风迹象"),
    "anaphylaxis": N_("严重过敏"),
    "bleeding": N_("大出血"),
    "gi_bleeding": N_("吐血或便血"),
    "self_harm": N_("有轻生危险"),
    "poisoning": N_("中毒或吃错药"),
    "obstetric": N_("孕期危险信号"),
    "infant_fever": N_("小婴儿发烧"),
    "meningitis_sepsis": N_("发烧伴危险信号"),
    "head_injury": N_("头部摔伤后危险信号"),
    "glucose": N_("血糖危急"),
    "bp_crisis": N_("血压很高"),
    "fall": N_("摔倒后起不来"),
    "distress": N_("紧急呼救"),
}

FIRST_AID = {
    "unconscious": N_("让他侧躺，别喂水喂药；没有呼吸的话，照 120 电话里说的做胸外按压。"),
    "breathing": N_("让他坐起来、身子前倾，解开领口；噎住说不出话，就用海姆立克法。"),
    "child_breathing": N_("把孩子竖着抱起来，别喂吃的喝的，让他安静地靠着您。"),
    "convulsion": N_("挪开他身边的硬东西，让他侧躺，别往嘴里塞东西，记下抽了多久。"),
    "chest_pain": N_("让他马上停下，坐着或半躺，别走动，别吃东西喝水。"),
    "stroke": N_("记下发病的时间，让他躺下、头偏向一侧，别喂水喂药。"),
    "anaphylaxis": N_(
        "停掉可疑的食物或药；有肾上腺素笔就马上用；让他躺平、抬高双腿，喘不上气就坐起来。"
    ),
    "bleeding": N_("用干净的布用力按住伤口，别松手；流鼻血就身子前倾，捏紧鼻子。"),
    "gi_bleeding": N_("让他侧躺，免得呛着，别吃东西喝水；吐的、拉的东西留给医生看。"),
    "self_harm": N_("请马上找身边的人陪着，别一个人待着；把药、刀、绳子这些东西拿开。"),
    "poisoning": N_("带上药盒、药瓶或农药瓶给医生看，别自己催吐；煤气中毒先开窗，把人移到外面。"),
    "obstetric": N_("马上左侧躺下，别自己走动，带上产检本。"),
    "infant_fever": N_("解开包被，别给宝宝捂汗，别自己喂退烧药。"),
    "meningitis_sepsis": N_("记下发烧和出疹子的时间，告诉急救医生；别自己喂药。"),
    "head_injury": N_("让他躺着别动，别给吃的喝的，留意他是不是越来越想睡、叫不醒。"),
    "glucose": N_("人还清醒、能咽东西的，先吃几块糖或喝半杯甜饮料；叫不醒就别喂。"),
    "bp_crisis": N_("坐下或躺下休息，别走动，别自己多吃降压药。"),
    "fall": N_("别急着把他拉起来，盖上衣服保暖，等人来帮忙。"),
    "distress": N_("说清楚地址和出了什么事，打开家门，留人在身边。"),
}

QUOTE_LIMIT = 200  # characters of the person's words quoted in the care team's alert


def first_aid_for(categories: Iterable[str]) -> str | None:
    """The line for the most urgent category (the table's order), if it has one."""
    return next((FIRST_AID[c] for c in categories if c in FIRST_AID), None)


def quoted(words: str) -> str:
    """The person's words for the alert: one line, cut at QUOTE_LIMIT characters."""
    line = " ".join(words.split())
    return line if len(line) <= QUOTE_LIMIT else line[: QUOTE_LIMIT - 1] + "…"
