"""Trust marks: an inaudible watermark, C2PA content credentials and disclosure tags.

Modules: :mod:`~troubadour.trust.watermark` (embed/detect), :mod:`~troubadour.trust.detector`,
:mod:`~troubadour.trust.sync` and :mod:`~troubadour.trust.grid` (the search and the grid),
:mod:`~troubadour.trust.ecc` (payload code), :mod:`~troubadour.trust.keys`,
:mod:`~troubadour.trust.credentials`, :mod:`~troubadour.trust.tags`,
:mod:`~troubadour.trust.verify` and :mod:`~troubadour.trust.mark` (whole files).
Design and the false-positive math: ``docs/trust.md``.
"""
