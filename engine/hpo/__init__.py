"""The Human Phenotype Ontology layer: the release in use, its ontology and annotations, term IDs, and the one
information-content and similarity layer both modes (curated pack and corpus) use.

Nothing here knows about the knowledge pack: every other layer builds on this one.
"""
