"""The workbench (``xfpush serve``): the whole job in a browser, through the library's own calls.

Owns: the Starlette app (``app``), the workspace database (``store``: messages, packs,
sign-offs, users, audit log), the compose form and its live checks (``forms``, ``compose``),
live previews (``previews``), generating, reviewing and downloading packs (``review``),
deliveries (``deliver``), batches, the calendar and the monthly report (``campaign``),
accounts, sessions, CSRF and roles (``accounts``), and starting the server (``server``).
Templates and the vendored htmx (0BSD, licence beside it) live in ``templates/`` and
``static/``; nothing is fetched from a CDN. May import: every package below ``cli``
(``model``, ``typeset``, ``render``, ``channels``, ``pack``, ``partners``, ``campaigns``),
``errors``, ``resources``; nothing imports ``web`` but ``cli.serve`` (inside the command).
"""
