"""The message: the YAML file a person writes, read safely and validated into ``Message``.

Owns: bounded reading, field validation with file:line in Chinese, user images (logo,
evacuation map) accepted or refused. May import: ``errors``, ``resources``; nothing else of
xfpush. Everything downstream takes a ``Message`` and never re-reads the file.
"""
