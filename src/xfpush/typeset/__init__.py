"""Chinese typesetting: fonts, glyph coverage, widths, line breaking, fitting text to boxes.

Owns: the bundled fonts, 避头尾 rules, whole numbers and URLs, balanced headlines, the fit
ladder's size search, GB2312/GBK/GB18030 charsets. May import: ``errors``, ``resources``.
Knows nothing of messages, channels or pixels beyond glyph advances.
"""
