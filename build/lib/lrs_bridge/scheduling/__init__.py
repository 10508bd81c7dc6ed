"""The scheduler process: APScheduler 3.x, never inside web workers (STYLE rule 10)."""
