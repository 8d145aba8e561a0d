"""The visual timeline, laid out on the server: dates to scale, one lane for the agreement and one
per legal challenge, event kinds told apart by shape and colour, month- and year-precision dates
drawn as the span they stand for. The template (tracker/_timeline_chart.html) only draws what this
computes, as SVG, so the chart needs no JavaScript and no chart library in the browser."""

import datetime
from dataclasses import dataclass, field

from .models import DatePrecision, Event

WIDTH = 960
LEFT = 16
RIGHT = 16
AXIS_HEIGHT = 34
LANE_HEIGHT = 70
LANE_LABEL = 26  # the lane's name sits above its row of marks
MARK_RADIUS = 7

# Every kind has its own shape and its own colour, so neither colour nor shape alone carries the
# meaning (WCAG 1.4.1); the colours keep 3:1 against the chart's background (WCAG 1.4.11).
KIND_STYLE = {
    Event.Kind.ANNOUNCED: "circle",
    Event.Kind.SIGNED: "square",
    Event.Kind.TOOK_EFFECT: "triangle-up",
    Event.Kind.FILED: "diamond",
    Event.Kind.RULING: "triangle-down",
    Event.Kind.STATEMENT: "ring",
    Event.Kind.REPORTED: "bar",
    Event.Kind.HEARING: "hexagon",
    Event.Kind.AMENDED: "plus",
    Event.Kind.RESCINDED: "cross",
    Event.Kind.OTHER: "dot",
}


def shape_path(shape: str, cx: float, cy: float, r: float = MARK_RADIUS) -> str:
    """SVG path data for a mark of this shape centred on (cx, cy)."""
    h = r * 0.866
    t = r * 0.38  # half the thickness of a plus or cross arm
    if shape == "square":
        s = r * 0.85
        return f"M{cx - s:.1f},{cy - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}z"
    if shape == "triangle-up":
        return f"M{cx:.1f},{cy - r:.1f}L{cx + r:.1f},{cy + h:.1f}L{cx - r:.1f},{cy + h:.1f}z"
    if shape == "triangle-down":
        return f"M{cx:.1f},{cy + r:.1f}L{cx + r:.1f},{cy - h:.1f}L{cx - r:.1f},{cy - h:.1f}z"
    if shape == "diamond":
        return (
            f"M{cx:.1f},{cy - r:.1f}L{cx + r:.1f},{cy:.1f}"
            f"L{cx:.1f},{cy + r:.1f}L{cx - r:.1f},{cy:.1f}z"
        )
    if shape == "bar":
        return f"M{cx - t:.1f},{cy - r:.1f}h{2 * t:.1f}v{2 * r:.1f}h{-2 * t:.1f}z"
    if shape == "hexagon":
        points = [(cx + r, cy), (cx + r / 2, cy - h), (cx - r / 2, cy - h), (cx - r, cy)]
        points += [(cx - r / 2, cy + h), (cx + r / 2, cy + h)]
        return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "z"
    if shape == "plus":
        return (
            f"M{cx - t:.1f},{cy - r:.1f}h{2 * t:.1f}v{r - t:.1f}h{r - t:.1f}v{2 * t:.1f}"
            f"h{t - r:.1f}v{r - t:.1f}h{-2 * t:.1f}v{t - r:.1f}h{t - r:.1f}v{-2 * t:.1f}"
            f"h{r - t:.1f}z"
        )
    if shape == "cross":
        d = r * 0.75
        return (
            f"M{cx - d:.1f},{cy - d + t:.1f}L{cx - d + t:.1f},{cy - d:.1f}L{cx:.1f},{cy - t:.1f}"
            f"L{cx + d - t:.1f},{cy - d:.1f}L{cx + d:.1f},{cy - d + t:.1f}L{cx + t:.1f},{cy:.1f}"
            f"L{cx + d:.1f},{cy + d - t:.1f}L{cx + d - t:.1f},{cy + d:.1f}L{cx:.1f},{cy + t:.1f}"
            f"L{cx - d + t:.1f},{cy + d:.1f}L{cx - d:.1f},{cy + d - t:.1f}L{cx - t:.1f},{cy:.1f}z"
        )
    if shape == "ring":
        inner = r * 0.5
        return (
            f"M{cx - r:.1f},{cy:.1f}a{r},{r} 0 1,0 {2 * r:.1f},0a{r},{r} 0 1,0 {-2 * r:.1f},0z"
            f"M{cx - inner:.1f},{cy:.1f}a{inner},{inner} 0 1,1 {2 * inner:.1f},0"
            f"a{inner},{inner} 0 1,1 {-2 * inner:.1f},0z"
        )
    radius = r * 0.6 if shape == "dot" else r
    return (
        f"M{cx - radius:.1f},{cy:.1f}a{radius},{radius} 0 1,0 {2 * radius:.1f},0"
        f"a{radius},{radius} 0 1,0 {-2 * radius:.1f},0z"
    )


