"""Packs: render the selected channels, apply the checks, write files + manifest + proof.

Owns: ``build`` (selection, rendering, atomic writing), the manifest, the proof page and
``verify``. May import: ``channels``, ``render``, ``typeset``, ``model``, ``errors``.
Never imports ``partners`` or ``campaigns``: a pack does not know who will receive it.
"""
