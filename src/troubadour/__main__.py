"""`python -m troubadour` runs the command line."""

from troubadour.cli import main

main()
