// tests/api/notify.test.mjs: notification mails against a real SMTP server
// on loopback (tests/lib/smtp_sink.py): a reply to the author (once per
// thread per hour, not for one's own replies, not from a muted reader), a
// moderator's reject or feature with the reason, the pending queue for
// staff past their threshold; GET/PUT /me/notifications; the one-click
// unsubscribe of RFC 8058 (List-Unsubscribe and List-Unsubscribe-Post, and
// the POST a mail client makes).
//
// "No mail" is asserted without waiting for time to pass: mail leaves the
// outbox in the order it was queued, so the test queues a later mail to a
// sentinel address and, once that one arrived, checks the earlier was never
// sent.
//
// Every mail is in its recipient's language (docs/I18N.md, "Mail"): the last
// test has Spanish, Arabic, German, French and Polish ones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, createUser } from '../lib/server.mjs';
import { expectError, stopClean, configFile, articleId } from '../lib/api.mjs';
import { startSmtp, freePort, linkIn } from '../lib/smtp.mjs';

let smtp, srv, mod, sentinelSeq = 0;
// Mail to addr, leaving out the confirmation mail every new reader gets.
const to = (addr) => (all) => all.filter((m) => m.rcpt_tos.includes(addr) && !/^Confirm your address/.test(m.headers.subject));
const one = (addr, subject) => (all) => all.find((m) => m.rcpt_tos.includes(addr) && subject.test(m.headers.subject));

before(async () => {
  smtp = await startSmtp();
  const port = await freePort();
  const conf = configFile([`public_url = http://127.0.0.1:${port}`, `smtp_url = ${smtp.url()}`,
    `smtp_ca_file = ${smtp.caFile}`, 'mail_from = comments@paper.example.com', 'mail_per_recipient_hour = 100'].join('\n'));
  srv = await startServer({ listen: `127.0.0.1:${port}`, args: ['--config', conf] });
  createUser(srv.dbUrl, { email: 'mod@paper.example.com', name: 'Moderator', role: 'moderator' });
  createUser(srv.dbUrl, { email: 'sentinel@paper.example.com', name: 'Sentinel' });
  mod = new Client(srv.url);
  assert.equal((await mod.login('mod@paper.example.com')).status, 200);
});

after(async () => {
  await stopClean(srv);
  await smtp.stop();
});

// Queues a mail to the sentinel and waits for it: every mail queued before
// has been sent (or dropped) by then.
async function flush() {
  const n = ++sentinelSeq;
  assert.equal((await new Client(srv.url).post('/api/v1/auth/password/forgot', { email: 'sentinel@paper.example.com' })).status, 202);
  await smtp.waitFor((all) => to('sentinel@paper.example.com')(all).length >= n, { what: `sentinel mail ${n}` });
}

async function reader(name) {
  const c = new Client(srv.url);
  const email = `${name.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}-${Date.now()}@example.com`;
  const r = await c.register(name, email);
  assert.equal(r.status, 201, r.text);
  c.email = email;
  c.id = r.json.user.id;
  return c;
}

async function post(c, art, body, parent_id) {
  const r = await c.post(`/api/v1/articles/${art}/comments`, parent_id ? { body, parent_id, article_title: 'The harbour reopens' } : { body, article_title: 'The harbour reopens' });
  assert.equal(r.status, 201, r.text);
  return r.json.comment;
}

test('GET/PUT /me/notifications: on for new readers; partial updates; bad values 400', async () => {
  const a = await reader('Settings');
  let r = await a.get('/api/v1/me/notifications');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { notifications: { replies: true, moderation: true }, mail: true });
  r = await a.put('/api/v1/me/notifications', { replies: false });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.notifications, { replies: false, moderation: true });
  assert.deepEqual((await a.get('/api/v1/me/notifications')).json.notifications, { replies: false, moderation: true });
  expectError(await a.put('/api/v1/me/notifications', { replies: 'no' }), 400, 'invalid_field', 'replies');
  expectError(await a.put('/api/v1/me/notifications', { digest: true }), 400, 'invalid_field', 'digest');
  expectError(await a.put('/api/v1/me/notifications', { queue_threshold: 5 }), 403, 'forbidden', 'queue_threshold');
  expectError(await new Client(srv.url).get('/api/v1/me/notifications'), 401, 'login_required');
  r = await mod.get('/api/v1/me/notifications');
  assert.deepEqual(r.json.notifications, { replies: true, moderation: true, queue_threshold: 0 });
  expectError(await mod.put('/api/v1/me/notifications', { queue_threshold: -1 }), 400, 'invalid_field', 'queue_threshold');
});

