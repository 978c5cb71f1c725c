#!/usr/bin/python3
"""tests/lib/smtp_sink.py: a real SMTP server on loopback for the mail tests.

aiosmtpd (Debian's python3-aiosmtpd) with STARTTLS required and, when asked,
AUTH. Every message it accepts is written to the spool directory as one JSON
file (written under a temporary name, then renamed, so a reader never sees
half a file): the envelope, whether TLS and AUTH were used, the decoded
headers, the text and HTML parts and the raw message. Recipients whose
address contains "bounce" are refused with 550 (a permanent failure).

Usage: smtp_sink.py --spool DIR --cert CERT --key KEY [--port N] [--auth USER:PASS]
Prints "listening port=N" once it accepts connections.
"""
import argparse
import asyncio
import email
import itertools
import json
import os
import ssl
from email import policy

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, spool):
        self.spool = spool
        self.seq = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if 'bounce' in address:
            return '550 5.1.1 no such mailbox here'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=policy.default)
        text = msg.get_body(preferencelist=('plain',))
        html = msg.get_body(preferencelist=('html',))
        rec = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'tls': session.ssl is not None,
            'auth': session.authenticated,
            'headers': {k.lower(): str(v) for k, v in msg.items()},
            'content_type': msg.get_content_type(),
            'text': text.get_content() if text is not None else None,
            'html': html.get_content() if html is not None else None,
            'raw': raw.decode('utf-8', 'replace'),
        }
        name = '%06d.json' % next(self.seq)
        tmp = os.path.join(self.spool, '.' + name)
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(rec, f)
        os.rename(tmp, os.path.join(self.spool, name))
        return '250 2.0.0 accepted'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--spool', required=True)
    ap.add_argument('--cert', required=True)
    ap.add_argument('--key', required=True)
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--auth')
    args = ap.parse_args()

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(args.cert, args.key)
    user, password = (args.auth.split(':', 1) + [''])[:2] if args.auth else (None, None)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
              and auth_data.password.decode() == password)
        return AuthResult(success=ok, handled=False)

    handler = Sink(args.spool)

    def factory():
        return SMTP(handler, hostname='sink.test', tls_context=ctx, require_starttls=True,
                    authenticator=authenticator if user else None, auth_required=bool(user),
                    auth_require_tls=True)

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(factory, host='127.0.0.1', port=args.port))
    print('listening port=%d' % server.sockets[0].getsockname()[1], flush=True)
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
