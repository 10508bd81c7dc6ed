"""Use cases: what the web layer and the CLI call. No Flask here."""
