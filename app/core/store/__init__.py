"""Models on disk: the shipped catalog, fit planning, download, import, the manifest."""
