"""Campaigns: the publicity calendar, districts tables, recipes and batch production.

Owns: lunar and solar campaign dates, reading CSV/XLSX districts tables, turning a recipe
and a row into a message, and producing one pack per row in parallel (process pool or Dask).
May import: ``pack``, ``model``, ``errors``, ``resources``.
"""
