"""What comes in from outside: bounded reading (one JSON decoder, one CSV reader), case files, the triage panel,
the course and context of a presentation, and GA4GH phenopackets."""
