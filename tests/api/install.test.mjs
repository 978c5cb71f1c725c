// tests/api/install.test.mjs: what an operator installs (issue 13).
// `make install` and `make uninstall` with PREFIX and DESTDIR; the sample
// config holds every setting and parses with all of them uncommented; the
// systemd unit passes `systemd-analyze verify` and its exposure score is
// printed; the runtime package list is exactly the packages of the libraries
// `ldd` shows plus the ones the server dlopens; and every system call the
// release server makes through a session (requests, a live stream, a reload,
// metrics, shutdown) is allowed by the unit's SystemCallFilter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '../lib/server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RELEASE = path.join(root, 'build', 'parley');

function sh(cmd, args, opts = {}) {
  const env = { ...process.env, ...(opts.env || {}) };
  for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES']) delete env[k];
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', ...opts, env });
  assert.ok(!r.error, `${cmd}: ${r.error && r.error.message}`);
  return r;
}

test('make install and uninstall, with PREFIX and DESTDIR', (t) => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'parley-install-'));
  try {
    // Real paths (no DESTDIR), so the unit names files that exist.
    const vars = [`PREFIX=${tmp}/usr`, `SYSCONFDIR=${tmp}/etc`, `UNITDIR=${tmp}/unit`];
    let r = sh('make', ['-s', 'install', ...vars]);
    assert.equal(r.status, 0, r.stderr);
    const bin = `${tmp}/usr/bin/parley`;
    const conf = `${tmp}/etc/parley/parley.conf`;
    const unit = `${tmp}/unit/parley.service`;
    for (const f of [bin, conf, unit, `${tmp}/usr/share/man/man1/parley.1`]) assert.ok(existsSync(f), f);
    assert.match(sh(bin, ['--version']).stdout, /^parley \d+\.\d+\.\d+ /);
    assert.match(readFileSync(unit, 'utf8'), new RegExp(`^ExecStart=${bin} serve --config ${conf} `, 'm'));

    // The sample names every setting of `serve --help`, and parses with all
    // of them uncommented (each at its default).
    const sample = readFileSync(conf, 'utf8');
    const names = [...sh(RELEASE, ['serve', '--help']).stdout.matchAll(/^ {2}([a-z_.]+) {2,}/gm)].map((m) => m[1]);
    assert.ok(names.length > 30, `settings listed: ${names.length}`);
    for (const n of names) assert.match(sample, new RegExp(`^#${n.replace('.', '\\.')} = `, 'm'), `sample has ${n}`);
    const open = path.join(tmp, 'open.conf');
    writeFileSync(open, sample.replace(/^#([a-z_.]+ = )/gm, '$1'));
    r = sh(RELEASE, ['config', '--check', '--config', open]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(sh(RELEASE, ['config', '--check', '--config', conf]).status, 0);

    r = sh('systemd-analyze', ['verify', '--man=no', unit]);
    assert.equal(r.status, 0, `systemd-analyze verify:\n${r.stdout}${r.stderr}`);
    assert.equal((r.stdout + r.stderr).trim(), '', 'no warnings');
    r = sh('systemd-analyze', ['security', '--offline=yes', unit]);
    const m = (r.stdout + r.stderr).match(/Overall exposure level for parley\.service: ([\d.]+) (\S+)/);
    assert.ok(m, r.stdout + r.stderr);
    t.diagnostic(`systemd-analyze security: ${m[1]} ${m[2]}`);
    assert.ok(Number(m[1]) <= 2.0, `exposure ${m[1]} stays low`);

    // An edited config survives a reinstall and an uninstall.
    writeFileSync(conf, sample + 'public_url = https://comments.example.com\n');
    assert.equal(sh('make', ['-s', 'install', ...vars]).status, 0);
    assert.match(readFileSync(conf, 'utf8'), /comments\.example\.com/);
    r = sh('make', ['-s', 'uninstall', ...vars]);
    assert.equal(r.status, 0, r.stderr);
    for (const f of [bin, unit, `${tmp}/usr/share/man/man1/parley.1`]) assert.ok(!existsSync(f), `${f} removed`);
    assert.ok(existsSync(conf), 'the edited config is kept');
    assert.match(r.stdout, /keeping .*parley\.conf/);

    // DESTDIR stages everything under one directory; an unedited config goes.
    const stage = path.join(tmp, 'stage');
    assert.equal(sh('make', ['-s', 'install', `DESTDIR=${stage}`, 'PREFIX=/usr']).status, 0);
    for (const f of ['/usr/bin/parley', '/usr/share/man/man1/parley.1', '/etc/systemd/system/parley.service', '/etc/parley/parley.conf']) {
      assert.ok(existsSync(stage + f), `DESTDIR: ${f}`);
    }
    assert.match(readFileSync(`${stage}/etc/systemd/system/parley.service`, 'utf8'), /^ExecStart=\/usr\/bin\/parley serve /m);
    assert.equal(sh('make', ['-s', 'uninstall', `DESTDIR=${stage}`, 'PREFIX=/usr']).status, 0);
    assert.ok(!existsSync(`${stage}/etc/parley/parley.conf`), 'the unedited sample is removed');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

// The Debian packages owning library files, in one dpkg call (usrmerge:
// each file is tried under both spellings of its directory).
function packagesOf(files) {
  const tries = new Map();
  for (const f of files) {
    const real = realpathSync(f);
    const names = new Set([f, real, real.startsWith('/usr/') ? real.slice(4) : '/usr' + real,
      f.startsWith('/usr/') ? f.slice(4) : '/usr' + f]);
    tries.set(f, [...names]);
  }
  const out = spawnSync('dpkg', ['-S', ...[...tries.values()].flat()], { encoding: 'utf8' }).stdout;
  const owner = new Map();
  for (const line of out.split('\n')) {
    const m = line.match(/^([^:,\s]+)(?::[a-z0-9]+)?: (\S+)$/);
    if (m) owner.set(m[2], m[1]);
  }
  return files.map((f) => {
    const hit = tries.get(f).find((n) => owner.has(n));
    assert.ok(hit, `no package owns ${f}`);
    return owner.get(hit);
  });
}

test('the runtime package list is what ldd and dlopen need, no more, no less', () => {
  const listed = readFileSync(path.join(root, 'dist', 'runtime-packages.txt'), 'utf8')
    .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).sort();
  const r = sh('ldd', [RELEASE]);
  assert.equal(r.status, 0, r.stderr);
  const files = [];
  for (const line of r.stdout.split('\n')) {
    const m = line.match(/=> (\/\S+)/) || line.match(/^\s*(\/\S+)/);
    if (m) files.push(m[1]);
  }
  // Libraries opened at run time: their sonames are in the binary.
  const sonames = new Set(readFileSync(RELEASE).toString('latin1').match(/lib(pq|xml2|curl)\.so\.\d+/g));
  assert.deepEqual([...sonames].sort(), ['libcurl.so.4', 'libpq.so.5', 'libxml2.so.2']);
  const arch = spawnSync('dpkg-architecture', ['-qDEB_HOST_MULTIARCH'], { encoding: 'utf8' }).stdout.trim() || 'x86_64-linux-gnu';
  for (const so of sonames) files.push(`/usr/lib/${arch}/${so}`);
  assert.deepEqual([...new Set(packagesOf(files))].sort(), listed);
});

// The syscalls in a systemd filter set, with nested @groups expanded.
function filterSet(spec) {
  const out = sh('systemd-analyze', ['syscall-filter']).stdout;
  const groups = new Map();
  let cur = null;
  for (const line of out.split('\n')) {
    const head = line.match(/^(@[a-z-]+)$/);
    if (head) { cur = head[1]; groups.set(cur, []); continue; }
    const item = line.match(/^\s+([@a-z0-9_-]+)\s*$/);
    if (cur && item) groups.get(cur).push(item[1]);
  }
  const expand = (name, seen = new Set()) => {
    if (!name.startsWith('@')) return [name];
    if (seen.has(name)) return [];
    seen.add(name);
    return (groups.get(name) || []).flatMap((n) => expand(n, seen));
  };
  return new Set(expand(spec));
}

test('the server runs within the unit\'s SystemCallFilter (every syscall it makes, traced)', async () => {
  const unit = readFileSync(path.join(root, 'dist', 'parley.service.in'), 'utf8');
  const allowSpecs = [...unit.matchAll(/^SystemCallFilter=([^~].*)$/gm)].flatMap((m) => m[1].split(/\s+/));
  const denySpecs = [...unit.matchAll(/^SystemCallFilter=~(.*)$/gm)].flatMap((m) => m[1].split(/\s+/));
  assert.deepEqual(allowSpecs, ['@system-service']);
  const allowed = new Set(allowSpecs.flatMap((s) => [...filterSet(s)]));
  for (const s of denySpecs) for (const c of filterSet(s)) allowed.delete(c);

  const tmp = mkdtempSync(path.join(tmpdir(), 'parley-strace-'));
  try {
    const conf = path.join(tmp, 'parley.conf');
    writeFileSync(conf, 'policy.personal_attack = hold\n');
    const trace = path.join(tmp, 'trace');
    // As the unit runs it: an unprivileged user (DynamicUser), so SQLite
    // does not try to give its files to root's owner.
    chmodSync(tmp, 0o777);
    chmodSync(conf, 0o644);
    const asUser = process.getuid() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : [];
    const p = spawn('strace', ['-f', '-qq', '-o', trace, ...asUser, RELEASE, 'serve', '--listen', '127.0.0.1:0', '--db', `sqlite:${tmp}/p.db`,
      '--config', conf, '--metrics-listen', '127.0.0.1:0', '--rate-limit', 'off'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const exited = new Promise((resolve) => p.on('exit', (code) => resolve(code)));
    const waitLog = (re) => new Promise((resolve, reject) => {
      if (re.test(log)) return resolve();
      const on = (c) => { log += c; if (re.test(log)) { p.stderr.off('data', on); resolve(); } };
      p.stderr.on('data', on);
      p.on('exit', () => reject(new Error(`server exited:\n${log}`)));
    });
    p.stderr.on('data', (c) => { log += c; });
    await waitLog(/msg=listening url=\S+/);
    const url = log.match(/msg=listening url=(\S+)/)[1];
    // Signals go to the server, strace's child, not to strace.
    const server = Number(readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    assert.ok(server > 0);
    const murl = log.match(/msg="metrics listening" url=(\S+)/)[1];
    const c = new Client(url);
    assert.equal((await c.register('Tracy', 'tracy@example.com')).status, 201);
    const stream = http.get(`${url}/api/v1/articles/tr-1/events`);
    await new Promise((resolve) => stream.on('response', resolve));
    assert.equal((await c.post('/api/v1/articles/tr-1/comments', { body: 'A traced comment on the ferry.' })).status, 201);
    assert.equal((await c.get('/api/v1/articles/tr-1/comments')).status, 200);
    assert.equal((await fetch(url + '/embed.js')).status, 200);
    assert.equal((await fetch(murl)).status, 200);
    stream.destroy();
    process.kill(server, 'SIGHUP');
    await waitLog(/msg=reloaded/);
    await waitLog(/msg="static files compressed"/);
    process.kill(server, 'SIGTERM');
    assert.equal(await exited, 0, log);
    const used = new Set();
    let started = false; // what setpriv does before it runs the server is not the server's
    for (const line of readFileSync(trace, 'utf8').split('\n')) {
      if (!started) { started = line.includes(`execve("${RELEASE}"`); continue; }
      const m = line.match(/^\d+\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]/);
      if (m && m[1] !== 'exited' && m[1] !== 'killed') used.add(m[1]);
    }
    assert.ok(used.size > 30, `traced ${used.size} syscalls`);
    const outside = [...used].filter((s) => !allowed.has(s)).sort();
    assert.deepEqual(outside, [], `syscalls outside the filter: ${outside.join(' ')}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
