"""The reference receiver under attack, for real: its own process, raw sockets on 127.0.0.1."""

from __future__ import annotations

import hashlib
import re
import secrets
import socket
import time
from pathlib import Path

import httpx
import pytest

from xfpush.partners.transports.base import Outgoing
from xfpush.partners.transports.http import signature, signed_request

from .peers import SECRET, ReceiverProcess, raw_request, status_of

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "adapters.md").read_text("utf-8")
MB = 1024 * 1024
BIG = 200 * MB


def outgoing(key: str = "k" * 64, data: bytes = b"PK\x05\x06" + bytes(18)) -> Outgoing:
    return Outgoing("carrier-sms_test", data, {"files": [{"path": "a.txt"}]}, key, "测试")


@pytest.fixture(scope="module")
def receiver(tmp_path_factory) -> ReceiverProcess:
    folder = tmp_path_factory.mktemp("guard") / "inbox"
    peer = ReceiverProcess(folder, "--timeout", "2", "--workers", "4", "--max-bytes",
                           str(256 * MB))
    yield peer
    peer.stop()


def post(url: str, headers: dict[str, str], body: bytes) -> httpx.Response:
    return httpx.post(url, headers=headers, content=body, timeout=10, trust_env=False)


def test_docs_worked_example_is_what_the_code_signs() -> None:
    block = re.search(r"<!-- example: signature -->\n```text\n(.*?)```", DOCS, re.S)
    assert block
    values = dict(line.split(None, 1) for line in block.group(1).strip().splitlines())
    assert signature(values["secret"], values["method"], values["path"], values["timestamp"],
                     values["nonce"], values["key"], values["content_sha256"]) == \
        values["signature"]
    for header in ("Idempotency-Key", "X-Xfpush-Timestamp", "X-Xfpush-Nonce",
                   "X-Xfpush-Content-SHA256", "X-Xfpush-Signature"):
        assert f"`{header}`" in DOCS


def test_a_signed_upload_is_stored_once_and_a_new_nonce_gets_409(receiver) -> None:
    item = outgoing("once-" + "a" * 20)
    first = post(receiver.url, *signed_request(receiver.url, SECRET, item))
    again = post(receiver.url, *signed_request(receiver.url, SECRET, item))
    assert (first.status_code, again.status_code) == (200, 409)
    assert first.json()["receipt_id"] == again.json()["receipt_id"]
    stored = receiver.folder / item.idempotency_key
    assert (stored / "package.zip").read_bytes() == item.zip_bytes


def test_replay_is_refused_even_under_a_new_key(receiver) -> None:
    item = outgoing("replay-" + "b" * 20)
    headers, body = signed_request(receiver.url, SECRET, item)
    assert post(receiver.url, headers, body).status_code == 200
    exact = post(receiver.url, headers, body)
    assert exact.status_code == 401 and "重放" in exact.json()["error"]
    renamed = post(receiver.url, {**headers, "Idempotency-Key": "replay-" + "c" * 20}, body)
    assert renamed.status_code == 401
    assert not (receiver.folder / ("replay-" + "c" * 20)).exists()


def test_a_tampered_manifest_part_is_refused(receiver) -> None:
    item = outgoing("tamper-" + "d" * 20)
    headers, body = signed_request(receiver.url, SECRET, item)
    tampered = body.replace(b'"a.txt"', b'"b.txt"')
    assert tampered != body and len(tampered) == len(body)
    answer = post(receiver.url, headers, tampered)
    assert answer.status_code == 400 and "SHA-256" in answer.json()["error"]
    assert not (receiver.folder / item.idempotency_key).exists()
    assert post(receiver.url, headers, body).status_code == 200  # its nonce was not spent


