// The reader's journey in a real browser against a real server: register in
// place, post, reply, like, edit, delete, log out and back in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, articlePage, reader, seed, registerInPage } from '../lib/browser.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

const box = (page, text) => page.locator('article.pl-c', { hasText: text });

test('a reader registers, posts, replies, likes, edits and deletes without leaving the page', async () => {
  const ben = await reader(server.url, 'Ben Other');
  const first = await seed(ben, 'journey', 'The roof evenings sound great.');
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'journey');
  await box(page, 'The roof evenings sound great.').waitFor();
  assert.equal(await page.locator('.pl-top .pl-h').textContent(), '1 comment');
  const url = page.url();

  // Register in the widget's dialog.
  const email = `ada.${process.pid}@example.org`;
  await registerInPage(page, 'Ada Reader', email);
  assert.equal(page.url(), url, 'the reader never left the page');

  // Post a top-level comment.
  await page.getByLabel('Join the discussion').fill('I have put my name on the list. *Can not wait.*');
  await page.getByRole('button', { name: 'Post comment' }).click();
  const mine = box(page, 'I have put my name on the list.');
  await mine.waitFor();
  await page.locator('.pl-top .pl-h', { hasText: '2 comments' }).waitFor();
  await page.locator('[role=status]', { hasText: 'Your comment was posted.' }).waitFor();
  assert.equal(await page.getByLabel('Join the discussion').inputValue(), '', 'the form is cleared');

  // Reply to Ben.
  await box(page, 'The roof evenings sound great.').getByRole('button', { name: 'Reply' }).click();
  await page.getByLabel('Reply to Ben Other').fill('Agreed, see you on the roof.');
  await page.getByRole('button', { name: 'Post reply' }).click();
  const reply = page.locator(`#pl-c-${first.id} + .pl-replies article.pl-c`, { hasText: 'Agreed, see you on the roof.' });
  await reply.waitFor();
  await page.locator('.pl-top .pl-h', { hasText: '3 comments' }).waitFor();

  // Like Ben's comment, check it holds after a reload, then unlike.
  const like = box(page, 'The roof evenings sound great.').locator('.pl-like');
  await like.click();
  await page.waitForFunction(() => document.querySelector('#parley').shadowRoot.querySelector('.pl-like[aria-pressed=true]'));
  assert.equal(await like.locator('.pl-n').textContent(), '1');
  await page.reload();
  const like2 = box(page, 'The roof evenings sound great.').locator('.pl-like');
  await like2.waitFor();
  assert.equal(await like2.getAttribute('aria-pressed'), 'true', 'liked_by_me comes back from the server');
  assert.equal(await like2.locator('.pl-n').textContent(), '1');
  await like2.click();
  await box(page, 'The roof evenings sound great.').locator('.pl-like[aria-pressed=false]').waitFor();
  assert.equal(await like2.locator('.pl-n').textContent(), '0');

  // Edit my comment: the form holds the Markdown source.
  const mine2 = box(page, 'I have put my name on the list.');
  await mine2.getByRole('button', { name: 'Edit' }).click();
  const editor = page.getByLabel('Edit your comment');
  assert.equal(await editor.inputValue(), 'I have put my name on the list. *Can not wait.*');
  await editor.fill('I have put my name on the list. Number 57!');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const edited = box(page, 'Number 57!');
  await edited.waitFor();
  await edited.locator('text=(edited)').waitFor();
  assert.equal(await box(page, 'Can not wait').count(), 0);

  // Ben's comment has no edit or delete for Ada.
  assert.equal(await box(page, 'The roof evenings sound great.').getByRole('button', { name: 'Edit' }).count(), 0);
  assert.equal(await box(page, 'The roof evenings sound great.').getByRole('button', { name: 'Delete' }).count(), 0);

  // Delete my reply (asks first).
  const myReply = box(page, 'Agreed, see you on the roof.');
  await myReply.getByRole('button', { name: 'Delete' }).click();
  await myReply.getByRole('button', { name: 'Keep it' }).click();
  assert.equal(await myReply.count(), 1, 'keeping it keeps it');
  await myReply.getByRole('button', { name: 'Delete' }).click();
  await myReply.getByRole('button', { name: 'Yes, delete' }).click();
  await myReply.waitFor({ state: 'detached' });
  await page.locator('.pl-top .pl-h', { hasText: '2 comments' }).waitFor();
  const gone = await ben.get('/api/v1/articles/journey/comments?sort=oldest');
  assert.ok(!JSON.stringify(gone.json).includes('see you on the roof'), 'the server no longer lists the reply');

  // Log out and back in, in place.
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.locator('.pl-account', { hasText: 'Log in' }).waitFor();
  assert.equal(await box(page, 'Number 57!').getByRole('button', { name: 'Edit' }).count(), 0, 'no edit when logged out');
  await page.locator('.pl-account').getByRole('button', { name: 'Log in' }).click();
  const dlg = page.locator('dialog.pl-dlg');
  await dlg.getByLabel('Email').fill(email);
  await dlg.getByLabel('Password').fill('wrong password');
  await dlg.getByRole('button', { name: 'Log in' }).click();
  await dlg.locator('.pl-err', { hasText: 'do not match' }).waitFor();
  await dlg.getByLabel('Password').fill('correct horse battery');
  await dlg.getByRole('button', { name: 'Log in' }).click();
  await page.locator('.pl-account', { hasText: 'Logged in as Ada Reader' }).waitFor();
  await box(page, 'Number 57!').getByRole('button', { name: 'Edit' }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('posting while logged out asks to log in and keeps the draft', async () => {
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'journey-draft');
  await page.getByLabel('Join the discussion').fill('My first words here.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  const dlg = page.locator('dialog.pl-dlg');
  await dlg.waitFor();
  await dlg.locator('text=What you wrote stays here.').waitFor();
  await dlg.getByRole('button', { name: 'New here? Create an account' }).click();
  await dlg.getByLabel('Name shown with your comments').fill('Cleo New');
  await dlg.getByLabel('Email').fill(`cleo.${process.pid}@example.org`);
  await dlg.getByLabel('Password').fill('correct horse battery');
  await dlg.getByRole('button', { name: 'Create account' }).click();
  await box(page, 'My first words here.').waitFor();
  assert.equal(await page.locator('.pl-c').count(), 1);
  await ctx.close();
});

test('a taken email is said in words', async () => {
  const dup = await reader(server.url, 'Dana Dup');
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'journey-dup');
  await page.getByRole('button', { name: 'create an account' }).click();
  const dlg = page.locator('dialog.pl-dlg');
  await dlg.getByLabel('Name shown with your comments').fill('Dana Again');
  await dlg.getByLabel('Email').fill(dup.email);
  await dlg.getByLabel('Password').fill('correct horse battery');
  await dlg.getByRole('button', { name: 'Create account' }).click();
  await dlg.locator('.pl-err', { hasText: 'already exists' }).waitFor();
  await ctx.close();
});

test('the server\'s rendered Markdown shows as formatting, links open safely', async () => {
  const ed = await reader(server.url, 'Eve Markdown');
  await seed(ed, 'markdown', 'Some *emphasis*, **strength** and a [link](https://example.org/).\n\n> a quote');
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'markdown');
  const c = box(page, 'Some');
  await c.waitFor();
  assert.equal(await c.locator('.pl-body em').textContent(), 'emphasis');
  assert.equal(await c.locator('.pl-body strong').textContent(), 'strength');
  assert.equal(await c.locator('.pl-body blockquote').count(), 1);
  const a = c.locator('.pl-body a');
  assert.equal(await a.getAttribute('href'), 'https://example.org/');
  assert.match(await a.getAttribute('rel'), /noopener/);
  assert.equal(await a.getAttribute('target'), '_blank');
  await ctx.close();
});

