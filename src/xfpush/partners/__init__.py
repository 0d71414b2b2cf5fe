"""Partners: adapters turn a pack into a partner package; transports deliver it; the ledger remembers.

Owns: the adapter loader (entry points + folders), packaging (deterministic zips, operator
CSVs, instruction sheets), transports (folder, signed HTTP, SMTP), approvals, the delivery
ledger (leases, so parallel runs send once), the reference receiver (``receiver``: signed,
replay-proof; ``serving``: bounded pool and timeouts; ``multipart``: streamed bodies), the
monthly report, and ``safe``: redacted URLs and spreadsheet cells neutralised against
formulas. May import: ``pack`` (to read a pack's manifest), ``errors``, ``resources``. Never
draws pixels or imports ``channels``.
"""
