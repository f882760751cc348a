"""The curated knowledge pack: its model, loader and validation, analyst weights, context priors, and where the
shipped pack lives."""
