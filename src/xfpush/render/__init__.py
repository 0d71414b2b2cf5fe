"""Drawing and encoding: layout templates → drawing plan → raster or file formats.

Owns: the drawing plan (``plan``), the one layout engine (``templates`` — the TOML language —
``layout`` and ``stack``), Pillow drawing (``raster``), PDF, label languages (ZPL/TSPL), QR
encode/decode, ffmpeg media, speech.
May import: ``model``, ``typeset``, ``errors``, ``resources``. Never imports ``channels``,
``pack`` or ``partners``: a renderer does not know which channel asked for it.
"""
