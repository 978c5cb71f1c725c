// tests/api/import_wordpress.test.mjs: `parley import wordpress` end to end.
// A WXR file is written here as WordPress' exporter writes one (RSS 2.0
// with the wp: namespace, wp-admin/includes/export.php), imported with the
// CLI into a fresh database (SQLite, or PostgreSQL under tests/pg.sh), and
// read back through `parley serve`: replies nested under a trashed comment's
// placeholder, the unapproved one held, the spam one rejected, line breaks
// kept, raw HTML dropped or escaped, pingbacks left out, a trashed post not
// imported. Running it again stores nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, startServer, tempDb, createUser, Client } from '../lib/server.mjs';
import { stopClean } from '../lib/api.mjs';

const WXR = `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>The News</title>
  <link>https://news.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[editor]]></wp:author_login></wp:author>
  <item>
    <title>City budget passes</title>
    <link>https://news.example/2026/11/city-budget/</link>
    <content:encoded><![CDATA[<p>The article text.</p>]]></content:encoded>
    <wp:post_id>12</wp:post_id>
    <wp:post_date_gmt>2026-11-29 08:00:00</wp:post_date_gmt>
    <wp:comment_status>open</wp:comment_status>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>
    <wp:comment>
      <wp:comment_id>5</wp:comment_id>
      <wp:comment_author><![CDATA[Ann]]></wp:comment_author>
      <wp:comment_author_email>ann@reader.example</wp:comment_author_email>
      <wp:comment_author_url>https://ann.example</wp:comment_author_url>
      <wp:comment_author_IP>198.51.100.7</wp:comment_author_IP>
      <wp:comment_date>2026-11-30 11:00:00</wp:comment_date>
      <wp:comment_date_gmt>2026-11-30 10:00:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[First, <strong>bold</strong> and <script>alert(1)</script>
second line

A new paragraph with *stars*]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_type>comment</wp:comment_type>
      <wp:comment_parent>0</wp:comment_parent>
      <wp:comment_user_id>0</wp:comment_user_id>
      <wp:commentmeta><wp:meta_key>akismet_result</wp:meta_key><wp:meta_value><![CDATA[false]]></wp:meta_value></wp:commentmeta>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>6</wp:comment_id>
      <wp:comment_author><![CDATA[Editor]]></wp:comment_author>
      <wp:comment_author_email>editor@news.example</wp:comment_author_email>
      <wp:comment_date_gmt>2026-11-30 10:05:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[Trashed reply]]></wp:comment_content>
      <wp:comment_approved>trash</wp:comment_approved>
      <wp:comment_type></wp:comment_type>
      <wp:comment_parent>5</wp:comment_parent>
      <wp:comment_user_id>1</wp:comment_user_id>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>7</wp:comment_id>
      <wp:comment_author><![CDATA[Cy]]></wp:comment_author>
      <wp:comment_date_gmt>2026-11-30 10:06:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[A reply under the trashed one]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_parent>6</wp:comment_parent>
      <wp:comment_user_id>0</wp:comment_user_id>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>8</wp:comment_id>
      <wp:comment_author><![CDATA[Cheap pills]]></wp:comment_author>
      <wp:comment_date_gmt>2026-11-30 10:07:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[<a href="http://spam.example">buy</a>]]></wp:comment_content>
      <wp:comment_approved>spam</wp:comment_approved>
      <wp:comment_parent>0</wp:comment_parent>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>9</wp:comment_id>
      <wp:comment_author><![CDATA[Dee]]></wp:comment_author>
      <wp:comment_date_gmt>2026-11-30 10:08:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[Waiting for approval]]></wp:comment_content>
      <wp:comment_approved>0</wp:comment_approved>
      <wp:comment_parent>0</wp:comment_parent>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>10</wp:comment_id>
      <wp:comment_author><![CDATA[Other Blog]]></wp:comment_author>
      <wp:comment_date_gmt>2026-11-30 10:09:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[[...] linked here [...]]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_type>pingback</wp:comment_type>
      <wp:comment_parent>0</wp:comment_parent>
    </wp:comment>
  </item>
  <item>
    <title>About us</title>
    <link>https://news.example/about/</link>
    <wp:post_id>2</wp:post_id>
    <wp:comment_status>closed</wp:comment_status>
    <wp:status>publish</wp:status>
    <wp:post_type>page</wp:post_type>
    <wp:comment>
      <wp:comment_id>3</wp:comment_id>
      <wp:comment_author><![CDATA[Ann]]></wp:comment_author>
      <wp:comment_author_email>ann@reader.example</wp:comment_author_email>
      <wp:comment_date_gmt>0000-00-00 00:00:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[Old comment]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_parent>99</wp:comment_parent>
    </wp:comment>
  </item>
  <item>
    <title>Deleted post</title>
    <link>https://news.example/gone/</link>
    <wp:post_id>40</wp:post_id>
    <wp:status>trash</wp:status>
    <wp:comment><wp:comment_id>41</wp:comment_id><wp:comment_content>x</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>
  </item>
</channel>
</rss>
`;

