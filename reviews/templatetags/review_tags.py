"""The ranking's small chart of each reviewer's points per criterion, drawn on the
server as inline SVG (no JavaScript, no library, nothing fetched)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()

WIDTH, LABEL, ROW, PAD = 320, 120, 22, 8


@register.simple_tag
def score_chart(row, criteria):
    """One line per criterion from 0 to its maximum, a dot per reviewer's points, a tick
    at the mean; criteria where reviewers differ beyond the panel's spread in red."""
    reviewers = list(row.entry.scores.values())
    if not reviewers or not criteria:
        return ""
    scale = WIDTH - LABEL - PAD * 2
    height = ROW * len(criteria) + PAD
    lines = []
    for i, criterion in enumerate(criteria):
        y = PAD + i * ROW + ROW // 2
        disputed = row.disagreements.get(criterion.id)
        colour = "#9b1c1c" if disputed else "#1d4467"
        points = [r[criterion.id] for r in reviewers if criterion.id in r]
        dots = format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="4" fill="{}" opacity=".75"><title>{}</title></circle>',
            (
                (
                    round(LABEL + PAD + float(p) / criterion.max_points * scale, 1),
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
                x=round(LABEL + PAD + float(mean) / criterion.max_points * scale, 1),
                a=y - 7,
                b=y + 7,
            )
            if mean is not None
            else ""
        )
        title = criterion.title if len(criterion.title) <= 18 else criterion.title[:17] + "…"
        lines.append(
            format_html(
                '<text x="0" y="{ty}" font-size="11" fill="{c}">{t}</text>'
                '<line x1="{x0}" x2="{x1}" y1="{y}" y2="{y}" stroke="#bdb8ae"/>{tick}{dots}',
                ty=y + 4,
                c=colour,
                t=title,
                x0=LABEL + PAD,
                x1=LABEL + PAD + scale,
                y=y,
                tick=tick,
                dots=dots,
            )
        )
    return format_html(
        '<svg class="score-chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}">{body}</svg>',
        w=WIDTH,
        h=height,
        label=_("Each reviewer's points per criterion for %(bid)s; red where they disagree.")
        % {"bid": row.entry.label},
        body=format_html_join("", "{}", ((line,) for line in lines)),
    )
