"""How well the engine does: metrics, curated and corpus evaluation, urgency against a panel, sensitivity to the
weights, phenopacket evaluation, and the case-file inputs they read."""
