"""The optional "about you": cited prior adjustments (engine.knowledge.priors) and how the Check page shows them."""

from __future__ import annotations

import pytest

from engine import InputError, PackError, default_weights, load_pack, match_findings
from engine.knowledge.priors import adjust_weights, applicable, load_context_rules


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def test_every_rule_names_a_known_condition_and_a_cited_source(pack) -> None:
    rules = load_context_rules(pack)
    assert rules and all(r.source in pack.sources and r.evidence for r in rules)
    assert {r.condition_id for r in rules if r.value == "child"} >= {"pilomatricoma"}


def test_children_raise_pilomatricoma_and_nothing_given_changes_nothing(pack) -> None:
    rules = load_context_rules(pack)
    base = default_weights(pack)
    same, used = adjust_weights(base, rules)
    assert same is base and used == ()
    child, used = adjust_weights(base, rules, age_band="child")
    assert child.priors["pilomatricoma"] == pytest.approx(2 * base.priors["pilomatricoma"])
    assert "pilomatricoma" in {r.condition_id for r in used}
    lump = ["HP:0001482"]
    # starting odds are used by the likelihood method only (METHOD_INFO[...].uses_priors)
    before = match_findings(pack, lump, method="likelihood", weights=base).ranking.match("pilomatricoma")
    after = match_findings(pack, lump, method="likelihood", weights=child).ranking.match("pilomatricoma")
    assert after.share > before.share and after.rank <= before.rank


def test_unknown_age_band_or_sex_is_refused(pack) -> None:
    with pytest.raises(InputError, match="age band"):
        applicable(load_context_rules(pack), age_band="toddler")
    with pytest.raises(InputError, match="sex"):
        applicable(load_context_rules(pack), sex="x")


def test_a_broken_rule_file_names_the_row(pack, tmp_path) -> None:
    (tmp_path / "context_priors.csv").write_text(
        "condition_id,factor,value,multiplier,source,evidence\npilomatricoma,age_band,child,-1,julian1998,x\n")
    with pytest.raises(PackError, match="row 2, column 'multiplier'"):
        load_context_rules(pack, tmp_path)


@pytest.mark.slow
def test_check_page_shows_the_adjustment_with_its_source(pack) -> None:
    from tests.test_ui_check import new_app, page_texts
    from ui.components.ticks import METHOD_KEY

    at = new_app()
    at.selectbox(key="check:context:age_band").set_value("5_to_15_years").run()
    at.checkbox(key="check:tick:HP:0001482").check()
    at.button(key="check:submit").click().run()
    assert not at.exception
    text = " ".join(page_texts(at))  # the default method takes age and sex into account, with the source
    assert "How “about you” changed the ranking" in text and "were not used" not in text
    assert pack.condition("pilomatricoma").display_name in text and pack.sources["julian1998"].citation in text
    at.radio(key=METHOD_KEY).set_value("overlap").run()  # a method that compares the pattern of findings only
    at.button(key="check:submit").click().run()
    text = " ".join(page_texts(at))
    assert "Your age and sex were not used" in text and "How “about you” changed" not in text
    at.selectbox(key="check:context:age_band").set_value("16_to_64_years").run()
    assert "Your result (out of date)" in [h.value for h in at.header]


def test_cited_sex_and_age_rules_raise_only_their_conditions(pack) -> None:
    rules = load_context_rules(pack)
    base = default_weights(pack)
    woman, used = adjust_weights(base, rules, sex="female")
    raised = {r.condition_id for r in used}
    assert {"systemic_lupus_erythematosus", "systemic_sclerosis", "dermatomyositis", "calciphylaxis"} <= raised
    assert "tophaceous_gout" not in raised
    for cid in pack.condition_ids:
        factor = 2.0 if cid in raised else 1.0
        assert woman.priors[cid] == pytest.approx(factor * base.priors[cid])
    child, used = adjust_weights(base, rules, age_band="child")
    assert "idiopathic_calcinosis_cutis" in {r.condition_id for r in used}
    assert child.priors["dystrophic_calcinosis_cutis"] == base.priors["dystrophic_calcinosis_cutis"]


def test_the_default_method_uses_age_and_sex_with_a_bounded_factor_and_says_so() -> None:
    import numpy as np

    from engine import load_pack
    from engine.io.presentation import Presentation
    from engine.match.context import PRIOR_BOUND, prior_factor
    from engine.result import match_findings

    pack = load_pack()
    findings = "HP:0001482,HP:0012531"
    plain = match_findings(pack, findings)
    male = match_findings(pack, findings, presentation=Presentation(sex="male"))
    assert plain.to_dict()["context"]["age_sex_used"] is False
    context = male.to_dict()["context"]
    assert context["age_sex_used"] is True and context["rules"][0]["condition_id"] == "tophaceous_gout"
    gout = {m.condition_id: m.score for m in plain.ranking.matches}["tophaceous_gout"]
    assert {m.condition_id: m.score for m in male.ranking.matches}["tophaceous_gout"] == pytest.approx(
        gout * 2 ** 0.15)
    assert prior_factor(np.array([1000.0, 1e-3])).tolist() == pytest.approx([PRIOR_BOUND, 1 / PRIOR_BOUND])
    weighted = match_findings(pack, findings, method="weighted", presentation=Presentation(sex="male"))
    assert weighted.context is not None and not weighted.context.used
    assert "were not used" in weighted.context.note
