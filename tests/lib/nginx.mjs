// tests/lib/nginx.mjs: run Debian's nginx (nginx-light) for a test, as the
// current user, with everything it writes inside one temporary directory.
//
// startNginx(dir, httpBlock, ready) writes DIR/nginx.conf (foreground, one
// process, pid file, error log and temp paths in DIR) around `httpBlock`, the
// text of its http {} block, starts nginx and resolves once `ready()`
// resolves true: the real condition the test needs (nginx answering through
// to Parley), since nginx prints no readiness line to wait for instead.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

// A port that was free a moment ago (bind port 0, read it, close).
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function startNginx(dir, httpBlock, ready) {
  const conf = `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${httpBlock}
}
`;
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  const errlog = path.join(dir, 'error.log');
  const proc = spawn(NGINX, ['-p', dir, '-c', file, '-e', errlog], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig })));
  const log = () => stderr + (existsSync(errlog) ? readFileSync(errlog, 'utf8') : '');
  // Bounded: 200 tries 25 ms apart; each try is a real request.
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`nginx exited: ${log()}`);
    try {
      if (await ready()) break;
    } catch { /* not listening yet */ }
    if (i >= 200) {
      proc.kill('SIGQUIT');
      throw new Error(`nginx did not answer: ${log()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    proc,
    exited,
    log,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGQUIT');
      return exited;
    },
  };
}
