"""How the general danger signs of data/danger_terms.csv were made: what question it answers is "which terms did
the review of the single-term sweep flag, and under which category and level?"

Reads the reviewers' flags (``datasets/panel/sweep_review/sweep_review_*.json``: HPO id, level, the reviewer's
category, a reason), maps each reviewer category onto one of the themes below by keywords, and writes
``data/danger_categories.csv`` (one row per theme and level: the message, the source, any condition on the course)
and ``data/danger_terms.csv`` (one row per flagged term). Run it again after a new review::

    python studies/triage/build_danger_terms.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REVIEWS = sorted((ROOT / "datasets" / "panel" / "sweep_review").glob("sweep_review_*.json"))
LEVELS = ("routine", "soon", "urgent", "emergency")
#: A report of these is as often a past event as a new one; it counts for its theme unless the person says it
#: started weeks or months ago (an unknown onset still counts: safety first).
RECENT = "onset!=weeks|months_or_more"
#: theme -> (keywords in the reviewer's category, message, source, context)
THEMES: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "collapse": (("arrest", "sudden death", "life-threatening medical", "shock", "circulatory"),
                 "A collapse, or a sign that the heart, breathing or circulation is failing.", "nhs_999", ""),
    "heart": (("coronary", "arrhythmia", "heart failure", "cardiac compromise", "oedema"),
              "A sign that the heart may be short of blood, beating abnormally or failing.", "nice_cg95", RECENT),
    "blood_vessels": (("aortic", "vascular occlusion", "mediastinal", "arteritis", "vasculitis"),
                      "A sign that a major blood vessel may be torn, blocked or inflamed.", "nice_ng158", RECENT),
    "stroke_brain_nerves": (("stroke", "focal", "cranial nerve", "bulbar", "paralysis", "weakness", "spinal",
                             "cauda", "movement", "intracranial", "headache", "neurological"),
                            "A new problem of the brain, the spinal cord or the nerves (weakness, a drooping face, "
                            "lost feeling, sight or speech, a severe headache).", "nice_ng128", RECENT),
    "mental_state": (("mental state", "psychiatric", "encephalopathy"),
                     "A sudden change in the mind: confusion, hallucinations, or thoughts of harm.", "nhs_999", ""),
    "airway_breathing": (("airway", "breathing", "respiratory"),
                         "A threat to the airway or to breathing.", "resus_uk_anaphylaxis_2021", ""),
    "eyes_ears": (("eye", "vision", "visual", "retinal", "ear", "vestibular"),
                  "A sudden or painful eye or ear problem, which can threaten sight or balance.", "sweep_review_2026",
                  ""),
    "infection": (("infection", "sti", "fever", "ulcer needing"),
                  "A sign of a serious infection, or of an infection in a place where it can spread fast.",
                  "nice_ng51", ""),
    "blood": (("bleeding", "haematological", "cytopenia", "anaemia", "leukaemia", "critical blood"),
              "A sign of bleeding or of a dangerous change in the blood cells.", "nice_ng12", RECENT),
    "cancer": (("malignancy", "cancer", "tumour", "mass"),
               "A possible new cancer or a growth that needs a specialist's look within two weeks.", "nice_ng12",
               "known_condition!=known_untreated|known_treated"),
    "belly_kidneys": (("abdom", "gi ", "gi surgical", "liver", "biliary", "pancrea", "kidney", "nephritis",
                       "urogenital", "organ inflammation", "bowel"),
                      "A sign of an acute problem of the belly, the liver, the pancreas, the kidneys or the urinary "
                      "tract.", "sartelli2017", ""),
    "metabolism": (("electrolyte", "metabolic", "glucose", "diabetes", "endocrine", "poison", "toxic",
                    "systemic feature", "dehydration"),
                   "A dangerous change in the body's salts, sugar or hormones, or a poisoning.", "sweep_review_2026",
                   ""),
    "pregnancy_newborn": (("pregnan", "obstetric", "fetal", "newborn", "neonat", "infant"),
                          "A warning sign in pregnancy, or in a newborn baby.", "nice_ng143", ""),
    "injury": (("fracture", "dislocation", "tendon", "trauma"),
               "An injury that needs examination and usually an X-ray.", "nice_ng38", RECENT),
    "skin_joints_muscles": (("skin", "soft-tissue", "musculoskeletal", "muscle disease", "inflammatory kidney"),
                            "A skin, joint, muscle or nerve problem that needs a prompt examination.",
                            "sweep_review_2026", ""),
}


def theme_of(category: str) -> str:
    lowered = category.lower()
    for theme, (keywords, *_rest) in THEMES.items():
        if any(k in lowered for k in keywords):
            return theme
    raise SystemExit(f"no theme for reviewer category {category!r}: add a keyword")


def main() -> None:
    flags: dict[str, tuple[str, str, str]] = {}
    for path in REVIEWS:
        for flag in json.loads(path.read_text(encoding="utf-8")):
            level = flag["level"]
            key = flag["id"]
            old = flags.get(key)
            if old is None or LEVELS.index(level) > LEVELS.index(old[1]):  # two reviewers: the higher level
                flags[key] = (flag["name"], level, theme_of(flag["category"]))
    used = sorted({(theme, level) for _, level, theme in flags.values()})
    with (ROOT / "data" / "danger_categories.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["category", "level", "context", "message", "watch_for", "source"])
        for theme, level in used:
            _, message, source, context = THEMES[theme]
            out.writerow([f"{theme}_{level}", level, context, message, "", source])
    with (ROOT / "data" / "danger_terms.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["hpo_id", "label", "category"])
        for hpo_id, (name, level, theme) in sorted(flags.items()):
            out.writerow([hpo_id, name, f"{theme}_{level}"])
    print(f"{len(flags)} terms in {len(used)} categories from {len(REVIEWS)} reviews")


if __name__ == "__main__":
    main()
