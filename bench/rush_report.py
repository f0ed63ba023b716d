"""What ``bench_rush.py`` makes of a rush: each submit judged on time or late by when
its last byte left, in database time, and the figures printed per mode.

A submit whose last byte left (client clock, moved to the database's by the measured
offset) before ``closes_at`` less the uncertainty is on time; after ``closes_at``
plus the uncertainty, late; in between, in the band: too close to call, counted as
neither lost nor late-accepted. The uncertainty is the clock offset's, plus the
resolution of the stamp the portal was given (nginx's is 1 ms).
"""

import re
import statistics

from rush_clock import ClockOffset

# The edge group's last byte is to leave in the last 30 ms before closes_at, but no
# later than 2 ms before it; the after group's 2 to 30 ms after it. Aimed a few ms
# inside each window: a thread can wake a little late (the GIL, the scheduler).
EDGE_FIRST, EDGE_LAST = 0.030, 0.002
AFTER_FIRST, AFTER_LAST = 0.002, 0.030
AIM_INSIDE = 0.003


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def judge(results, plans, closes_at: float, clock: ClockOffset, resolution: float, receipts):
    """Mark each result: accepted / error, on time / late / band, and its receipt."""
    band = clock.uncertainty + resolution
    for result, plan in zip(results, plans, strict=True):
        result["group"] = plan["group"]
        result["left_from"] = clock.to_db(result["last_began"]) - closes_at
        result["left_until"] = clock.to_db(result["sent"]) - closes_at
        result["accepted"] = result["status"] == 302 and "/receipt/" in result["location"]
        result["error"] = result["status"] >= 500
        if result["left_until"] < -band:
            result["when"] = "on_time"
        elif result["left_from"] > band:
            result["when"] = "late"
        else:
            result["when"] = "band"
        pk = result["path"].strip("/").rsplit("/", 1)[-1]
        stored = receipts.get(pk) if result["accepted"] else None
        # The stored time of receipt less the moment the last byte left, both database time.
        result["stamp_gap"] = (
            None
            if stored is None
            else stored - closes_at - (result["left_from"] + result["left_until"]) / 2
        )
    return band


def summarise(label: str, results, closes_at, clock: ClockOffset, band, recorded_late) -> dict:
    accepted = [r for r in results if r["accepted"]]
    errors = [r for r in results if r["error"]]
    edge = [r for r in results if r["group"] == "edge"]
    after = [r for r in results if r["group"] == "after"]
    gaps = sorted(r["stamp_gap"] * 1e3 for r in accepted if r["stamp_gap"] is not None)
    latencies = [r["latency"] for r in results]
    lost = [r for r in results if r["when"] == "on_time" and not r["accepted"]]
    summary = {
        "mode": label,
        "submits": len(results),
        "accepted": len(accepted),
        "refused": len(results) - len(accepted) - len(errors),
        "5xx": len(errors),
        "on_time": sum(r["when"] == "on_time" for r in results),
        "lost": len(lost),
        "late_accepted": sum(r["when"] == "late" and r["accepted"] for r in results),
        "in_band": sum(r["when"] == "band" for r in results),
        "recorded_late": recorded_late,
        "p50_s": round(statistics.median(latencies), 3),
        "p99_s": round(percentile(latencies, 0.99), 3),
        "band_ms": round(band * 1e3, 3),
        "clock": clock.describe(),
        "edge": {
            "aimed": len(edge),
            "in_window": sum(
                -EDGE_FIRST <= r["left_from"] and r["left_until"] <= -EDGE_LAST for r in edge
            ),
            "left_ms": _span(edge),
            "accepted": sum(r["accepted"] for r in edge),
            "lost": sum(r in lost for r in edge),
        },
        "after": {
            "aimed": len(after),
            "left_late": sum(r["when"] == "late" for r in after),
            "left_ms": _span(after),
            "accepted": sum(r["accepted"] for r in after),
        },
        # How precisely the client knows when each last byte left (ms): median, max.
        "last_byte_known_to_ms": [
            round(statistics.median(r["sent"] - r["last_began"] for r in results) * 1e3, 3),
            round(max(r["sent"] - r["last_began"] for r in results) * 1e3, 3),
        ],
        "stamp_minus_sent_ms": (
            [round(gaps[0], 2), round(statistics.median(gaps), 2), round(gaps[-1], 2)]
            if gaps
            else None
        ),
    }
    for r in lost[:3]:
        text = re.sub(r"<[^>]+>", " ", r["page"])
        reason = re.search(r"(The deadline[^.]*\.[^.]*\.|[^.]*can no longer[^.]*\.)", text)
        print(
            f"  lost: {r['status']} ({r['group']}), last byte {r['left_until'] * 1e3:+.1f} ms: "
            f"{reason.group(1) if reason else ' '.join(text.split())[:200]}"
        )
    return summary


def _span(results) -> str:
    """The range of (last byte left - closes_at) over ``results``, in ms."""
    if not results:
        return "-"
    return (
        f"{min(r['left_from'] for r in results) * 1e3:+.1f}.."
        f"{max(r['left_until'] for r in results) * 1e3:+.1f}"
    )


TABLE = [
    ("mode", lambda r: r["mode"]),
    ("submits", lambda r: r["submits"]),
    ("accepted", lambda r: r["accepted"]),
    ("refused", lambda r: r["refused"]),
    ("5xx", lambda r: r["5xx"]),
    ("on time", lambda r: r["on_time"]),
    ("lost", lambda r: r["lost"]),
    ("late acc.", lambda r: r["late_accepted"]),
    ("in band", lambda r: r["in_band"]),
    ("p50 s", lambda r: r["p50_s"]),
    ("p99 s", lambda r: r["p99_s"]),
    ("cpu used", lambda r: r["cpu_used"]),
    ("competitor", lambda r: r["competitor_share"]),
]
EDGES = [
    ("mode", lambda r: r["mode"]),
    ("last 30 ms: aimed/in window/accepted/lost", lambda r: _edge(r["edge"])),
    ("left ms", lambda r: r["edge"]["left_ms"]),
    ("after: aimed/late/accepted", lambda r: _after(r["after"])),
    ("stamp - last byte ms min/med/max", lambda r: _gaps(r["stamp_minus_sent_ms"])),
    ("band ms", lambda r: r["band_ms"]),
]


def _edge(edge) -> str:
    return f"{edge['aimed']}/{edge['in_window']}/{edge['accepted']}/{edge['lost']}"


def _after(after) -> str:
    return f"{after['aimed']}/{after['left_late']}/{after['accepted']}"


def _gaps(gaps) -> str:
    return "-" if gaps is None else "/".join(f"{g:+.1f}" for g in gaps)


def print_table(rows: list[dict], columns) -> None:
    cells = [[name for name, _ in columns]] + [[str(get(r)) for _, get in columns] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    for line in cells:
        print(" | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
