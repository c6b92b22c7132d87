"""The Markdown export, in the community's own layout."""


def render(snapshot: dict) -> bytes:
    lines = [f"# {snapshot['title']}", ""]
    for section in snapshot["sections"]:
        lines += [f"## {section['title']}", ""]
        for item in section["items"]:
            lines.append(f"- {item['title']} {item['url']}".rstrip())
        lines.append("")
    return "\n".join(lines).encode()
