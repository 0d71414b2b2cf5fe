"""Chinese typesetting: fonts, glyph coverage, widths, line breaking, fitting text to boxes.

Owns: the bundled fonts, words (rjieba + the fire-safety dictionary), 避头尾 rules, whole
numbers and URLs, no orphans, balanced headlines, the fit
ladder's size search, GB2312/GBK/GB18030 charsets. May import: ``errors``, ``resources``.
Knows nothing of messages, channels or pixels beyond glyph advances.
"""
