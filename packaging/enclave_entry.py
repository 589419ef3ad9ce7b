"""The frozen app's entry point: the same `main` as `python -m app`."""

import multiprocessing
import sys

if __name__ == "__main__":
    # Index workers and the tagging child are started with spawn in a frozen app: each one
    # re-runs this executable, which must hand over to multiprocessing first.
    multiprocessing.freeze_support()
    from app.__main__ import main

    sys.exit(main())
