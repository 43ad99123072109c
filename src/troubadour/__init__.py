"""troubadour: an open-source AI artist studio, offline and honest."""

__version__ = "0.1.0"
