"""The hostile-input suite: every attack of issue 16, made for real and kept closed.

Each case is attacked once, in one place: real ``python -m xfpush`` processes (under the memory
and time limits of ``conftest.py``), real sockets on 127.0.0.1 for the receiver, a real SMTP
server for mail, real signals for interruption. A case passes when it is refused or handled with
a Chinese message, the right exit code, no traceback, and nothing lost or duplicated.

========================  =====================================================================
module                    cases
========================  =====================================================================
test_input_files          YAML alias bomb and loop, /dev/zero, folder, FIFO, symbolic-link loop,
                          50k brackets in YAML/JSON/TOML, duplicate keys, oversized files and
                          lists, truncated and decompression-bomb logos, truncated fonts,
                          logo/map outside the message folder, ``--allow-path`` to a device,
                          id traversal
test_links                non-ASCII and IDN QR links (check and pack agree), control characters
test_minimal_message      a message without tips, QR or body makes every channel
test_output_places        ``-o afile/sub``, ``--to file://afile``, read-only parent, read-only
                          older pack, staging left by ``kill -9`` during ``pack`` removed by the
                          next ``pack``
test_pack_state           damaged ``manifest.json`` / ``approvals.json``, signing a damaged pack
test_receiver             200 MB unsigned/forged/signed bodies (peak RSS), bad Content-Length,
                          timestamps and keys, replay under a new key, changed manifest part,
                          50 slow-body and slowloris connections, bounded threads
test_delivery_abuse       four parallel ``deliver`` runs (SMTP and HTTP) send once, credentials
                          in ``--to`` URLs (used, never printed, stored or reported), broken
                          ledgers (folder, corrupt, truncated, foreign, FIFO, device)
test_spreadsheets         formula injection in XLSX/CSV reports and partner CSVs, XLSX formula
                          cells without a saved value, header-only tables, GBK CSV, XLSX zip
                          and dimension bombs, over-long CSV cells
test_interruption         Ctrl-C on ``batch -j2``, ``kill -9`` of the batch parent
========================  =====================================================================
"""
