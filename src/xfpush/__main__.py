"""``python -m xfpush``: the same as the ``xfpush`` command."""

from .cli import main

main()
