"""Opt-in OpenAI-compatible endpoints (a team's vLLM or llama-server, a hosted model with your key).

Off by default and off entirely under a policy file; while one is in use, the network guard
lets through exactly its addresses and every request is ledgered (sizes and file names,
never content). `RemoteModel` is the agent's model port over it.
"""
