"""The agent's tools: read-only ones for Plan mode, plus edit, write and run for Build."""