test('the first post registers the article with the embed\'s title and address', async () => {
  const ctx = await browser.newContext();
  const [name, ...v] = (await reader(server.url, 'Tia Title')).cookie.split('=');
  await ctx.addCookies([{ name, value: v.join('='), domain: new URL(server.url).hostname, path: '/' }]);
  // The address is on the site's own origin (here the server's): the server
  // takes no other.
  const page = await articlePage(ctx, server.url, 'titled', { 'article-title': 'Library lends telescopes', 'article-url': `${server.url}/telescopes` });
  await page.getByLabel('Join the discussion').fill('First!');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await box(page, 'First!').waitFor();
  const a = await fetch(`${server.url}/api/v1/articles/titled`).then((r) => r.json());
  assert.equal(a.article.title, 'Library lends telescopes');
  assert.equal(a.article.url, `${server.url}/telescopes`);
  await ctx.close();
});

test('deleting a comment with replies leaves a placeholder that keeps the thread; Escape cancels a reply', async () => {
  const zed = await reader(server.url, 'Zed Parent');
  const yan = await reader(server.url, 'Yan Child');
  const top = await seed(zed, 'thread-delete', 'The parent comment.');
  await seed(yan, 'thread-delete', 'A reply that must survive.', top.id);
  const ctx = await browser.newContext();
  const [name, ...v] = zed.cookie.split('=');
  await ctx.addCookies([{ name, value: v.join('='), domain: new URL(server.url).hostname, path: '/' }]);
  const page = await articlePage(ctx, server.url, 'thread-delete');
  const parent = box(page, 'The parent comment.');
  await parent.waitFor();
  // Escape closes an inline reply form and gives focus back to Reply.
  await parent.getByRole('button', { name: 'Reply' }).click();
  await page.getByLabel('Reply to Zed Parent').press('Escape');
  await page.getByLabel('Reply to Zed Parent').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.querySelector('#parley').shadowRoot.activeElement.textContent), 'Reply');
  // A reply written here, then the parent edited: the new reply stays.
  await parent.getByRole('button', { name: 'Reply' }).click();
  await page.getByLabel('Reply to Zed Parent').fill('Zed answers himself.');
  await page.getByRole('button', { name: 'Post reply' }).click();
  await box(page, 'Zed answers himself.').waitFor();
  await parent.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Edit your comment').fill('The parent comment, edited.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await box(page, 'The parent comment, edited.').waitFor();
  assert.equal(await box(page, 'Zed answers himself.').count(), 1, 'the local reply survives the redraw');
  assert.equal(await page.evaluate(() => document.querySelector('#parley').shadowRoot.activeElement.textContent.trim()), 'Like 0', 'focus lands in the edited comment');
  // Delete the parent: a placeholder keeps the replies.
  const edited = box(page, 'The parent comment, edited.');
  await edited.getByRole('button', { name: 'Delete' }).click();
  await edited.getByRole('button', { name: 'Yes, delete' }).click();
  await box(page, 'This comment was deleted.').waitFor();
  assert.equal(await box(page, 'A reply that must survive.').count(), 1);
  assert.equal(await box(page, 'Zed answers himself.').count(), 1);
  assert.equal(await box(page, 'This comment was deleted.').locator('.pl-flag').count(), 0, 'nothing to flag in a placeholder');
  await page.reload();
  await box(page, 'This comment was deleted.').waitFor();
  assert.equal(await box(page, 'A reply that must survive.').count(), 1, 'the server keeps the thread too');
  await ctx.close();
});