def span_end(date: datetime.date, precision: str) -> datetime.date:
    """The first day after the span a date of this precision stands for."""
    if precision == DatePrecision.YEAR:
        return datetime.date(date.year + 1, 1, 1)
    if precision == DatePrecision.MONTH:
        return datetime.date(date.year + date.month // 12, date.month % 12 + 1, 1)
    return date + datetime.timedelta(days=1)


@dataclass
class Mark:
    event: Event
    shape: str
    path: str
    x: float
    y: float
    span_x: float = 0.0
    span_width: float = 0.0

    @property
    def is_span(self) -> bool:
        return self.event.date_precision != DatePrecision.DAY


@dataclass
class Lane:
    label: str
    url: str
    y: float
    marks: list = field(default_factory=list)


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Chart:
    width: int
    height: int
    axis_y: float
    lanes: list
    ticks: list
    legend: list  # (kind value, label, legend path) of the kinds drawn

    @property
    def marks(self):
        return [mark for lane in self.lanes for mark in lane.marks]


def _ticks(start: datetime.date, end: datetime.date, x_of) -> list:
    """Year ticks for a long timeline, else month ticks thinned to about eight labels."""
    days = (end - start).days
    ticks = []
    if days > 3 * 366:
        for year in range(start.year + (start.month > 1 or start.day > 1), end.year + 1):
            ticks.append(Tick(x=x_of(datetime.date(year, 1, 1)), label=str(year)))
        return ticks
    months = []
    current = datetime.date(start.year, start.month, 1)
    if current < start:
        current = span_end(current, DatePrecision.MONTH)
    while current <= end:
        months.append(current)
        current = span_end(current, DatePrecision.MONTH)
    step = max(1, -(-len(months) // 8))
    for index, month in enumerate(months):
        if index % step:
            continue
        label = month.strftime("%b %Y") if month.month == 1 or index == 0 else month.strftime("%b")
        ticks.append(Tick(x=x_of(month), label=label))
    return ticks


def build_chart(*, events, main_label: str, main_url: str, challenges=()) -> Chart | None:
    """Lay out the events on lanes: the main record's first, then one per challenge (in the order
    given) that has events. None when there is nothing to draw."""
    events = list(events)
    if not events:
        return None
    start = min(event.date for event in events)
    end = max(span_end(event.date, event.date_precision) for event in events)
    # A little room either side, and at least a month, so one event is not drawn on the edge.
    padding = max(datetime.timedelta(days=7), (end - start) / 30)
    start, end = start - padding, end + padding
    if (end - start).days < 31:
        end = start + datetime.timedelta(days=31)
    plot = WIDTH - LEFT - RIGHT
    total = (end - start).days

    def x_of(date):
        return LEFT + (date - start).days / total * plot

    lanes = [Lane(label=main_label, url=main_url, y=0)]
    by_challenge = {}
    for challenge in challenges:
        if any(event.challenge_id == challenge.pk for event in events):
            lane = Lane(label=challenge.caption, url=challenge.get_absolute_url(), y=0)
            by_challenge[challenge.pk] = lane
            lanes.append(lane)
    for index, lane in enumerate(lanes):
        lane.y = AXIS_HEIGHT + index * LANE_HEIGHT + LANE_LABEL + (LANE_HEIGHT - LANE_LABEL) / 2

    kinds = {}
    for event in events:
        lane = by_challenge.get(event.challenge_id, lanes[0])
        shape = KIND_STYLE.get(event.kind, "dot")
        x = x_of(event.date)
        # Marks that would overlap alternate above and below the lane's line.
        crowded = sum(1 for mark in lane.marks if abs(mark.x - x) < 2 * MARK_RADIUS)
        level = min((crowded + 1) // 2, 2)  # at most two rows either side of the line
        y = lane.y + (-1) ** crowded * level * MARK_RADIUS * 1.4
        mark = Mark(event=event, shape=shape, path="", x=x, y=y)
        if mark.is_span:
            mark.span_x = x
            mark.span_width = max(2.0, x_of(span_end(event.date, event.date_precision)) - x)
            mark.x = x + mark.span_width / 2
        mark.path = shape_path(shape, mark.x, mark.y)
        lane.marks.append(mark)
        kinds[event.kind] = shape

    legend = [
        (kind.value, kind.label, shape_path(kinds[kind], 9, 9))
        for kind in Event.Kind
        if kind in kinds
    ]
    height = AXIS_HEIGHT + len(lanes) * LANE_HEIGHT + 8
    return Chart(
        width=WIDTH,
        height=int(height),
        axis_y=AXIS_HEIGHT - 6,
        lanes=lanes,
        ticks=_ticks(start, end, x_of),
        legend=legend,
    )
