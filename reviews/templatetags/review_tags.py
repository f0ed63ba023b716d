"""The ranking's small chart of each reviewer's points per criterion, drawn on the
server as inline SVG (no JavaScript, no library, nothing fetched)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()

WIDTH, PAD = 320, 8
TITLE_LINE, BAR_ROW, TITLE_CHARS = 16, 26, 44


def _title_lines(title: str) -> list[str]:
    """A criterion's title in full, on as many lines as it needs (by words)."""
    lines, line = [], ""
    for word in title.split():
        if line and len(line) + 1 + len(word) > TITLE_CHARS:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines or [title]


@register.simple_tag
def score_chart(row, criteria):
    """Per criterion: its title in full, then a line from 0 to its maximum with a dot per
    reviewer's points and a tick at the mean; criteria where reviewers differ beyond
    the panel's spread in red."""
    reviewers = list(row.entry.scores.values())
    if not reviewers or not criteria:
        return ""
    scale = WIDTH - PAD * 2
    lines = []
    top = PAD
    for criterion in criteria:
        titles = _title_lines(criterion.title)
        y = top + TITLE_LINE * len(titles) + BAR_ROW // 2
        disputed = row.disagreements.get(criterion.id)
        colour = "#9b1c1c" if disputed else "#1d4467"
        points = [r[criterion.id] for r in reviewers if criterion.id in r]
        dots = format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="5" fill="{}" opacity=".75"><title>{}</title></circle>',
            (
                (
                    round(PAD + float(p) / criterion.max_points * scale, 1),
                    y,
                    colour,
                    _("Reviewer %(n)s: %(points)s of %(max)s")
                    % {"n": n, "points": p, "max": criterion.max_points},
                )
                for n, p in enumerate(points, 1)
            ),
        )
        mean = row.criterion_means.get(criterion.id)
        tick = (
            format_html(
                '<line x1="{x}" x2="{x}" y1="{a}" y2="{b}" stroke="#3d4249" stroke-width="2"/>',
                x=round(PAD + float(mean) / criterion.max_points * scale, 1),
                a=y - 8,
                b=y + 8,
            )
            if mean is not None
            else ""
        )
        text = format_html_join(
            "",
            '<text x="{}" y="{}" font-size="13" fill="{}">{}</text>',
            (
                (PAD, top + TITLE_LINE * (n + 1) - 3, colour, title)
                for n, title in enumerate(titles)
            ),
        )
        lines.append(
            format_html(
                '{text}<line x1="{x0}" x2="{x1}" y1="{y}" y2="{y}" stroke="#bdb8ae"/>{tick}{dots}',
                text=text,
                x0=PAD,
                x1=PAD + scale,
                y=y,
                tick=tick,
                dots=dots,
            )
        )
        top += TITLE_LINE * len(titles) + BAR_ROW
    height = top + PAD
    return format_html(
        '<svg class="score-chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}">{body}</svg>',
        w=WIDTH,
        h=height,
        label=_("Each reviewer's points per criterion for %(bid)s; red where they disagree.")
        % {"bid": row.entry.label},
        body=format_html_join("", "{}", ((line,) for line in lines)),
    )
