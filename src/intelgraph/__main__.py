"""`python -m intelgraph` runs the command line."""

from intelgraph.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess test
    main()
