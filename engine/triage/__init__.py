"""Urgency advice: the one scale (:mod:`~engine.triage.levels`), the red-flag rules matched through HPO
(:mod:`~engine.triage.rules`, conditions on the course and context included), vital signs (
:mod:`~engine.triage.vitals`), the cost-weighted decision (:mod:`~engine.triage.decision`), the emergency step
(:mod:`~engine.triage.emergency`) and every sentence of safety copy (:mod:`~engine.triage.copy`).

The package itself imports nothing, so the knowledge pack can use :mod:`engine.triage.levels` (a leaf module)
without a cycle; import the submodules, or the public names re-exported by :mod:`engine`.
"""
