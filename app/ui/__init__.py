"""The PySide6 front end: thin widgets over the core."""
