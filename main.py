"""nasearch command line: ``python main.py --help``."""
import sys

from nasearch.cli import main

if __name__ == "__main__":
    sys.exit(main())
