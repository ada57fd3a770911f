"""SVG charts of survey results, drawn by pygal without any JavaScript."""

import pygal
from pygal.style import Style

CHART_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#555555",
    colors=("#14452f", "#0b5394", "#8a5a00"),
    font_family="system-ui, sans-serif",
)


def _chart(chart_class, title, **options):
    return chart_class(
        js=[],  # no scripts: the page and the chart work without JavaScript
        style=CHART_STYLE,
        title=title,
        show_legend=False,
        width=640,
        height=options.pop("height", 360),
        print_values=True,
        truncate_label=-1,
        **options,
    )


def distribution_svg(result, title):
    """Horizontal bars of the share (in %) of each answer of one question."""
    bars = result.bars
    chart = _chart(pygal.HorizontalBar, title, height=max(200, 40 * len(bars) + 120), range=(0, 100),
                   value_formatter=lambda v: f"{v:.0f} %")
    chart.x_labels = [bar.label for bar in bars]
    chart.add(title, [round(100 * bar.share, 1) if bar.share is not None else 0 for bar in bars])
    return chart.render()


def timeline_svg(days, title):
    """Responses per day."""
    chart = _chart(pygal.Bar, title, x_label_rotation=30, show_minor_x_labels=len(days) <= 31)
    chart.x_labels = [day.isoformat() for day, _count in days]
    chart.add(title, [count for _day, count in days])
    return chart.render()
