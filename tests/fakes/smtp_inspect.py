"""tests/fakes/smtp_inspect.py: check a delivered (or written) message with Python's own
email parser, for the mail tests.

    python3 tests/fakes/smtp_inspect.py FILE [--subject S] [--from-name N] [--from-addr A]
        [--to-addr A] [--text T] [--html H] [--message-id ID]

Checks the wire form (CRLF line endings only, header lines <= 78 characters, body lines
<= 998), that the parser finds no defects, Date and MIME-Version, then the decoded values:
subject, addresses, and the exact text and HTML parts (line endings normalised). With both
--text and --html the message must be multipart/alternative with text/plain first. Exits 1
with the reasons on stderr; prints a JSON summary on success.
"""
import argparse
import email
import email.policy
import email.utils
import json
import re
import sys


def fail(errors):
    for e in errors:
        print("smtp_inspect: " + e, file=sys.stderr)
    sys.exit(1)


def norm(s):
    return s.replace("\r\n", "\n").rstrip("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    for opt in ("subject", "from-name", "from-addr", "to-addr", "text", "html", "message-id"):
        ap.add_argument("--" + opt)
    a = ap.parse_args()
    raw = open(a.file, "rb").read()
    errors = []

    lines = raw.split(b"\r\n")
    if b"\n" in raw.replace(b"\r\n", b"") or b"\r" in raw.replace(b"\r\n", b""):
        errors.append("bare CR or LF in the message")
    in_headers = True
    for i, line in enumerate(lines):
        if in_headers and line == b"":
            in_headers = False
        limit = 78 if in_headers else 998
        if len(line) > limit:
            errors.append("line %d is %d characters (limit %d)" % (i + 1, len(line), limit))
        if any(b > 127 for b in line):
            errors.append("line %d has 8-bit bytes" % (i + 1))

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if msg.defects:
        errors.append("defects: %r" % msg.defects)
    if msg["MIME-Version"] != "1.0":
        errors.append("MIME-Version is %r" % msg["MIME-Version"])
    try:
        email.utils.parsedate_to_datetime(msg["Date"])
    except Exception as e:  # noqa: BLE001
        errors.append("Date %r does not parse: %s" % (msg["Date"], e))
    mid = msg["Message-ID"] or ""
    if not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", mid.strip()):
        errors.append("Message-ID %r is not <id@domain>" % mid)
    if a.message_id and mid.strip() != a.message_id:
        errors.append("Message-ID %r, expected %r" % (mid, a.message_id))
    if a.subject is not None and str(msg["Subject"]) != a.subject:
        errors.append("Subject %r, expected %r" % (str(msg["Subject"]), a.subject))
    frm = msg["From"].addresses[0] if msg["From"] and msg["From"].addresses else None
    if a.from_addr and (not frm or frm.addr_spec != a.from_addr):
        errors.append("From address %r, expected %r" % (frm and frm.addr_spec, a.from_addr))
    if a.from_name is not None and (not frm or frm.display_name != a.from_name):
        errors.append("From name %r, expected %r" % (frm and frm.display_name, a.from_name))
    to = msg["To"].addresses[0] if msg["To"] and msg["To"].addresses else None
    if a.to_addr and (not to or to.addr_spec != a.to_addr):
        errors.append("To %r, expected %r" % (to and to.addr_spec, a.to_addr))

    parts = []
    if msg.is_multipart():
        if msg.get_content_type() != "multipart/alternative":
            errors.append("content type %s" % msg.get_content_type())
        for p in msg.iter_parts():
            if p.defects:
                errors.append("part defects: %r" % p.defects)
            parts.append(p)
    else:
        parts.append(msg)
    types = [p.get_content_type() for p in parts]
    want = [t for t, v in (("text/plain", a.text), ("text/html", a.html)) if v is not None]
    if want and types != want:
        errors.append("parts %r, expected %r" % (types, want))
    for p in parts:
        if (p.get_content_charset() or "").lower() != "utf-8":
            errors.append("%s charset %r" % (p.get_content_type(), p.get_content_charset()))
        cte = str(p["Content-Transfer-Encoding"] or "").lower()
        if cte not in ("quoted-printable", "base64"):
            errors.append("%s transfer encoding %r" % (p.get_content_type(), cte))
        body = norm(p.get_content())
        expected = a.text if p.get_content_type() == "text/plain" else a.html
        if expected is not None and body != norm(expected):
            errors.append("%s body %r, expected %r" % (p.get_content_type(), body[:200], expected[:200]))
    if errors:
        fail(errors)
    print(json.dumps({"subject": str(msg["Subject"]), "parts": types, "message_id": mid,
                      "encodings": [str(p["Content-Transfer-Encoding"]) for p in parts]}))


if __name__ == "__main__":
    main()
