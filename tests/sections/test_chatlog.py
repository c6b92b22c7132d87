"""Reading a block copied from the group chat: WeChat, WeCom and Feishu copy
several messages as "name time" lines with the message below; some clients
write "name: message"."""

import pytest

from sections.chatlog import PastedLine, read_chat

WECHAT = """初七 2023-06-10 21:05
位置编码怎么选？

羡鱼 21:06
看任务长度
要外推就 RoPE
"""


def test_it_reads_wechat_s_name_and_time_lines_with_the_messages_below():
    assert read_chat(WECHAT) == [
        PastedLine("初七", "2023-06-10 21:05", "位置编码怎么选？"),
        PastedLine("羡鱼", "21:06", "看任务长度\n要外推就 RoPE"),
    ]


@pytest.mark.parametrize(
    ("header", "name", "time"),
    [
        ("Zhang San 6/10 21:05", "Zhang San", "6/10 21:05"),  # WeCom, a name with a space
        ("羡鱼 2023年6月10日 21:05", "羡鱼", "2023年6月10日 21:05"),
        ("阿九 下午9:05", "阿九", "下午9:05"),
        ("阿九 昨天 21:05:31", "阿九", "昨天 21:05:31"),  # Feishu
        ("OpenLLM 群友 2023/6/10 21:05", "OpenLLM 群友", "2023/6/10 21:05"),
    ],
)
def test_it_reads_the_time_each_app_writes(header, name, time):
    assert read_chat(f"{header}\n你好\r\n") == [PastedLine(name, time, "你好")]


def test_it_reads_name_colon_message_lines():
    block = "初七：位置编码怎么选？\n羡鱼: 看任务长度\n[21:07] 阿九: 同意"

    assert read_chat(block) == [
        PastedLine("初七", "", "位置编码怎么选？"),
        PastedLine("羡鱼", "", "看任务长度"),
        PastedLine("阿九", "21:07", "同意"),
    ]


def test_it_keeps_every_other_line_as_a_line_without_a_speaker():
    block = "https://arxiv.org/abs/2306.15595\n12:30 开始\n今天的主题是长上下文"

    assert read_chat(block) == [
        PastedLine("", "", "https://arxiv.org/abs/2306.15595"),
        PastedLine("", "", "12:30 开始"),
        PastedLine("", "", "今天的主题是长上下文"),
    ]


def test_a_name_and_time_with_no_message_below_makes_no_line():
    assert read_chat("初七 21:05\n\n") == []
