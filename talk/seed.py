"""The OpenLLM Talk series as its published issues define it (see the corpus).

Used by the demo data and by the importer when a series does not exist yet.
"""

import datetime

from django.db import transaction

from sections.models import SectionKind

from .models import SectionTemplate, Series

OPENLLM_TALK = {
    "slug": "openllm-talk",
    "name": "OpenLLM Talk",
    "origin": (
        "OpenLLM Talk 这个事情起源于 20230603 OpenLLM 交流群中大家的一场讨论，本着心动不如行动的"
        "想法，我们花了一点时间来将其落地，希望可以为大家提供一个 LLM/NLP 领域的交流平台。"
        "——我们或许不够 AI，但尽量足够 Open；我们也不知道能走多远，但尽量比自己想的更远。"
    ),
    "structure": (
        "整体上分成本周新闻、本周推荐、本周经典（可选）、本周实践（可选）、free talk 等版块，"
        "建议后续最好采用每个版块每期由 1-2 人认领+多人参与贡献+自由讨论的形式。"
    ),
    "privacy_notice": (
        "保护好你的马甲（别名）：不要在内容里提到自己或他人的真实姓名和工作单位。"
        "Protect your alias: do not mention real names or your employer."
    ),
    "notices": ("【小要求】：主持人及版块负责人认领之后尽量准时参加，其余同学可自行选择是否参与；"),
    "meeting_weekday": 5,
    "meeting_time": datetime.time(21, 0),
    "meeting_time_zone": "Asia/Shanghai",
}

OPENLLM_TALK_TEMPLATES = [
    {
        "key": "news",
        "title": "本周新闻",
        "description": (
            "LLM/AI news，包括但不限于学术、项目、工业界新闻和进展；多人认领或者直接在此添加，"
            "由 1-2 人认领并汇总；建议大家都参与进来，相互补充，尽量减少信息冗余和缺漏；"
        ),
        "time_budget_minutes": 10,
        "owner_cap": 2,
        "subgroups": ["学术", "项目", "工业界"],
        "has_suggestions": True,
    },
    {
        "key": "recommend",
        "title": "本周推荐",
        "description": "本周重点内容推荐和介绍，模型、开源项目、好的资料或课程，建议 1-3 项；",
        "time_budget_minutes": 15,
        "owner_cap": 2,
        "subgroups": ["资料", "模型", "项目", "杂项"],
        "has_nominations": True,
        "has_suggestions": True,
        "theme_label": "本期主题",
    },
    {
        "key": "classic",
        "title": "本周经典",
        "description": "NLP/LLM 领域的经典话题探讨；",
        "time_budget_minutes": 15,
        "optional": True,
        "owner_cap": 2,
        "has_nominations": True,
        "theme_label": "本周主题",
    },
    {
        "key": "practice",
        "title": "本周实践",
        "description": (
            "NLP/LLM 领域实践经验分享，可以分享自己的实践经验或者他人的实践经验，"
            "后面群里也会组织一些实践内容；"
        ),
        "time_budget_minutes": 15,
        "optional": True,
        "owner_cap": 2,
        "has_nominations": True,
        "has_suggestions": True,
    },
    {
        "key": "free-talk",
        "title": "Free Talk",
        "description": (
            "自由提问，自由讨论；在文档里提问或者在群里提问，建议尽量在此汇总；"
            "如果群里已经有比较好的讨论结果，也可以将讨论结果搬运过来；"
        ),
        "time_budget_minutes": None,
        "owner_cap": 2,
        "kind": SectionKind.QUESTIONS,
        "subgroups": ["线上讨论", "群里讨论"],
    },
    {
        "key": "chat",
        "title": "聊天区",
        "description": "会议中的聊天记录。",
        "time_budget_minutes": None,
        "owner_cap": 0,
        "kind": SectionKind.CHAT,
    },
    {
        "key": "references",
        "title": "参考资料",
        "description": "本期出现的所有链接，按出现顺序，不重复。",
        "time_budget_minutes": None,
        "owner_cap": 0,
        "kind": SectionKind.REFERENCES,
    },
]


@transaction.atomic
def ensure_openllm_talk() -> Series:
    """Create the series and its templates if missing; leave edits alone."""
    fields = dict(OPENLLM_TALK)
    series, _created = Series.objects.get_or_create(slug=fields.pop("slug"), defaults=fields)
    for position, template in enumerate(OPENLLM_TALK_TEMPLATES):
        values = dict(template)
        SectionTemplate.objects.get_or_create(
            series=series, key=values.pop("key"), defaults={**values, "position": position}
        )
    return series