function run(args) {
  return spawnSync(BIN, args, { encoding: 'utf8', timeout: 60000 });
}

test('a WordPress export reads back through the API as posted comments, once', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-wxr-'));
  const file = path.join(dir, 'news.WordPress.2026-12-01.xml');
  writeFileSync(file, WXR);
  const db = tempDb();
  try {
    const summary = '2 threads, 6 comments \\(3 published, 1 pending, 1 rejected, 1 deleted\\), 5 new users';
    const dry = run(['import', 'wordpress', file, '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`dry run, nothing written: would import ${summary}`));
    assert.match(dry.stdout, /1 deleted threads/);
    const r = run(['import', 'wordpress', file, '--db', db.url]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^imported ${summary}`));
    assert.match(r.stderr, /parley import: 1 pingbacks and trackbacks are not comments; left out/);
    assert.match(r.stderr, /post 3 replies to post 99, which is not in the export/);
    assert.ok(!/198\.51\.100/.test(r.stdout + r.stderr), 'addresses are never read');
    const again = run(['import', 'wordpress', file, '--db', db.url]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^imported 0 threads, 0 comments .*; skipped 2 threads with comments/);

    const srv = await startServer({ db, keepDb: true });
    try {
      const anon = new Client(srv.url);
      const res = await anon.get('/api/v1/articles/2026:11:city-budget/comments?limit=50');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.article.title, 'City budget passes');
      assert.ok(!res.text.includes('@'), 'no e-mail address in the API');
      assert.equal(res.json.comments.length, 1, 'held and spam comments are not public');
      const [first] = res.json.comments;
      assert.equal(first.author.name, 'Ann');
      assert.equal(first.created_at, '2026-11-30T10:00:00Z');
      assert.equal(first.html, '<p>First, <strong>bold</strong> and<br>\nsecond line</p>\n<p>A new paragraph with *stars*</p>\n');
      const ph = first.replies[0];
      assert.equal(ph.status, 'deleted');
      assert.equal(ph.html, '');
      assert.equal(ph.replies[0].html, '<p>A reply under the trashed one</p>\n');
      const about = await anon.get('/api/v1/articles/about/comments');
      assert.equal(about.json.article.status, 'closed');
      assert.equal(about.json.comments[0].html, '<p>Old comment</p>\n');
      const gone = await anon.get('/api/v1/articles/gone/comments');
      assert.equal(gone.json.comments.length, 0, 'a trashed post is not imported');

      createUser(db.url, { email: 'mod@example.com', name: 'Max Moderator', role: 'moderator' });
      const mod = new Client(srv.url);
      assert.equal((await mod.login('mod@example.com')).status, 200);
      const pending = await mod.get('/api/v1/mod/queue?queue=pending&limit=50');
      assert.deepEqual(pending.json.items.map((i) => i.comment.body), ['Waiting for approval']);
      const rejected = await mod.get('/api/v1/mod/queue?queue=rejected&limit=50');
      assert.deepEqual(rejected.json.items.map((i) => i.comment.body), ['[buy](http://spam.example)']);
      assert.equal(rejected.json.items[0].moderation.reasons[0].message, 'Marked as spam on WordPress.');
    } finally {
      await stopClean(srv);
    }
  } finally {
    db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that is not a WordPress export exits 1 naming the line; nothing is written', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-wxr-'));
  try {
    const disqus = path.join(dir, 'disqus.xml');
    writeFileSync(disqus, '<?xml version="1.0"?>\n<disqus><thread dsq:id="1"/></disqus>\n');
    const r = run(['import', 'wordpress', disqus, '--dry-run']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /parley import wordpress: .*disqus\.xml: line \d+: not a WordPress export: the root element is disqus/);
    const cut = path.join(dir, 'cut.xml');
    writeFileSync(cut, WXR.slice(0, WXR.indexOf('<wp:comment_id>6')));
    const c = run(['import', 'wordpress', cut, '--dry-run']);
    assert.equal(c.status, 1);
    assert.match(c.stderr, /cut\.xml: line \d+: /);
    assert.equal(c.stdout, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
