"""Packs: render the selected channels, apply the checks registry, write files + manifest + proof.

Owns: ``build`` (selection, rendering, applying ``channels.checks`` to every asset rendered or
described, atomic writing), the manifest, the proof page and ``verify``. May import: ``channels``, ``render``, ``typeset``, ``model``, ``errors``.
Never imports ``partners`` or ``campaigns``: a pack does not know who will receive it.
"""
