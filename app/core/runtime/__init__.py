"""The in-process llama.cpp runtime: GGUF validation, hardware probe, prompts, streaming."""
