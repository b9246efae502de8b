"""tests/fakes/smtp_sink.py: a real SMTP server (aiosmtpd) on loopback for the mail tests.

    python3 tests/fakes/smtp_sink.py --dir DIR [--tls] [--user U --password P]

Listens on 127.0.0.1 on an ephemeral port and prints {"port": N} on stdout. With --tls it
makes a self-signed certificate for 127.0.0.1/localhost in DIR/cert.pem (give it to the
client as its CA) and requires STARTTLS before anything else; with --user it requires AUTH
(offered only after STARTTLS, as aiosmtpd does by default). Each accepted message is written
byte for byte to DIR/mail/NNNN.eml, its envelope (mail_from, rcpt_tos, auth user) to
DIR/mail/NNNN.json. Recipients whose local part is "reject-perm" get 550 5.1.1, "reject-temp"
451 4.3.0. Exits when stdin closes. Needs aiosmtpd (Debian python3-aiosmtpd) and openssl.
aiosmtpd's own session log (tracebacks of refused TLS handshakes, which some tests cause on
purpose) is shown only with SMTP_SINK_VERBOSE=1.
"""
import argparse
import asyncio
import json
import logging
import os
import ssl
import subprocess
import sys
import threading
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def make_cert(d):
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", key, "-out", cert],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local == "reject-perm":
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local == "reject-temp":
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.outdir, "%04d" % self.count)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "auth": session.auth_data if isinstance(session.auth_data, str) else None,
                       "tls": session.ssl is not None}, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 queued as %04d" % self.count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--user")
    ap.add_argument("--password")
    a = ap.parse_args()
    if not os.environ.get("SMTP_SINK_VERBOSE"):
        logging.getLogger("mail.log").setLevel(logging.CRITICAL + 1)
        warnings.filterwarnings("ignore", message=".*login_data.*")
    maildir = os.path.join(a.dir, "mail")
    os.makedirs(maildir, exist_ok=True)
    ctx = make_cert(a.dir) if a.tls else None

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and a.user is not None
              and auth_data.login.decode() == a.user and auth_data.password.decode() == (a.password or ""))
        return AuthResult(success=ok, handled=False, auth_data=auth_data.login.decode() if ok else None)

    handler = Sink(maildir)

    def factory():
        return SMTP(handler, hostname="sink.test", tls_context=ctx, require_starttls=bool(ctx),
                    auth_required=a.user is not None, authenticator=authenticator if a.user else None,
                    timeout=30)

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"port": port}), flush=True)

    def watch_stdin():
        sys.stdin.read()
        loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
