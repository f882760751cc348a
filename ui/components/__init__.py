"""The pieces the pages are built from: widgets, charts, tables, frames, summaries, uploads, the link and tick state."""