def test_a_badly_signed_request_does_not_use_up_the_nonce_or_the_key(receiver) -> None:
    item = outgoing("squat-" + "e" * 20)
    headers, body = signed_request(receiver.url, SECRET, item)
    forged = {**headers, "X-Xfpush-Signature": "sha256=" + "0" * 64}
    assert post(receiver.url, forged, body).status_code == 401
    assert post(receiver.url, headers, body).status_code == 200


def head(length: str | None = "10485760", **overrides: str) -> bytes:
    """Headers of an upload that claims a body (never sent), with some replaced or removed."""
    headers, _ = signed_request("http://x/upload", SECRET, outgoing("hdr-" + "f" * 20))
    if length is not None:
        headers["Content-Length"] = length
    headers.update(overrides)
    lines = [f"{k}: {v}" for k, v in headers.items() if v != "-"]
    return ("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "\r\n".join(lines)
            + "\r\n\r\n").encode("utf-8")


@pytest.mark.parametrize(("request_head", "status"), [
    (head(None), 411),
    (head("-1"), 400),
    (head("abc"), 400),
    (head("¹²³"), 400),
    (head("1" * 40), 400),
    (head(str(300 * MB)), 413),
    (head(**{"Transfer-Encoding": "chunked"}), 411),
    (head(**{"X-Xfpush-Timestamp": "¹²³"}), 400),
    (head(**{"X-Xfpush-Timestamp": "1"}), 401),
    (head(**{"Idempotency-Key": "键" * 8}), 400),
    (head(**{"Idempotency-Key": "../../etc"}), 400),
    (head(**{"X-Xfpush-Nonce": "-"}), 400),
    (head(**{"X-Xfpush-Signature": "-"}), 401),
    (head(**{"X-Xfpush-Signature": "sha256=" + "0" * 64}), 401),
    (head(**{"Content-Type": "application/json"}), 415),
], ids=["no-length", "length--1", "length-abc", "length-superscript", "length-huge-digits",
        "too-large", "chunked", "timestamp-superscript", "timestamp-old", "key-non-ascii",
        "key-path", "no-nonce", "no-signature", "bad-signature", "not-multipart"])
def test_bad_headers_are_refused_without_reading_the_body(receiver, request_head,
                                                          status) -> None:
    # The 10 MB body is never sent: an answer at all proves the receiver did not wait for it.
    answer = raw_request(receiver.port, request_head)
    assert status_of(answer) == status, answer[:200]
    assert b"Traceback" not in answer


def stream_body(length: int, *, signed: bool, forged: bool = False) -> tuple[bytes, bytes,
                                                                            bytes, int]:
    """(headers, part head, part tail, package bytes) for a body of ``length`` bytes of zeros."""
    boundary = "guardboundary"
    part_head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"manifest\"\r\n\r\n"
                 f"{{}}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"package\"; "
                 f"filename=\"p.zip\"\r\n\r\n").encode()
    part_tail = f"\r\n--{boundary}--\r\n".encode()
    package = length - len(part_head) - len(part_tail)
    lines = [f"Content-Length: {length}",
             f"Content-Type: multipart/form-data; boundary={boundary}"]
    if signed or forged:
        digest = hashlib.sha256(part_head)
        chunk = bytes(MB)
        for offset in range(0, package, MB):
            digest.update(chunk[:min(MB, package - offset)])
        digest.update(part_tail)
        stamp, nonce, key = str(int(time.time())), secrets.token_hex(16), f"big-{length}"
        mac = signature(SECRET if signed else "wrong", "POST", "/upload", stamp, nonce, key,
                        digest.hexdigest())
        lines += [f"Idempotency-Key: {key}", f"X-Xfpush-Timestamp: {stamp}",
                  f"X-Xfpush-Nonce: {nonce}", f"X-Xfpush-Content-SHA256: {digest.hexdigest()}",
                  f"X-Xfpush-Signature: {mac}"]
    headers = ("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "\r\n".join(lines)
               + "\r\n\r\n").encode()
    return headers, part_head, part_tail, package


