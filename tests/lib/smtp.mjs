// tests/lib/smtp.mjs: a real SMTP server for the mail tests (smtp_sink.py on
// Debian's python3-aiosmtpd, STARTTLS with a certificate made here by
// openssl), and helpers to read what it received.
//
// startSmtp({port, auth}) resolves once the server listens (its own log
// line, no sleep) to {port, url(), caFile, messages(), waitFor(pred), stop()}.
// waitFor polls the spool directory until pred holds for the received
// messages or the deadline passes (then it fails, listing what came).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// A self-signed certificate for 127.0.0.1, made once per process.
let certDir = null;
export function testCert() {
  if (certDir) return { cert: path.join(certDir, 'cert.pem'), key: path.join(certDir, 'key.pem') };
  certDir = mkdtempSync(path.join(tmpdir(), 'parley-smtp-cert-'));
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  process.on('exit', () => rmSync(certDir, { recursive: true, force: true }));
  return testCert();
}

// A port nothing listens on right now (for a server started later).
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function startSmtp({ port = 0, auth } = {}) {
  const { cert, key } = testCert();
  const spool = mkdtempSync(path.join(tmpdir(), 'parley-smtp-spool-'));
  const args = [path.join(here, 'smtp_sink.py'), '--spool', spool, '--cert', cert, '--key', key, '--port', String(port)];
  if (auth) args.push('--auth', auth);
  const proc = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const real = await new Promise((resolve, reject) => {
    proc.stdout.on('data', (c) => { log += c; const m = log.match(/listening port=(\d+)/); if (m) resolve(Number(m[1])); });
    proc.stderr.on('data', (c) => { log += c; });
    proc.on('exit', (code) => reject(new Error(`smtp_sink exited (${code}) before listening:\n${log}`)));
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const messages = () => readdirSync(spool).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort()
    .map((f) => JSON.parse(readFileSync(path.join(spool, f), 'utf8')));
  return {
    port: real,
    caFile: cert,
    log: () => log,
    url: (userinfo = '') => `smtp://${userinfo ? userinfo + '@' : ''}127.0.0.1:${real}`,
    messages,
    async waitFor(pred, { timeoutMs = 20000, what = 'mail' } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const all = messages();
        const got = pred(all);
        if (got) return got;
        if (Date.now() > deadline) {
          throw new Error(`no ${what} within ${timeoutMs} ms; received: ${JSON.stringify(all.map((m) => ({ to: m.rcpt_tos, subject: m.headers.subject })))}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
      rmSync(spool, { recursive: true, force: true });
    },
  };
}

// The first link to PAGE (reset, verify, unsubscribe) in a mail's text, and its token.
export function linkIn(mail, page) {
  const m = mail.text.match(new RegExp(`(https?://\\S+/${page}\\?token=([A-Za-z0-9_-]+))`));
  if (!m) throw new Error(`no /${page} link in: ${mail.text}`);
  return { url: m[1], token: m[2] };
}
