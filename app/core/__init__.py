"""Qt-free core: runtime, store, index, agent, privacy."""