test('after the edit window, no Edit button (Delete stays)', async () => {
  const s2 = await startServer({ env: { PARLEY_EDIT_WINDOW_S: '0' } });
  try {
    const w = await reader(s2.url, 'Wes Window');
    await seed(w, 'window', 'Written a moment ago.');
    const ctx = await browser.newContext();
    const [name, ...v] = w.cookie.split('=');
    await ctx.addCookies([{ name, value: v.join('='), domain: new URL(s2.url).hostname, path: '/' }]);
    const page = await articlePage(ctx, s2.url, 'window');
    const c = box(page, 'Written a moment ago.');
    await c.getByRole('button', { name: 'Delete' }).waitFor();
    assert.equal(await c.getByRole('button', { name: 'Edit' }).count(), 0);
    const r = await w.patch(`/api/v1/comments/${(await w.get('/api/v1/articles/window/comments')).json.comments[0].id}`, { body: 'late' });
    assert.equal(r.status, 403, 'the server refuses the late edit as well');
    await ctx.close();
  } finally {
    await s2.stop();
  }
});

test('replying and liking while logged out: log in, and the reply and like go through', async () => {
  const una = await reader(server.url, 'Una Author');
  await seed(una, 'later-login', 'Reply to me after logging in.');
  const vic = await reader(server.url, 'Vic Visitor');
  const ctx = await browser.newContext();
  const page = await articlePage(ctx, server.url, 'later-login');
  const c = box(page, 'Reply to me after logging in.');
  await c.getByRole('button', { name: 'Reply' }).click();
  await page.getByLabel('Reply to Una Author').fill('Logged in just for this.');
  await page.getByRole('button', { name: 'Post reply' }).click();
  const dlg = page.getByRole('dialog', { name: 'Log in' });
  await dlg.getByLabel('Email').fill(vic.email);
  await dlg.getByLabel('Password').fill('correct horse battery');
  await dlg.getByRole('button', { name: 'Log in' }).click();
  const reply = box(page, 'Logged in just for this.');
  await reply.waitFor();
  await reply.getByRole('button', { name: 'Edit' }).waitFor(); // the list was refreshed for Vic
  await c.locator('.pl-like').click();
  await c.locator('.pl-like[aria-pressed=true]').waitFor();
  const r = await vic.get('/api/v1/articles/later-login/comments');
  assert.equal(r.json.comments[0].replies.length, 1);
  assert.equal(r.json.comments[0].liked_by_me, true);
  await ctx.close();
});

