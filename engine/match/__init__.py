"""Matching reported findings against the curated pack: mapping any HPO term onto the pack's findings, the scoring
methods (one registry), explanations, absolute fit, the next best question, search and the tie rule."""
