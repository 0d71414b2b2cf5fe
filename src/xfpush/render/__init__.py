"""Drawing and encoding: layout templates → drawing plan → raster or file formats.

Owns: the drawing plan (``plan``), the one layout engine (``templates`` — the TOML language —
``layout`` and ``stack``), Pillow drawing (``raster``), the vector print backend (``vector``:
the same plan as PDF/X-4, ``pdfx``; print colour, ``cmyk``), label languages (ZPL/TSPL), QR
encode/decode, ffmpeg media, speech.
May import: ``model``, ``typeset``, ``errors``, ``resources``. Never imports ``channels``,
``pack`` or ``partners``: a renderer does not know which channel asked for it.
"""