test('editing after a reload starts from the Markdown of the comment', async () => {
  const md = await reader(server.url, 'Mo Markdown');
  const src = 'Some *emphasis*, **strength**, `code` and a [link](https://example.org/).\n\n> a quote\n\n- one\n- two';
  await seed(md, 'edit-source', src);
  const ctx = await browser.newContext();
  const [name, ...v] = md.cookie.split('=');
  await ctx.addCookies([{ name, value: v.join('='), domain: new URL(server.url).hostname, path: '/' }]);
  const page = await articlePage(ctx, server.url, 'edit-source');
  const c = box(page, 'Some');
  await c.getByRole('button', { name: 'Edit' }).click();
  assert.equal(await page.getByLabel('Edit your comment').inputValue(), src, 'rebuilt from the sanitised HTML');
  await page.getByLabel('Edit your comment').press('Escape');
  await page.getByLabel('Edit your comment').waitFor({ state: 'detached' });
  assert.equal(await c.locator('.pl-body em').textContent(), 'emphasis', 'cancel shows the comment again');
  await ctx.close();
});

test('fixing a typo in an edit is published, not held as a repeat of the comment itself', async () => {
  const ty = await reader(server.url, 'Ty Typo');
  const c = await seed(ty, 'typo', 'The library scheme is a great idea for the whole town, well done to everyone involved.');
  const r = await ty.patch(`/api/v1/comments/${c.id}`, { body: 'The library scheme is a great idea for the whole town, well done to everyone involved!' });
  assert.equal(r.status, 200);
  assert.equal(r.json.comment.status, 'published', JSON.stringify(r.json.moderation));
});