test('a reply mails the author once per thread per hour, with one-click unsubscribe', async () => {
  const a = await reader('Anna');
  const b = await reader('Ben');
  const art = articleId('reply');
  const top = await post(a, art, 'The harbour should stay open at night.');
  await post(a, art, 'And I reply to myself, which mails nobody.', top.id);
  const reply = await post(b, art, 'I *disagree*: <script>alert(1)</script> the noise is a problem.', top.id);
  const mail = await smtp.waitFor(one(a.email, /Ben replied to your comment on "The harbour reopens"/));
  assert.match(mail.text, /Hello Anna,/);
  assert.match(mail.text, /> I \*disagree\*: <script>alert\(1\)<\/script> the noise is a problem\./);
  assert.doesNotMatch(mail.html, /<script>/, 'the reply is escaped in the HTML part');
  assert.match(mail.html, /&lt;script&gt;/);
  const unsub = mail.headers['list-unsubscribe'].match(/^<(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/unsubscribe\?token=[A-Za-z0-9_-]+)>$/);
  assert.ok(unsub, mail.headers['list-unsubscribe']);
  assert.equal(mail.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
  const page = linkIn(mail, 'unsubscribe');
  assert.equal((await fetch(page.url)).status, 200);

  // More replies in the same thread within the hour: no more mail.
  await post(b, art, 'Second reply in the same thread.', top.id);
  await post(b, art, 'A reply to a reply, same thread.', reply.id);
  // Another thread of Anna's does mail.
  const top2 = await post(a, art, 'A second thought, its own thread.');
  await post(b, art, 'Answering the second thought.', top2.id);
  await smtp.waitFor((all) => to(a.email)(all).length >= 2, { what: 'the second thread\'s mail' });
  await flush();
  assert.equal(to(a.email)(smtp.messages()).length, 2, 'one mail per thread');
  assert.equal(to(b.email)(smtp.messages()).filter((m) => /replied/.test(m.headers.subject)).length, 0);

  // The one-click POST a mail client makes (RFC 8058): a form, no Origin, no session.
  const r = await fetch(unsub[1], { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { unsubscribed: 'replies' });
  const again = await fetch(unsub[1], { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(again.status, 200, 'a second click is harmless');
  assert.deepEqual((await a.get('/api/v1/me/notifications')).json.notifications, { replies: false, moderation: true });
  const top3 = await post(a, art, 'A third thread after unsubscribing.');
  await post(b, art, 'This reply mails nobody.', top3.id);
  await flush();
  assert.equal(to(a.email)(smtp.messages()).length, 2, 'no mail after unsubscribing');
});

test('no reply mail from a reader the author muted', async () => {
  const a = await reader('Mira');
  const b = await reader('Noisy');
  // Only an author with a published comment can be muted (docs/API.md).
  await post(b, articleId('muted-first'), 'A first comment, so the name is public.');
  assert.equal((await a.put(`/api/v1/me/mutes/${b.id}`)).status, 200);
  const art = articleId('muted');
  const top = await post(a, art, 'A comment that a muted reader answers.');
  await post(b, art, 'The muted reader answers.', top.id);
  await flush();
  assert.deepEqual(to(a.email)(smtp.messages()), []);
});

test('a moderator\'s reject and feature reach the author with the reason', async () => {
  const a = await reader('Carla');
  const art = articleId('decide');
  const c1 = await post(a, art, 'A comment the moderator will refuse, politely worded.');
  const c2 = await post(a, art, 'A comment the moderator will feature.');
  let r = await mod.post(`/api/v1/mod/comments/${c1.id}/decision`, { action: 'reject', reason: 'Off topic: this story is about the harbour & its hours.' });
  assert.equal(r.status, 200, r.text);
  const rej = await smtp.waitFor(one(a.email, /was not published/));
  assert.match(rej.text, /The moderator's reason: Off topic: this story is about the harbour & its hours\./);
  assert.match(rej.html, /harbour &amp; its hours/);
  assert.match(rej.text, /> A comment the moderator will refuse/);
  assert.match(rej.headers['list-unsubscribe'], /unsubscribe\?token=/);
  r = await mod.post(`/api/v1/mod/comments/${c2.id}/decision`, { action: 'feature' });
  assert.equal(r.status, 200, r.text);
  const feat = await smtp.waitFor(one(a.email, /is featured/));
  assert.match(feat.text, /featured your comment on "The harbour reopens"/);
  // Approving sends nothing; moderation mail can be turned off.
  assert.equal((await mod.post(`/api/v1/mod/comments/${c1.id}/decision`, { action: 'approve' })).status, 200);
  assert.equal((await a.put('/api/v1/me/notifications', { moderation: false })).status, 200);
  assert.equal((await mod.post(`/api/v1/mod/comments/${c1.id}/decision`, { action: 'reject', reason: 'again' })).status, 200);
  await flush();
  assert.equal(to(a.email)(smtp.messages()).length, 2);
  // The unsubscribe link of the reject mail still works (and is for moderation mail).
  assert.equal((await a.put('/api/v1/me/notifications', { moderation: true })).status, 200);
  const u = await fetch(rej.headers['list-unsubscribe'].slice(1, -1), { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n' });
  assert.deepEqual(await u.json(), { unsubscribed: 'moderation' });
  assert.equal((await a.get('/api/v1/me/notifications')).json.notifications.moderation, false);
});

test('staff past their queue threshold hear about the pending queue, at most hourly', async () => {
  const r = await mod.put('/api/v1/me/notifications', { queue_threshold: 2 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.notifications.queue_threshold, 2);
  const art = articleId('queue');
  assert.equal((await mod.put(`/api/v1/articles/${art}`, { status: 'premoderated', title: 'Queue story' })).status, 200);
  const a = await reader('Queuer');
  const held = async (body) => {
    const p = await a.post(`/api/v1/articles/${art}/comments`, { body });
    assert.equal(p.status, 201, p.text);
    assert.equal(p.json.comment.status, 'pending');
  };
  await held('First comment held for review.');
  await flush();
  assert.deepEqual(to('mod@paper.example.com')(smtp.messages()), [], 'below the threshold');
  await held('Second comment held for review.');
  const mail = await smtp.waitFor(one('mod@paper.example.com', /comments wait for review/));
  assert.match(mail.headers.subject, /^\d+ comments wait for review$/);
  assert.match(mail.text, /\/admin\//);
  await held('Third comment held for review.');
  await flush();
  assert.equal(to('mod@paper.example.com')(smtp.messages()).length, 1, 'at most once an hour');
});

test('unsubscribe: a missing or unknown token is 400; the page needs its token', async () => {
  const anon = new Client(srv.url);
  expectError(await anon.post('/api/v1/unsubscribe', {}), 400, 'invalid_field', 'token');
  expectError(await anon.post('/api/v1/unsubscribe?token=nope', {}), 400, 'invalid_token', 'token');
  const r = await fetch(`${srv.url}/api/v1/unsubscribe?token=nope`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
  assert.equal(r.status, 415, 'only JSON and the RFC 8058 form are accepted');
  const page = await fetch(`${srv.url}/unsubscribe`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Stop these mails/);
});

test('mails speak the recipient\'s language (users.language), else English; a link mail the asker\'s', async () => {
  const a = await reader('Lucía');
  assert.equal((await a.patch('/api/v1/me', { language: 'es' })).status, 200);
  const b = await reader('Dalia');
  assert.equal((await b.patch('/api/v1/me', { language: 'ar' })).status, 200);
  const art = articleId('lang');
  const top = await post(a, art, 'El puerto debería abrir de noche.');
  const reply = await post(b, art, 'No estoy de acuerdo.', top.id);
  // A reply in Spanish, to Lucía (the replier's own language plays no part).
  const es = await smtp.waitFor(one(a.email, /^Dalia ha respondido a tu comentario en «The harbour reopens»$/));
  assert.match(es.text, /^Hola, Lucía:/m);
  assert.match(es.text, /^> No estoy de acuerdo\.$/m);
  assert.match(es.text, /^Leer la conversación y responder: /m);
  assert.match(es.text, /De las próximas respuestas en esta conversación te avisaremos como mucho una vez por hora\./);
  assert.match(es.text, /Recibes este correo porque pediste avisos de las respuestas a tus comentarios\. Dejar de recibir estos correos: http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=/);
  assert.match(es.html, /^<!doctype html><html lang="es" dir="ltr">/);
  assert.match(es.html, /border-left:3px/);
  assert.match(es.headers['list-unsubscribe'], /unsubscribe\?token=/);
  // A reply to Dalia: Arabic, right to left, the quote's rule on the right.
  await post(a, art, 'Gracias por responder.', reply.id);
  const ar = await smtp.waitFor(one(b.email, /^ردّ Lucía على تعليقك على «The harbour reopens»$/));
  assert.match(ar.text, /^مرحبًا Dalia،$/m);
  assert.match(ar.html, /^<!doctype html><html lang="ar" dir="rtl">/);
  assert.match(ar.html, /border-right:3px/);
  // A rejection in Spanish, the moderator's own words kept as written.
  let r = await mod.post(`/api/v1/mod/comments/${top.id}/decision`, { action: 'reject', reason: 'Off topic & rude.' });
  assert.equal(r.status, 200, r.text);
  const rej = await smtp.waitFor(one(a.email, /^Tu comentario en «The harbour reopens» no se ha publicado$/));
  assert.match(rej.text, /^La moderación ha decidido no publicar tu comentario en «The harbour reopens»\.$/m);
  assert.match(rej.text, /^Motivo de la moderación: Off topic & rude\.$/m);
  assert.match(rej.html, /Motivo de la moderación: Off topic &amp; rude\./);
  assert.match(rej.html, /Las normas de la comunidad explican qué es bienvenido: <a href="http:\/\/127\.0\.0\.1:\d+\/guidelines">/);
  // Cleared setting: English again.
  assert.equal((await a.patch('/api/v1/me', { language: null })).status, 200);
  const top2 = await post(a, art, 'Another thread of mine.');
  await post(b, art, 'And my answer.', top2.id);
  await smtp.waitFor(one(a.email, /^Dalia replied to your comment on "The harbour reopens"$/));

  // Registering and asking for a reset: the asker's Accept-Language, when
  // the recipient has no setting.
  const email = `kai-${Date.now()}@example.com`;
  const k = new Client(srv.url);
  r = await k.post('/api/v1/auth/register', { name: 'Kai', email, password: 'correct horse battery' }, { 'Accept-Language': 'de-CH, en;q=0.5' });
  assert.equal(r.status, 201, r.text);
  const de = await smtp.waitFor(one(email, /^Bestätigen Sie Ihre Adresse für die Kommentare auf 127\.0\.0\.1$/));
  assert.match(de.text, /^Hallo Kai,$/m);
  assert.match(de.html, /<a href="http:\/\/127\.0\.0\.1:\d+\/verify\?token=[^"]+">Meine Adresse bestätigen<\/a>/);
  assert.match(de.text, /^Das Kommentar-Team von 127\.0\.0\.1$/m);
  assert.equal((await new Client(srv.url).post('/api/v1/auth/password/forgot', { email }, { 'Accept-Language': 'fr' })).status, 202);
  const fr = await smtp.waitFor(one(email, /^Choisissez un nouveau mot de passe pour 127\.0\.0\.1$/));
  assert.match(fr.html, />Choisissez un nouveau mot de passe<\/a>/);
  // The setting wins over the header.
  assert.equal((await k.patch('/api/v1/me', { language: 'pl' })).status, 200);
  assert.equal((await new Client(srv.url).post('/api/v1/auth/password/forgot', { email }, { 'Accept-Language': 'fr' })).status, 202);
  await smtp.waitFor(one(email, /^Wybierz nowe hasło w serwisie 127\.0\.0\.1$/));
});
