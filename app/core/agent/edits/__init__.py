"""Edits without code inside JSON: fenced blocks naming a file, parsed, planned, diffed, applied."""
