"""Diagram views -> Mermaid source, or a table when Mermaid would refuse it.

Ids are generated, every label is escaped and double-quoted, and styles come
from a fixed set of classes; no plan text reaches anything but a label.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from plangen.render.escape import md_cell, mermaid_label
from plangen.views.diagrams import Flowchart, Gantt

# Mermaid refuses diagrams over these (maxTextSize, maxEdges); keep a margin.
MAX_TEXT = 50_000
MAX_EDGES = 500

_SHAPES = {"box": ('["', '"]'), "round": ('("', '")'), "gate": ('{{"', '"}}'), "stop": ('[["', '"]]'),
           "auto": ('[/"', '"/]')}
_CLASSES = (
    "classDef phase stroke-width:2px",
    "classDef done stroke-width:2px,stroke-dasharray:0",
    "classDef gate stroke-width:1px",
    "classDef auto stroke-width:1px,stroke-dasharray:2 2",
    "classDef blocked stroke-width:3px,stroke-dasharray:5 3",
    "classDef rollback stroke-width:3px",
    "classDef live stroke-width:4px",
)
# Gantt tags per bar state; styled per state by mermaid-init.js, explained in the legend.
_TAGS = {"": "", "done": "done, ", "active": "active, ", "crit": "crit, ", "freeze": "crit, done, "}


def flowchart_source(chart: Flowchart) -> str:
    lines = [f"flowchart {chart.direction}"]
    for node in chart.nodes:
        left, right = _SHAPES[node.shape]
        lines.append(f"    {node.id}{left}{mermaid_label(node.label)}{right}")
    for edge in chart.edges:
        arrow = "-.->" if edge.dashed else "-->"
        text = f'|"{mermaid_label(edge.label)}"|' if edge.label else ""
        lines.append(f"    {edge.source} {arrow}{text} {edge.target}")
    styled = {n.style for n in chart.nodes}
    lines += [f"    {c}" for c in _CLASSES if c.split()[1] in styled]
    for style in sorted(styled & {c.split()[1] for c in _CLASSES}):
        members = ",".join(n.id for n in chart.nodes if n.style == style)
        lines.append(f"    class {members} {style}")
    return "\n".join(lines)


# Mermaid parses every date of a gantt with its one dateFormat: each moment
# is written in that format, at the precision the chart needs.
_PRECISION = {"day": ("YYYY-MM-DD", "%Y-%m-%d"), "minute": ("YYYY-MM-DD HH:mm", "%Y-%m-%d %H:%M"),
              "second": ("YYYY-MM-DD HH:mm:ss", "%Y-%m-%d %H:%M:%S")}


def _precision(moments: list[datetime]) -> str:
    if any(m.second for m in moments):
        return "second"
    return "minute" if any(m.time() != datetime.min.time() for m in moments) else "day"


def gantt_source(chart: Gantt) -> str:
    tasks = [t for s in chart.sections for t in s.tasks]
    precision = _precision([m for t in tasks for m in (t.start, t.end)])
    date_format, pattern = _PRECISION[precision]

    def when(moment: datetime) -> str:
        return moment.strftime(pattern)

    interval, axis = _ticks(min(t.start for t in tasks), max(t.end for t in tasks),
                            precision != "day") if tasks else ("", "%d %b")
    # The viewer's clock is not the build date: the as-of line is drawn as a marker instead.
    lines = ["gantt", f"    dateFormat {date_format}", f"    axisFormat {axis}", "    todayMarker off"]
    if interval:
        lines.append(f"    tickInterval {interval}")
    for section in chart.sections:
        if not section.tasks:
            continue
        lines.append(f"    section {mermaid_label(section.label, gantt=True)}")
        for task in section.tasks:
            lines.append(f"    {_task_text(task.label)} :{_TAGS[task.status]}{task.id}, {when(task.start)}, "
                         f"{when(task.end)}")
    if chart.marker is not None:
        lines.append(f"    {_task_text(chart.marker.label)} :vert, asof, {when(chart.marker.at)}, 0d")
    return "\n".join(lines)


def _ticks(first: datetime, last: datetime, hours: bool) -> tuple[str, str]:
    """A tick interval and label format that leave room for every label at
    the chart's drawing width (about 800 px: some 14 labels)."""
    days = (last - first).total_seconds() / 86400
    if hours and days <= 2:
        return ("2hour" if days <= 1 else "6hour"), "%d %b %H:%M"
    for limit, interval, axis in ((12, "1day", "%d %b"), (84, "1week", "%d %b"), (400, "1month", "%b %Y")):
        if days <= limit:
            return interval, axis
    return "3month", "%b %Y"


def _task_text(text: str) -> str:
    """A gantt line that starts with a word such as `section` or `title` is read
    as that statement; an escaped first letter keeps every task a task."""
    label = mermaid_label(text, gantt=True)
    return f"#{ord(label[0])};{label[1:]}" if label[:1].isalpha() else label


def too_big(source: str, edges: int) -> bool:
    return len(source) > MAX_TEXT or edges > MAX_EDGES


# Diagram source is machine text: kept out of the search index.
FENCE_OPEN = '``` { .mermaid data-search-exclude="" }'


def fence(source: str) -> str:
    return f"{FENCE_OPEN}\n{source}\n```"


def flowchart_table(chart: Flowchart) -> str:
    """The diagram as a numbered list of its boxes, each with the numbers of
    the boxes it leads to: every name once, so the table grows with the
    diagram, not with its links times the length of their names."""
    number = {n.id: i for i, n in enumerate(chart.nodes, 1)}
    leads: dict[str, list[str]] = {n.id: [] for n in chart.nodes}
    for e in chart.edges:
        leads[e.source].append(f"{number[e.target]}" + (f" ({md_cell(e.label)})" if e.label else ""))
    rows = ["| # | Step | Leads to |", "|--:|---|---|"]
    rows += [f"| {number[n.id]} | {md_cell(n.label)} | {', '.join(leads[n.id]) or ' '} |" for n in chart.nodes]
    return "\n".join(rows)


def _when(moment: datetime) -> str:
    """A moment for people: the day, with the time only when it has one."""
    if moment.second:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M") if moment.time() != datetime.min.time() else moment.strftime("%Y-%m-%d")


def _last(end: datetime) -> str:
    """The last day of a half-open span, or its end time when it ends within a day."""
    return (end - timedelta(days=1)).strftime("%Y-%m-%d") if end.time() == datetime.min.time() else _when(end)


def gantt_table(chart: Gantt) -> str:
    rows = ["| Section | Item | Start | End |", "|---|---|---|---|"]
    for section in chart.sections:
        for t in section.tasks:
            rows.append(f"| {md_cell(section.label)} | {md_cell(t.label)} | {_when(t.start)} | {_last(t.end)} |")
    return "\n".join(rows)