def send_stream(port: int, headers: bytes, part_head: bytes, part_tail: bytes,
                package: int) -> tuple[int, int]:
    """Send as much of the body as the receiver takes; (bytes sent, answer status)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(headers + part_head)
            chunk = bytes(MB)
            for offset in range(0, package, MB):
                sock.sendall(chunk[:min(MB, package - offset)])
                sent += min(MB, package - offset)
            sock.sendall(part_tail)
        except OSError:
            pass
        try:
            answer = sock.recv(4096)
        except OSError:
            answer = b""
    return sent, status_of(answer)


@pytest.mark.slow
@pytest.mark.parametrize("forged", [False, True], ids=["unsigned", "forged-signature"])
def test_a_200mb_hostile_body_is_refused_before_it_is_read(receiver, forged) -> None:
    before = receiver.rss_kb()
    sent, status = send_stream(receiver.port, *stream_body(BIG, signed=False, forged=forged))
    assert sent < BIG // 4, "the receiver kept reading a body it should have refused"
    assert status in (0, 400, 401)  # the answer may be lost to the reset that stops the upload
    assert receiver.peak_rss_kb() - before < 64 * 1024
    assert not any(p.name.startswith("big-") for p in receiver.folder.iterdir())


@pytest.mark.slow
def test_a_signed_200mb_body_is_streamed_to_disk_in_bounded_memory(receiver) -> None:
    before = receiver.rss_kb()
    sent, status = send_stream(receiver.port, *stream_body(BIG, signed=True))
    assert status == 200
    stored = receiver.folder / f"big-{BIG}" / "package.zip"
    assert stored.stat().st_size == sent
    assert receiver.peak_rss_kb() - before < 64 * 1024
    stored.unlink()


def _open_slow_clients(port: int, body_clients: int, header_clients: int,
                       ) -> list[tuple[socket.socket, bytes]]:
    """Connections that never finish: signed headers then a body trickled a byte at a time
    (each with its own nonce, so none is refused early as a replay), and slowloris clients
    trickling header bytes forever."""
    clients = []
    for n in range(body_clients + header_clients):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if n < body_clients:
            signed_head, part_head, _, _ = stream_body(10 * MB, signed=True)
            sock.sendall(signed_head + part_head)
            clients.append((sock, b"\0"))
        else:
            sock.sendall(b"POST /upload HTTP/1.1\r\n")
            clients.append((sock, b"X"))
        sock.setblocking(False)
    return clients


def _wait_until_dropped(clients: list[tuple[socket.socket, bytes]], seconds: float,
                        ) -> list[socket.socket]:
    """Keep trickling until the receiver closes every connection; those still open."""
    open_ = dict(clients)
    deadline = time.monotonic() + seconds
    while open_ and time.monotonic() < deadline:
        for sock, trickle in list(open_.items()):
            try:
                sock.send(trickle)
                if sock.recv(4096) == b"":
                    del open_[sock]
            except BlockingIOError:
                continue
            except OSError:
                del open_[sock]
        time.sleep(0.3)
    return list(open_)


@pytest.mark.slow
def test_slow_clients_are_dropped_and_threads_stay_bounded(receiver) -> None:
    # 10 MB at the minimum rate would be allowed 160 s: a trickle must be cut off far sooner
    clients = _open_slow_clients(receiver.port, body_clients=50, header_clients=10)
    threads = receiver.threads()
    try:
        still_open = _wait_until_dropped(clients, 30)
    finally:
        for sock, _ in clients:
            sock.close()
    assert not still_open, f"{len(still_open)} of {len(clients)} slow connections still open"
    assert threads <= 4 + 4, f"{threads} threads for 4 workers"
    assert not (receiver.folder / f"big-{10 * MB}").exists()  # no trickled body was stored
    item = outgoing("after-" + "g" * 20)
    assert post(receiver.url, *signed_request(receiver.url, SECRET, item)).status_code == 200
