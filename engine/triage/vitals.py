"""Measured vital signs: the findings they amount to, and the urgency they give on their own.

Adults (16 and over, or an unknown age): the National Early Warning Score 2 (Royal College of Physicians 2017,
``rcp_news2_2017``). One parameter in its red band (3 points) gives *emergency*, as does an aggregate of 7 or
more; an aggregate of 5 or 6 gives *urgent*. Children: the age-specific high-risk (*emergency*) and moderate-to-high
risk (*urgent*) bands of NICE NG51 and NG143 (``data/vital_sign_bands.csv``, one row per band and source).
A measured value also counts as the finding it amounts to (38.6 °C is Fever), so the red-flag rules read it
like a report. All bands live in the data file; this module only applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.io.presentation import VITAL_BY_KEY, Presentation
from engine.knowledge.pack import KnowledgePack, VitalBand
from engine.triage.levels import TriageLevel, triage_level

NEWS2_RED = 3
NEWS2_EMERGENCY = 7
NEWS2_URGENT = 5
CHILD_GROUPS = ("under_3_months", "3_months_to_4_years", "5_to_15_years")


@dataclass(frozen=True)
class VitalFinding:
    """A measured value that counts as a finding (``finding_id``), with the sentence that says so."""

    finding_id: str
    note: str


@dataclass(frozen=True)
class VitalReason:
    """A level a measurement gives; ``findings`` are the findings those measured values amount to, so that a
    score and the rules reading the same values are not counted as independent reasons."""

    level: TriageLevel
    rule_id: str
    message: str
    source: str
    findings: tuple[str, ...] = ()


def age_group(presentation: Presentation) -> str:
    """The vital-sign age group: a child's band, or "adult" (16 and over, or age not given)."""
    return presentation.age_band if presentation.age_band in CHILD_GROUPS else "adult"


def _bands(pack: KnowledgePack, presentation: Presentation, kind: str) -> list[tuple[VitalBand, float]]:
    group = age_group(presentation)
    measured = presentation.vitals.given()
    return [(b, measured[b.vital]) for b in pack.vital_bands
            if b.kind == kind and b.age_group == group and b.vital in measured and b.contains(measured[b.vital])]


def _shown(vital: str, value: float) -> str:
    sign = VITAL_BY_KEY[vital]
    return f"{sign.label.lower()} {value:g}{' °C' if sign.unit == 'Cel' else ' ' + sign.unit}"


def vital_findings(pack: KnowledgePack, presentation: Presentation) -> list[VitalFinding]:
    """The findings the measured values amount to, for this age group."""
    out = []
    for band, value in _bands(pack, presentation, "finding"):
        label = pack.finding(band.value).lay_label
        out.append(VitalFinding(band.value, f"measured {_shown(band.vital, value)} counts as '{label}'"))
    return out


def news2_points(pack: KnowledgePack, presentation: Presentation) -> dict[str, int]:
    """NEWS2 points per measured parameter (adults only; parameters scoring 0 are left out)."""
    if age_group(presentation) != "adult":
        return {}
    return {band.vital: int(band.value) for band, _ in _bands(pack, presentation, "news2")}


def _as_findings(pack: KnowledgePack, presentation: Presentation) -> dict[str, tuple[str, ...]]:
    """Per measured vital sign, the findings its value amounts to."""
    out: dict[str, list[str]] = {}
    for band, _ in _bands(pack, presentation, "finding"):
        out.setdefault(band.vital, []).append(band.value)
    return {k: tuple(v) for k, v in out.items()}


def vital_reasons(pack: KnowledgePack, presentation: Presentation) -> list[VitalReason]:
    """Urgency reasons from measured vital signs (none when nothing was measured)."""
    if not presentation.vitals.given():
        return []
    reasons: list[VitalReason] = []
    as_findings = _as_findings(pack, presentation)
    if age_group(presentation) == "adult":
        points = news2_points(pack, presentation)
        measured = presentation.vitals.given()
        sources = {b.vital: b.source for b, _ in _bands(pack, presentation, "news2")}
        for vital, p in sorted(points.items()):
            if p >= NEWS2_RED:
                reasons.append(VitalReason(
                    "emergency", f"news2_red:{vital}",
                    f"A measured {_shown(vital, measured[vital])} is in the red band of the National Early Warning "
                    "Score: a single value this far from normal needs emergency assessment.", sources[vital],
                    as_findings.get(vital, ())))
        total = sum(points.values())
        if total >= NEWS2_EMERGENCY or total >= NEWS2_URGENT:
            level: TriageLevel = "emergency" if total >= NEWS2_EMERGENCY else "urgent"
            reasons.append(VitalReason(
                level, "news2_total",
                f"The measured vital signs add up to a National Early Warning Score of {total} "
                f"({'7 or more' if level == 'emergency' else '5 or 6'}): "
                f"{'a high' if level == 'emergency' else 'a medium'} risk of serious illness.", "rcp_news2_2017",
                tuple(f for v in points for f in as_findings.get(v, ()))))
        return reasons
    for band, value in _bands(pack, presentation, "level"):
        level_ = triage_level(band.value)
        if level_ is None:  # the loader checked every level; kept for the type checker
            continue
        risk = "high" if level_ == "emergency" else "moderate-to-high"
        reasons.append(VitalReason(
            level_, f"child_vital:{band.vital}",
            f"A measured {_shown(band.vital, value)} at this age is a {risk} risk sign of serious illness in "
            "children (NICE).", band.source, as_findings.get(band.vital, ())))
    return reasons
