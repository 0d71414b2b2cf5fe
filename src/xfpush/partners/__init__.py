"""Partners: adapters turn a pack into a partner package; transports deliver it; the ledger remembers.

Owns: the adapter loader (entry points + folders), packaging (deterministic zips, operator
CSVs, instruction sheets), transports (folder, signed HTTP, SMTP), approvals, the delivery
ledger, the reference receiver and the monthly report. May import: ``pack`` (to read a pack's
manifest), ``errors``, ``resources``. Never draws pixels or imports ``channels``.
"""
