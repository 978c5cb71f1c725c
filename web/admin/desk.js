// web/admin/desk.js: the moderator desk (served at /admin/).
//
// Plain JavaScript, no framework. Every piece of outside text (comments,
// names, notes, reasons) reaches the page through text nodes only, never as
// HTML. State is one object; each queue view is re-rendered from the API's
// answer, and the selected item moves with j/k; a/r/f decide, u undoes. The
// Numbers tab draws its charts as SVG itself.
//
// Its words are in the server's catalogues (web/i18n/site/LANG.json,
// docs/I18N.md): the page comes filled in in the language the server chose
// (the user's setting, else Accept-Language), and t(KEY, values) gives the
// sentences this script writes, from the same catalogue. Codes the API
// defines (statuses, actions, roles, rules) are shown as the API names them.
'use strict';
(function () {
  const API = '/api/v1';
  const S = { view: 'pending', picked: false, items: [], sel: 0, next: null, me: null, site: '', sites: [] };
  const $ = (id) => document.getElementById(id);
  const LANG = document.documentElement.lang || 'en';
  let CAT = {};

  // The catalogue's sentence for key, its plural form picked by values.n,
  // with {name} placeholders filled in; the key itself when it is missing.
  function t(key, values = {}) {
    let s = CAT[key];
    if (s && typeof s === 'object') s = s[new Intl.PluralRules(LANG).select(values.n)] || s.other;
    if (typeof s !== 'string') return key;
    return s.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(k === 'n' ? values.n.toLocaleString(LANG) : values[k]) : m));
  }
  // The same with placeholders that are nodes (a figure in <strong>): the pieces.
  function tn(key, values = {}) {
    let s = CAT[key];
    if (s && typeof s === 'object') s = s[new Intl.PluralRules(LANG).select(values.n)] || s.other;
    if (typeof s !== 'string') return [key];
    return s.split(/\{(\w+)\}/).map((x, i) => (i % 2 ? (x in values ? values[x] : `{${x}}`) : x)).filter((x) => x !== '');
  }
  const num = (v) => Number(v).toLocaleString(LANG);
  const moreBelow = (next) => (next ? ' ' + t('desk_more_below') : '');

  function el(tag, attrs, ...kids) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') n.className = v;
      else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined || kid === false) continue;
      n.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return n;
  }

  function say(msg) { $('status').textContent = msg; }

  // An API error in the desk's language by its stable code (docs/API.md);
  // a code the desk does not know keeps the server's own (English) message.
  function errorText(status, code, message) {
    switch (code) {
    case 'invalid_credentials': return t('desk_err_login');
    case 'login_required': return t('desk_err_session');
    case 'forbidden': return t('desk_err_forbidden');
    case 'not_found': return t('desk_err_not_found');
    case 'conflict': return t('desk_err_conflict');
    case 'rate_limited': return t('desk_err_rate_limited');
    case 'too_large': return t('desk_err_too_large');
    case 'webhook_not_configured': return t('desk_webhook_none');
    case 'origin_taken': return t('desk_err_origin_taken');
    default:
    }
    if (status >= 500) return t('desk_err_server');
    return message || `HTTP ${status}`;
  }

  async function call(method, path, body) {
    const opts = { method, headers: {}, credentials: 'same-origin' };
    if (body !== undefined) {
      opts.headers['content-type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(API + path, opts);
    } catch (e) {
      const err = new Error(t('desk_err_network'));
      err.status = 0;
      throw err;
    }
    let json = null;
    try { json = await res.json(); } catch (e) { json = null; }
    if (!res.ok) {
      const e = (json && json.error) || {};
      const err = new Error(errorText(res.status, e.code, e.message));
      err.status = res.status;
      err.code = e.code;
      err.field = e.field;
      throw err;
    }
    return json;
  }

  function when(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(LANG);
  }

  // ---- session ---------------------------------------------------------

  async function start() {
    try {
      const r = await call('GET', '/me');
      if (r.user.role !== 'moderator' && r.user.role !== 'admin') {
        showLogin(t('desk_not_staff'));
        return;
      }
      S.me = r.user;
      // The page was made before the login: the user's own language wins.
      if (r.user.language && r.user.language !== LANG) {
        location.reload();
        return;
      }
      showDesk();
    } catch (e) {
      showLogin('');
    }
  }

  function showLogin(msg) {
    $('desk').hidden = true;
    $('who').hidden = true;
    $('login').hidden = false;
    say(msg);
    $('login-email').focus();
  }

  async function showDesk() {
    $('login').hidden = true;
    $('desk').hidden = false;
    $('who').hidden = false;
    $('who-name').textContent = `${S.me.name} (${S.me.role})`;
    $('lang-pick').value = S.me.language || '';
    $('tab-webhooks').hidden = S.me.role !== 'admin';
    $('tab-settings').hidden = S.me.role !== 'admin';
    $('tab-sites').hidden = S.me.role !== 'admin';
    // A tab chosen while the site picker loads is kept (and loaded again for
    // the site the picker settles on); otherwise the desk opens on pending.
    S.picked = false;
    await loadSitePicker(); // first: a moderator of some sites starts in one of them
    if (!S.picked) select('pending');
    else if (S.view === 'numbers') loadNumbers();
    else select(S.view);
    refreshCounts();
    loadStaffNames();
    setInterval(refreshCounts, 15000);
  }

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await call('POST', '/auth/login', { email: $('login-email').value, password: $('login-password').value });
      $('login-password').value = '';
      await start();
    } catch (e) {
      say(e.message);
    }
  });

  // The user's language setting (PATCH /me); the page is made again in it.
  $('lang-pick').addEventListener('change', async () => {
    try {
      await call('PATCH', '/me', { language: $('lang-pick').value || null });
      location.reload();
    } catch (e) {
      say(e.message);
    }
  });

  $('logout').addEventListener('click', async () => {
    try { await call('POST', '/auth/logout'); } catch (e) { /* the cookie is gone either way */ }
    location.reload();
  });

  // ---- counts and tabs -------------------------------------------------

  // ---- sites (docs/SITES.md) ----------------------------------------------
  // With several sites, the switcher narrows the queues and their counts,
  // the articles, the log, the people, the search and the numbers to one (site=SLUG); an article of
  // another site than the default is saved with its site's slug.
  const siteParam = (sep) => (S.site ? `${sep}site=${encodeURIComponent(S.site)}` : '');
  const siteOf = (id) => S.sites.find((s) => s.id === id);
  const articlePath = (id, site) => `/articles/${encodeURIComponent(id)}` + (site && siteOf(site) ? `?site=${encodeURIComponent(siteOf(site).slug)}` : '');

  // A moderator limited to some sites (docs/SITES.md) is offered only those,
  // without "All sites".
  async function loadSitePicker() {
    try {
      const r = await call('GET', '/mod/sites');
      S.sites = r.sites;
      S.limited = r.limited === true;
    } catch (e) {
      return;
    }
    if (S.limited && S.sites.length && !S.sites.some((s) => s.slug === S.site)) S.site = S.sites[0].slug;
    const pick = $('site-pick');
    pick.replaceChildren(...(S.limited ? [] : [el('option', { value: '' }, t('desk_site_all'))]),
      ...S.sites.map((s) => el('option', { value: s.slug, selected: s.slug === S.site }, s.name)));
    $('site-pick-box').hidden = S.sites.length < 2;
    if (isQueue(S.view) && S.items.length) render(); // the items' site names
  }

  $('site-pick').addEventListener('change', () => {
    S.site = $('site-pick').value;
    refreshCounts();
    if (isQueue(S.view)) loadQueue(false);
    else if (S.view === 'articles') loadArticles(false);
    else if (S.view === 'log') loadLog();
    else if (S.view === 'search') searchComments(false);
    else if (S.view === 'people') { showPeopleList(); loadPeople(false); }
    else if (S.view === 'settings') loadSettings();
    else if (S.view === 'numbers') loadNumbers();
  });

  let countsSeq = 0;
  async function refreshCounts() {
    const seq = ++countsSeq; // an older answer (another site's, or before a decision) must not win
    try {
      const c = await call('GET', `/mod/counts${siteParam('?')}`);
      if (seq !== countsSeq) return;
      for (const k of ['pending', 'flagged', 'rejected']) {
        const n = document.querySelector(`[data-count="${k}"]`);
        n.textContent = String(c[k]);
        n.setAttribute('aria-label', t('desk_n_waiting', { n: c[k] }));
      }
    } catch (e) { /* shown on the next action */ }
  }

  const QUEUES = ['pending', 'flagged', 'rejected'];
  const isQueue = (view) => QUEUES.includes(view);

  function select(view) {
    S.view = view;
    for (const t of document.querySelectorAll('[role=tab]')) t.setAttribute('aria-selected', String(t.dataset.view === view));
    $('queue-panel').hidden = !isQueue(view);
    $('log-panel').hidden = view !== 'log';
    $('people-panel').hidden = view !== 'people';
    $('articles-panel').hidden = view !== 'articles';
    $('search-panel').hidden = view !== 'search';
    $('numbers-panel').hidden = view !== 'numbers';
    $('webhooks-panel').hidden = view !== 'webhooks';
    $('settings-panel').hidden = view !== 'settings';
    $('sites-panel').hidden = view !== 'sites';
    if (isQueue(view)) {
      $('queue-panel').setAttribute('aria-labelledby', `tab-${view}`);
      loadQueue(false);
    } else if (view === 'log') {
      loadLog();
    } else if (view === 'webhooks') {
      loadWebhooks();
    } else if (view === 'people') {
      showPeopleList();
      loadPeople(false);
    } else if (view === 'search') {
      if (!F.seq) searchComments(false);
      $('s-q').focus();
    } else if (view === 'numbers') {
      if (!N.seq) lastDays(30);
    } else if (view === 'settings') {
      loadSettings();
    } else if (view === 'sites') {
      loadSites();
    } else {
      loadArticles(false);
    }
  }

  // The moderator's own choice of a tab (showDesk keeps it).
  function pick(view) {
    S.picked = true;
    select(view);
  }

  document.querySelector('[role=tablist]').addEventListener('click', (ev) => {
    const t = ev.target.closest('[role=tab]');
    if (t) pick(t.dataset.view);
  });
  document.querySelector('[role=tablist]').addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
    const tabs = [...document.querySelectorAll('[role=tab]')].filter((t) => !t.hidden);
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    const j = (i + (ev.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
    tabs[j].focus();
    pick(tabs[j].dataset.view);
  });

  // ---- queue ---------------------------------------------------------------

  let queueSeq = 0;
  async function loadQueue(more) {
    // A slower answer for the queue shown before must not replace the one
    // the moderator switched to (the desk opens on Pending; a quick click on
    // Flagged must not get Pending's items back a moment later).
    const seq = ++queueSeq;
    const after = more && S.next ? `&after=${encodeURIComponent(S.next)}` : '';
    try {
      const r = await call('GET', `/mod/queue?queue=${S.view}&limit=50${after}${siteParam('&')}`);
      if (seq !== queueSeq) return;
      S.items = more ? S.items.concat(r.items) : r.items;
      S.next = r.next;
      if (!more) S.sel = 0;
      render();
    } catch (e) {
      if (seq !== queueSeq) return;
      if (e.status === 401 || e.status === 403) showLogin(e.message); else say(e.message);
    }
  }

  $('more').addEventListener('click', () => loadQueue(true));

  // Marks the words at fault: each excerpt of the engine's reasons, found
  // case-insensitively in the body, becomes a <mark> of text nodes.
  function highlighted(body, reasons) {
    const lower = body.toLowerCase();
    const ranges = [];
    for (const r of reasons || []) {
      const ex = (r.excerpt || '').toLowerCase();
      if (!ex) continue;
      for (let i = lower.indexOf(ex); i >= 0; i = lower.indexOf(ex, i + ex.length)) ranges.push([i, i + ex.length, r.rule]);
    }
    ranges.sort((a, b) => a[0] - b[0]);
    const out = [];
    let at = 0;
    for (const [s, e, rule] of ranges) {
      if (s < at) continue;
      if (s > at) out.push(body.slice(at, s));
      out.push(el('mark', { title: rule }, body.slice(s, e)));
      at = e;
    }
    out.push(body.slice(at));
    return out;
  }

  function historyText(h) {
    if (!h) return '';
    return t('desk_history', { comments: h.comments, published: h.published, pending: h.pending, rejected: h.rejected, hidden: h.hidden,
      flags: h.flags_received, upheld: h.flags_upheld, bans: h.bans });
  }

  function itemNode(it, idx) {
    const c = it.comment;
    const a = it.author || {};
    const art = it.article || { id: it.article_id };
    const mod = it.moderation || { reasons: [] };
    const scores = Object.entries(mod.scores || {}).map(([k, v]) => `${k} ${Number(v).toFixed(2)}`).join(', ');
    const id = `item-${c.id}`;
    const banPanel = el('div', { class: 'panel', hidden: true, id: `${id}-ban` },
      el('label', { for: `${id}-ban-reason` }, t('desk_ban_reason')),
      el('input', { id: `${id}-ban-reason`, type: 'text', maxlength: 500 }),
      el('label', { for: `${id}-ban-until` }, t('desk_ban_until')),
      el('input', { id: `${id}-ban-until`, type: 'datetime-local' }),
      el('button', { type: 'button', onclick: () => ban(it, true) }, t('desk_ban')),
      a.banned ? el('button', { type: 'button', onclick: () => ban(it, false) }, t('desk_lift_ban')) : null);
    const artPanel = el('div', { class: 'panel', hidden: true, id: `${id}-art` },
      el('label', { for: `${id}-art-status` }, t('desk_article_status')),
      el('select', { id: `${id}-art-status` }, ['open', 'premoderated', 'closed'].map((s) =>
        el('option', { value: s, selected: art.status === s }, s))),
      el('label', {}, el('input', { type: 'checkbox', id: `${id}-art-sensitive`, checked: !!art.sensitive }), ' ' + t('desk_sensitive')),
      el('button', { type: 'button', onclick: () => saveArticle(it) }, t('desk_save_article')));
    const toggle = (panel) => () => { panel.hidden = !panel.hidden; if (!panel.hidden) panel.querySelector('input,select').focus(); };
    return el('li', { class: 'item', id, tabindex: -1, 'aria-current': idx === S.sel ? 'true' : null,
      'aria-label': t('desk_comment_by', { name: a.name || t('desk_unknown') }), onclick: () => { S.sel = idx; mark(); } },
      el('div', { class: 'meta' },
        el('strong', {}, a.name || `(${t('desk_unknown')})`),
        a.banned ? el('span', { class: 'badge banned' }, a.banned_until ? t('desk_suspended_until', { date: when(a.banned_until) }) : t('desk_banned')) : null,
        el('span', { class: `badge ${c.status}` }, c.status),
        c.featured ? el('span', { class: 'badge' }, t('desk_featured')) : null,
        el('span', {}, when(c.created_at)),
        el('span', {}, t('desk_on') + ' ', el('strong', {}, art.title || art.id), ` (${articleState(art)})`),
        art.site && siteOf(art.site) ? el('span', { class: 'badge site' }, siteOf(art.site).name) : null),
      it.parent ? el('blockquote', { 'aria-label': t('desk_in_reply_to') }, `${it.parent.author ? it.parent.author.name : t('desk_deleted')}: ${it.parent.body}`) : null,
      el('div', { class: 'body' }, highlighted(c.body || '', mod.reasons)),
      c.moderator_reason ? el('p', { class: 'meta' }, t('desk_mod_reason', { reason: c.moderator_reason })) : null,
      el('h3', {}, t('desk_engine')),
      el('ul', {}, el('li', {}, t('desk_decision', { decision: mod.decision }) + (scores ? '; ' + t('desk_scores', { scores }) : '')),
        (mod.reasons || []).map((r) => el('li', {}, el('strong', {}, r.rule), `: ${r.message}`, r.excerpt ? ` (“${r.excerpt}”)` : ''))),
      it.flags && it.flags.length ? [el('h3', {}, t('desk_flags')),
        el('ul', {}, it.flags.map((f) => el('li', {}, el('strong', {}, f.reason), ` ×${f.count}`,
          f.notes && f.notes.length ? el('ul', {}, f.notes.map((n) => el('li', {}, n))) : null)))] : null,
      el('h3', {}, t('desk_author')),
      el('p', { class: 'meta' }, t('desk_member_since', { date: when(a.created_at) }) + ' ' + historyText(a.history)),
      el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'approve', onclick: () => decide(it, 'approve') }, t('desk_approve_a')),
        el('button', { type: 'button', class: 'reject', onclick: () => decide(it, 'reject') }, t('desk_reject_r')),
        el('button', { type: 'button', onclick: () => decide(it, c.featured ? 'unfeature' : 'feature') }, t(c.featured ? 'desk_unfeature_f' : 'desk_feature_f')),
        el('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': `${id}-ban`, onclick: toggle(banPanel) }, t('desk_ban_or_suspend')),
        el('button', { type: 'button', 'aria-controls': `${id}-art`, onclick: toggle(artPanel) }, t('desk_article_more'))),
      banPanel, artPanel);
  }

  function render() {
    const list = $('items');
    list.replaceChildren(...S.items.map(itemNode));
    $('empty').hidden = S.items.length > 0;
    $('more').hidden = !S.next;
    mark();
  }

  function mark() {
    const nodes = [...$('items').children];
    if (S.sel >= nodes.length) S.sel = Math.max(0, nodes.length - 1);
    nodes.forEach((n, i) => n.setAttribute('aria-current', i === S.sel ? 'true' : 'false'));
    const cur = nodes[S.sel];
    if (cur && !cur.contains(document.activeElement)) cur.focus({ preventScroll: false });
  }

  function stillBelongs(action, comment) {
    if (action === 'approve') return S.view === 'pending' ? false : S.view === 'flagged' ? false : comment.status === 'rejected';
    if (action === 'reject') return S.view === 'rejected';
    return true;
  }

  async function decide(it, action) {
    const reason = $('reason').value.trim();
    try {
      const r = await call('POST', `/mod/comments/${it.comment.id}/decision`, reason ? { action, reason } : { action });
      $('reason').value = '';
      // The queue may have been loaded again while the decision was on its
      // way: find the item by its comment, and leave the list alone if it
      // is gone (splice(-1) would drop the last item).
      const i = S.items.findIndex((x) => x.comment.id === it.comment.id);
      if (i >= 0 && stillBelongs(action, r.comment)) {
        S.items[i].comment = r.comment;
      } else if (i >= 0) {
        S.items.splice(i, 1);
      }
      render();
      say(t('desk_done_undo', { action, name: it.author ? it.author.name : t('desk_unknown') }));
      refreshCounts();
    } catch (e) {
      say(e.message);
    }
  }

  async function undo() {
    try {
      const r = await call('POST', '/mod/undo', {});
      say(t('desk_undid', { action: r.undone, status: r.comment.status }));
      await loadQueue(false);
      refreshCounts();
    } catch (e) {
      say(e.message);
    }
  }
  $('undo').addEventListener('click', undo);

  async function ban(it, on) {
    const id = `item-${it.comment.id}`;
    const uid = it.author.id;
    try {
      let r;
      if (on) {
        const reason = $(`${id}-ban-reason`).value.trim();
        const local = $(`${id}-ban-until`).value;
        const until = local ? new Date(local).toISOString().replace(/\.\d+Z$/, 'Z') : null;
        r = await call('POST', `/mod/users/${uid}/ban`, { reason, until });
      } else {
        r = await call('DELETE', `/mod/users/${uid}/ban`);
      }
      for (const x of S.items) if (x.author && x.author.id === uid) Object.assign(x.author, r.user);
      render();
      const name = r.user.name;
      say(!on ? t('desk_ban_lifted', { name }) : r.user.banned_until ? t('desk_now_suspended', { name, date: when(r.user.banned_until) }) : t('desk_now_banned', { name }));
    } catch (e) {
      say(e.message);
    }
  }

  async function saveArticle(it) {
    const id = `item-${it.comment.id}`;
    const body = { status: $(`${id}-art-status`).value, sensitive: $(`${id}-art-sensitive`).checked };
    try {
      const site = it.article && it.article.site;
      const r = await call('PUT', articlePath(it.article_id, site), body);
      for (const x of S.items) if (x.article_id === it.article_id && (x.article && x.article.site) === site) x.article = r.article || Object.assign(x.article || {}, body);
      render();
      say(t('desk_article_saved', { id: it.article_id, state: articleState(body) }));
    } catch (e) {
      say(e.message);
    }
  }

  document.addEventListener('keydown', (ev) => {
    if ($('desk').hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (S.view === 'people' && ev.key === 'Escape' && !$('person').hidden) {
      ev.preventDefault();
      showPeopleList();
      return;
    }
    if (S.view === 'search') {
      searchKey(ev);
      return;
    }
    if (S.view === 'people' || S.view === 'articles') {
      listKey(ev);
      return;
    }
    if (!isQueue(S.view)) return;
    const t = ev.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) {
      if (ev.key === 'Escape') { t.blur(); mark(); }
      return;
    }
    const it = S.items[S.sel];
    switch (ev.key) {
    case 'j': if (S.sel < S.items.length - 1) { S.sel++; mark(); } break;
    case 'k': if (S.sel > 0) { S.sel--; mark(); } break;
    case 'a': if (it) decide(it, 'approve'); break;
    case 'r': if (it) decide(it, 'reject'); break;
    case 'f': if (it) decide(it, it.comment.featured ? 'unfeature' : 'feature'); break;
    case 'u': undo(); break;
    case '/': $('reason').focus(); break;
    default: return;
    }
    ev.preventDefault();
  });

  // ---- log -----------------------------------------------------------------

  let logSeq = 0;
  async function loadLog() {
    const seq = ++logSeq; // a slower, older answer must not overwrite a newer one
    const f = new FormData($('log-filters'));
    const q = new URLSearchParams();
    for (const [k, v] of f.entries()) if (String(v).trim()) q.set(k, String(v).trim());
    if (S.site) q.set('site', S.site);
    q.set('limit', '200');
    try {
      const r = await call('GET', `/mod/log?${q}`);
      if (seq !== logSeq) return;
      $('log-rows').replaceChildren(...r.entries.map((e) => el('tr', {},
        el('td', {}, when(e.at)),
        el('td', {}, e.actor ? e.actor.name : t('desk_automatic')),
        el('td', {}, e.action),
        el('td', {}, targetText(e)),
        el('td', {}, e.action === 'setting' ? settingChange(e.reason) : e.reason))));
      say(t('desk_n_log_entries', { n: r.entries.length }));
    } catch (e) {
      say(e.message);
    }
  }
  $('log-filters').addEventListener('submit', (ev) => { ev.preventDefault(); loadLog(); });

  // ---- webhook (admins) -------------------------------------------------------

  let hookSeq = 0;
  async function loadWebhooks() {
    const seq = ++hookSeq;
    try {
      const r = await call('GET', '/mod/webhooks?limit=100');
      if (seq !== hookSeq) return;
      const w = r.webhook;
      $('webhook-summary').textContent = w.configured
        ? t('desk_webhook_to', { receiver: w.receiver, format: w.format === 'slack' ? t('desk_slack_messages') : 'JSON', signed: t(w.signed ? 'desk_signed' : 'desk_unsigned') })
        : t('desk_webhook_none');
      $('webhook-test').disabled = !w.configured;
      $('webhook-rows').replaceChildren(...r.deliveries.map((d) => el('tr', { 'data-state': d.state },
        el('td', {}, d.event),
        el('td', {}, when(d.created_at)),
        el('td', {}, el('span', { class: `badge ${d.state}` }, d.state)),
        el('td', {}, String(d.attempts)),
        el('td', {}, d.last_status ? `HTTP ${d.last_status}` : '', d.last_error ? ` ${d.last_error}` : ''),
        el('td', {}, d.state === 'pending' ? when(d.next_attempt_at) : ''))));
      say(t('desk_n_deliveries', { n: r.deliveries.length }));
    } catch (e) {
      say(e.message);
    }
  }
  $('webhook-refresh').addEventListener('click', loadWebhooks);
  $('webhook-test').addEventListener('click', async () => {
    try {
      const r = await call('POST', '/mod/webhooks/test', {});
      say(t('desk_test_queued', { id: r.delivery.id }));
      await loadWebhooks();
    } catch (e) {
      say(e.message);
    }
  });

  // How the log and a user's page name a target: people by name, articles by
  // title, comments by their author ("comment 12 by Ada").
  // A settings change's reason ({"version", "before", "after"}, and "site" for
  // a site's own) as "v3: hold → reject" ("sport v3: …"); null is the config file's value,
  // or for a site's own setting the server's (the site follows the server's).
  function settingChange(reason) {
    try {
      const r = JSON.parse(reason);
      const none = r.site ? t('desk_set_log_server') : t('desk_set_log_file');
      const v = (x) => (x === null ? none : typeof x === 'string' ? x : JSON.stringify(x));
      const site = r.site ? `${(siteOf(r.site) || { slug: r.site }).slug} ` : '';
      return `${site}v${r.version}: ${v(r.before)} → ${v(r.after)}`;
    } catch (err) {
      return reason;
    }
  }

  function targetText(e) {
    const name = e.target_name || '';
    if (e.target_type === 'user') return name || t('desk_user_n', { id: e.target_id });
    if (e.target_type === 'article') return name ? `${name} (${e.target_id})` : e.target_id;
    return `${e.target_type} ${e.target_id}${name ? ' ' + t('desk_by', { name }) : ''}`;
  }

  // An article's state: its status, and whether it is marked sensitive.
  function articleState(art) {
    return `${art.status}${art.sensitive ? ', ' + t('desk_sensitive') : ''}`;
  }

  // The moderator filter suggests the names of the staff.
  async function loadStaffNames() {
    try {
      const lists = await Promise.all(['moderator', 'admin'].map((role) => call('GET', `/mod/users?role=${role}&limit=100`)));
      const names = [...new Set(lists.flatMap((l) => l.users.map((u) => u.name)))];
      $('staff-names').replaceChildren(...names.map((n) => el('option', { value: n })));
    } catch (e) { /* the field still takes any name */ }
  }

  // ---- people ----------------------------------------------------------------

  const P = { users: [], next: null, user: null, seq: 0 };

  function stateText(u) {
    if (u.banned) return u.banned_until ? t('desk_suspended_until', { date: when(u.banned_until) }) : t('desk_banned');
    return t('desk_active');
  }

  async function loadPeople(more) {
    const seq = ++P.seq;
    const q = new URLSearchParams();
    for (const [k, v] of new FormData($('people-filters')).entries()) if (String(v).trim()) q.set(k, String(v).trim());
    if (S.site) q.set('site', S.site);
    q.set('limit', '50');
    if (more && P.next) q.set('before', P.next);
    try {
      const r = await call('GET', `/mod/users?${q}`);
      if (seq !== P.seq) return;
      P.users = more ? P.users.concat(r.users) : r.users;
      P.next = r.next;
      $('people-rows').replaceChildren(...P.users.map((u) => el('tr', {},
        el('td', {}, el('button', { type: 'button', class: 'linkish', onclick: () => openPerson(u.id) }, u.name)),
        el('td', {}, u.email),
        el('td', {}, u.role),
        el('td', {}, stateText(u)),
        el('td', {}, String(u.comments)),
        el('td', {}, when(u.created_at)))));
      $('people-more').hidden = !P.next;
      say(t('desk_n_people', { n: P.users.length, more: moreBelow(P.next) }));
    } catch (e) {
      say(e.message);
    }
  }
  $('people-filters').addEventListener('submit', (ev) => { ev.preventDefault(); loadPeople(false); });
  $('people-more').addEventListener('click', () => loadPeople(true));

  function showPeopleList() {
    const wasOpen = !$('person').hidden;
    $('person').hidden = true;
    $('people-list').hidden = false;
    if (wasOpen) {
      const b = [...document.querySelectorAll('#people-rows button')].find((x) => P.user && x.textContent === P.user.name);
      (b || $('p-q')).focus();
    }
  }

  function li(...kids) { return el('li', {}, ...kids); }
  function listOr(node, items, empty) {
    $(node).replaceChildren(...(items.length ? items : [el('li', { class: 'meta' }, empty)]));
  }

  async function openPerson(id) {
    try {
      const r = await call('GET', `/mod/users/${id}${siteParam('?')}`);
      P.user = r.user;
      const u = r.user;
      const h = u.history || {};
      $('person-name').textContent = u.name;
      $('person-summary').textContent = `${u.email} · ${u.role} · ${stateText(u)}${u.ban_reason ? ` (${u.ban_reason})` : ''} · ` +
        `${t('desk_member_since_short', { date: when(u.created_at) })} · ${historyText(h)}`;
      $('pb-lift').hidden = !u.banned;
      const staff = u.role !== 'reader';
      const mayAct = S.me.role === 'admin' || !staff;
      $('person-ban').hidden = !mayAct || u.id === S.me.id;
      $('person-delete').hidden = !mayAct || u.id === S.me.id;
      $('person-role').hidden = S.me.role !== 'admin' || u.id === S.me.id;
      $('pr-role').value = u.role;
      // Admins choose a moderator's sites (none ticked: every site).
      $('person-sites').hidden = S.me.role !== 'admin' || u.role !== 'moderator' || S.sites.length < 2;
      $('ps-list').replaceChildren(...S.sites.map((s) => el('label', {},
        el('input', { type: 'checkbox', value: String(s.id), checked: (u.moderator_sites || []).includes(s.id) }), ` ${s.name}`)));
      $('pd-confirm').checked = false;
      listOr('person-notes', r.notes.map((n) => li(el('strong', {}, n.author.name), ` · ${when(n.created_at)}\n${n.body}`)), t('desk_no_notes'));
      listOr('person-comments', r.comments.map((c) => li(el('span', { class: `badge ${c.status}` }, c.status),
        ' ' + t('desk_date_on', { date: when(c.created_at), article: c.article_id }) + '\n',
        c.body, c.moderator_reason ? '\n' + t('desk_mod_reason', { reason: c.moderator_reason }) : '')), t('desk_no_comments'));
      const flagLi = (f, who) => li(el('strong', {}, f.reason), ` ${t('desk_on_comment', { id: f.comment_id })} ${who} · ${when(f.created_at)} · ${f.outcome}`,
        f.note ? `\n“${f.note}”` : '');
      listOr('person-flags-received', r.flags_received.map((f) => flagLi(f, t('desk_by', { name: f.flagger.name }))), t('desk_none'));
      listOr('person-flags-given', r.flags_given.map((f) => flagLi(f, t('desk_written_by', { name: f.author.name }))), t('desk_none'));
      listOr('person-log', r.log.map((e) => li(`${when(e.at)} · ${e.actor ? e.actor.name : t('desk_automatic')} · `, el('strong', {}, e.action),
        e.reason ? ` · ${e.reason}` : '')), t('desk_nothing_logged'));
      $('people-list').hidden = true;
      $('person').hidden = false;
      $('person').focus();
    } catch (e) {
      say(e.message);
    }
  }

  async function personAct(fn, done) {
    const u = P.user;
    try {
      await fn(u);
      say(done(u));
      await openPerson(u.id);
    } catch (e) {
      say(e.message);
    }
  }

  $('person-back').addEventListener('click', showPeopleList);
  $('pb-ban').addEventListener('click', () => personAct(async (u) => {
    const local = $('pb-until').value;
    const until = local ? new Date(local).toISOString().replace(/\.\d+Z$/, 'Z') : null;
    await call('POST', `/mod/users/${u.id}/ban`, { reason: $('pb-reason').value.trim(), until });
    $('pb-reason').value = '';
    $('pb-until').value = '';
  }, (u) => t('desk_banned_or_suspended', { name: u.name })));
  $('pb-lift').addEventListener('click', () => personAct((u) => call('DELETE', `/mod/users/${u.id}/ban`), (u) => t('desk_ban_lifted', { name: u.name })));
  $('pr-save').addEventListener('click', () => personAct((u) => call('POST', `/mod/users/${u.id}/role`, { role: $('pr-role').value }),
    (u) => t('desk_now_role', { name: u.name, role: $('pr-role').value })));
  $('ps-save').addEventListener('click', () => personAct((u) => call('PUT', `/mod/users/${u.id}/sites`,
    { sites: [...document.querySelectorAll('#ps-list input:checked')].map((i) => Number(i.value)) }),
  (u) => t('desk_mod_sites_saved', { name: u.name })));
  $('note-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    personAct(async (u) => {
      await call('POST', `/mod/users/${u.id}/notes`, { body: $('note-body').value.trim() });
      $('note-body').value = '';
    }, () => t('desk_note_added'));
  });
  $('pd-delete').addEventListener('click', async () => {
    const u = P.user;
    if (!$('pd-confirm').checked) {
      say(t('desk_tick_sure'));
      $('pd-confirm').focus();
      return;
    }
    try {
      await call('DELETE', `/mod/users/${u.id}?comments=${$('pd-mode').value}`);
      showPeopleList();
      await loadPeople(false);
      $('p-q').focus();
      say(t('desk_account_deleted', { name: u.name }));
    } catch (e) {
      say(e.message);
    }
  });

  // ---- keys on the People and Articles lists -----------------------------------
  // j/k move the current row (marked aria-current) and focus its first
  // button, so Enter opens the person or the article's edit row as a click
  // would; e opens the current article's edit row; / goes to the search field.
  // Esc leaves a field for the list (and an article's edit row cancels it,
  // articleRow).

  function listRows(tbody) {
    return [...$(tbody).children].filter((r) => !r.classList.contains('edit-row'));
  }

  function currentRow(tbody) {
    const rows = listRows(tbody);
    const at = rows.findIndex((r) => r.contains(document.activeElement));
    return at >= 0 ? at : rows.findIndex((r) => r.getAttribute('aria-current') === 'true');
  }

  function markRow(tbody, i) {
    const rows = listRows(tbody);
    if (!rows.length) return null;
    const k = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, n) => r.setAttribute('aria-current', n === k ? 'true' : 'false'));
    const b = rows[k].querySelector('button');
    if (b) b.focus();
    return rows[k];
  }

  function listKey(ev) {
    const people = S.view === 'people';
    const tbody = people ? 'people-rows' : 'articles-rows';
    const tg = ev.target;
    if (tg && (tg.tagName === 'INPUT' || tg.tagName === 'TEXTAREA' || tg.tagName === 'SELECT')) {
      if (ev.key === 'Escape') { tg.blur(); markRow(tbody, Math.max(0, currentRow(tbody))); }
      return;
    }
    if (people && !$('person').hidden) return;
    const cur = currentRow(tbody);
    switch (ev.key) {
    case 'j': markRow(tbody, cur < 0 ? 0 : cur + 1); break;
    case 'k': markRow(tbody, cur < 0 ? 0 : cur - 1); break;
    case 'e': {
      if (people) return;
      const row = markRow(tbody, Math.max(0, cur));
      const toggle = row && row.querySelector('button[aria-controls]');
      if (toggle && toggle.getAttribute('aria-expanded') !== 'true') toggle.click();
      break;
    }
    case '/': $(people ? 'p-q' : 'a-q').focus(); break;
    default: return;
    }
    ev.preventDefault();
  }

  // ---- articles ----------------------------------------------------------------

  const A = { articles: [], next: null, seq: 0 };

  function articleRow(art) {
    const id = `art-${A.articles.indexOf(art)}`;
    const edit = el('tr', { class: 'edit-row', hidden: true, id: `${id}-edit` }, el('td', { colspan: 7 },
      el('div', { class: 'panel' },
        el('label', { for: `${id}-title` }, t('desk_title_field')), el('input', { id: `${id}-title`, type: 'text', maxlength: 300, value: art.title }),
        el('label', { for: `${id}-url` }, t('desk_url')), el('input', { id: `${id}-url`, type: 'url', maxlength: 2000, value: art.url }),
        el('label', { for: `${id}-status` }, t('desk_state')),
        el('select', { id: `${id}-status` }, ['open', 'premoderated', 'closed'].map((v) => el('option', { value: v, selected: art.status === v }, v))),
        el('label', {}, el('input', { type: 'checkbox', id: `${id}-sensitive`, checked: art.sensitive }), ' ' + t('desk_sensitive')),
        el('button', { type: 'button', onclick: () => saveArticleRow(art, id) }, t('desk_save')))));
    const toggle = el('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': `${id}-edit`,
      'aria-label': t('desk_edit_named', { name: art.title || art.id }) }, t('desk_edit'));
    toggle.addEventListener('click', () => {
      edit.hidden = !edit.hidden;
      toggle.setAttribute('aria-expanded', String(!edit.hidden));
      if (!edit.hidden) $(`${id}-title`).focus();
    });
    // Esc anywhere in the edit row cancels it: the fields as stored, the row
    // closed, focus back on its Edit button.
    edit.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Escape') return;
      ev.preventDefault();
      ev.stopPropagation();
      $(`${id}-title`).value = art.title || '';
      $(`${id}-url`).value = art.url || '';
      $(`${id}-status`).value = art.status;
      $(`${id}-sensitive`).checked = art.sensitive;
      edit.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      toggle.focus();
      say(t('desk_edit_cancelled', { id: art.id }));
    });
    const state = articleState(art);
    return [el('tr', {},
      el('td', {}, art.title || art.id, art.title ? el('div', { class: 'meta' }, art.id) : null),
      el('td', {}, state),
      el('td', {}, String(art.comment_count)),
      el('td', {}, String(art.pending_count)),
      el('td', {}, String(art.total_count)),
      el('td', {}, when(art.created_at)),
      el('td', {}, toggle)), edit];
  }

  async function loadArticles(more) {
    const seq = ++A.seq;
    const q = new URLSearchParams();
    if (S.site) q.set('site', S.site);
    for (const [k, v] of new FormData($('articles-filters')).entries()) if (String(v).trim()) q.set(k, String(v).trim());
    q.set('limit', '50');
    if (more && A.next) q.set('before', A.next);
    try {
      const r = await call('GET', `/mod/articles?${q}`);
      if (seq !== A.seq) return;
      A.articles = more ? A.articles.concat(r.articles) : r.articles;
      A.next = r.next;
      $('articles-rows').replaceChildren(...A.articles.flatMap(articleRow));
      $('articles-more').hidden = !A.next;
      say(t('desk_n_articles', { n: A.articles.length, more: moreBelow(A.next) }));
    } catch (e) {
      say(e.message);
    }
  }
  $('articles-filters').addEventListener('submit', (ev) => { ev.preventDefault(); loadArticles(false); });
  $('articles-more').addEventListener('click', () => loadArticles(true));

  async function saveArticleRow(art, id) {
    const body = { title: $(`${id}-title`).value.trim(), url: $(`${id}-url`).value.trim(),
      status: $(`${id}-status`).value, sensitive: $(`${id}-sensitive`).checked };
    if (!body.url) delete body.url;
    try {
      const r = await call('PUT', articlePath(art.id, art.site), body);
      Object.assign(art, r.article);
      $('articles-rows').replaceChildren(...A.articles.flatMap(articleRow));
      say(t('desk_article_saved', { id: art.id, state: articleState(art) }));
    } catch (e) {
      say(e.message);
    }
  }

  // ---- search ----------------------------------------------------------------
  // Comments by their words, author, article and status, newest first; the
  // words found are marked, and j/k with a/r/f work on the results as in the
  // queues.

  const F = { comments: [], words: [], next: null, sel: 0, seq: 0 };

  async function searchComments(more) {
    const seq = ++F.seq;
    const q = new URLSearchParams();
    for (const [k, v] of new FormData($('search-form')).entries()) if (String(v).trim()) q.set(k, String(v).trim());
    if (S.site) q.set('site', S.site);
    q.set('limit', '50');
    if (more && F.next) q.set('before', F.next);
    try {
      const r = await call('GET', `/mod/search?${q}`);
      if (seq !== F.seq) return;
      F.comments = more ? F.comments.concat(r.comments) : r.comments;
      F.words = (q.get('q') || '').split(/\s+/).map((w) => w.replace(/^["'(]+|["'),.!?;:*]+$/g, '')).filter(Boolean);
      F.next = r.next;
      if (!more) F.sel = 0;
      renderFound(false);
      const n = F.comments.length;
      say(t('desk_n_found', { n, more: moreBelow(F.next) }));
    } catch (e) {
      if (seq === F.seq) say(e.message);
    }
  }

  function foundNode(c, idx) {
    const words = F.words.map((w) => ({ excerpt: w, rule: 'search' }));
    return el('li', { class: 'item', id: `found-${c.id}`, tabindex: -1, 'aria-current': idx === F.sel ? 'true' : 'false',
      'aria-label': `${t('desk_comment_by', { name: c.author ? c.author.name : t('desk_a_deleted_account') })}, ${c.status}`, onclick: () => { F.sel = idx; markFound(false); } },
    el('div', { class: 'meta' },
      c.author ? el('button', { type: 'button', class: 'linkish', onclick: () => openAuthor(c.author.id) }, c.author.name) : el('strong', {}, t('desk_deleted_account')),
      el('span', { class: `badge ${c.status}` }, c.status),
      c.featured ? el('span', { class: 'badge' }, t('desk_featured')) : null,
      el('span', {}, when(c.created_at)),
      el('span', {}, t('desk_on') + ' ', el('strong', {}, c.article_id))),
    el('div', { class: 'body' }, highlighted(c.body || '', words)),
    c.moderator_reason ? el('p', { class: 'meta' }, t('desk_mod_reason', { reason: c.moderator_reason })) : null,
    el('div', { class: 'actions' },
      c.status !== 'published' ? el('button', { type: 'button', class: 'approve', onclick: () => decideFound(c, 'approve') }, t('desk_approve_a')) : null,
      c.status !== 'rejected' ? el('button', { type: 'button', class: 'reject', onclick: () => decideFound(c, 'reject') }, t('desk_reject_r')) : null,
      c.status === 'published' ? el('button', { type: 'button', onclick: () => decideFound(c, c.featured ? 'unfeature' : 'feature') },
        t(c.featured ? 'desk_unfeature_f' : 'desk_feature_f')) : null));
  }

  function renderFound(focus) {
    $('found').replaceChildren(...F.comments.map(foundNode));
    $('found-empty').hidden = F.comments.length > 0;
    $('found-more').hidden = !F.next;
    markFound(focus);
  }

  function markFound(focus) {
    const nodes = [...$('found').children];
    if (F.sel >= nodes.length) F.sel = Math.max(0, nodes.length - 1);
    nodes.forEach((n, i) => n.setAttribute('aria-current', i === F.sel ? 'true' : 'false'));
    const cur = nodes[F.sel];
    if (focus && cur && !cur.contains(document.activeElement)) cur.focus();
  }

  async function decideFound(c, action) {
    try {
      const r = await call('POST', `/mod/comments/${c.id}/decision`, { action });
      const i = F.comments.indexOf(c);
      if (i >= 0) F.comments[i] = r.comment;
      renderFound(true);
      say(t('desk_done', { action, name: c.author ? c.author.name : t('desk_a_deleted_account') }));
      refreshCounts();
    } catch (e) {
      say(e.message);
    }
  }

  function openAuthor(id) {
    pick('people');
    openPerson(id);
  }

  function searchKey(ev) {
    const t = ev.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) {
      if (ev.key === 'Escape') { t.blur(); markFound(true); }
      return;
    }
    const c = F.comments[F.sel];
    switch (ev.key) {
    case 'j': if (F.sel < F.comments.length - 1) { F.sel++; markFound(true); } break;
    case 'k': if (F.sel > 0) { F.sel--; markFound(true); } break;
    case 'a': if (c && c.status !== 'published') decideFound(c, 'approve'); break;
    case 'r': if (c && c.status !== 'rejected') decideFound(c, 'reject'); break;
    case 'f': if (c && c.status === 'published') decideFound(c, c.featured ? 'unfeature' : 'feature'); break;
    case '/': $('s-q').focus(); break;
    default: return;
    }
    ev.preventDefault();
  }

  $('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); searchComments(false); });
  $('found-more').addEventListener('click', () => searchComments(true));

  // ---- numbers ---------------------------------------------------------------
  // GET /mod/stats drawn as SVG made here (no chart library): comments per
  // day by status, the queues at each day's end, the median wait for a
  // decision, the engine's decisions with what moderators made of them, and
  // flags by reason. Every chart is an image with a title and a description,
  // and its figures are in a table below it.

  const N = { seq: 0 };
  const SVGNS = 'http://www.w3.org/2000/svg';
  const DAY = 86400000;
  const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

  function svg(tag, attrs, ...kids) {
    const n = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) n.setAttribute(k, String(v));
    for (const kid of kids.flat()) if (kid !== null && kid !== undefined) n.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    return n;
  }

  // A wait in the desk's language: the units are Intl's ("5 min", "3 Std.").
  const unit = (u, v, digits = 0) => new Intl.NumberFormat(LANG, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: digits }).format(v);
  function waitText(ms) {
    if (ms === null || ms === undefined) return '–';
    if (ms < 60000) return unit('second', Math.round(ms / 1000));
    const min = Math.round(ms / 60000);
    if (min < 60) return unit('minute', min);
    if (min < 48 * 60) return `${unit('hour', Math.floor(min / 60))} ${unit('minute', min % 60)}`;
    return unit('day', Math.round(min / 144) / 10, 1);
  }

  // A round top for the y axis: 1, 2 or 5 times a power of ten.
  function niceMax(v) {
    if (v <= 0) return 1;
    const p = 10 ** Math.floor(Math.log10(v));
    return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v);
  }

  // Stacked bars over days ('bars') or categories ('cats', every label shown,
  // slanted), or lines over days ('lines'); series [{name, cls, values}].
  function plot(id, title, desc, labels, series, kind, fmt = num) {
    const cats = kind === 'cats';
    // As wide as the screen allows (up to 640), so the text keeps its size on a phone.
    const W = Math.max(300, Math.min(640, $('n-charts').clientWidth - 28));
    const H = cats ? 260 : 220, L = 56, R = 8, T = 10, B = cats ? 66 : 26;
    const pw = W - L - R, ph = H - T - B, n = labels.length;
    const tops = labels.map((_, i) => (kind !== 'lines' ? series.reduce((s, x) => s + (x.values[i] || 0), 0) : Math.max(...series.map((x) => x.values[i] || 0))));
    const max = niceMax(Math.max(0, ...tops));
    const y = (v) => T + ph - (v / max) * ph;
    const step = pw / Math.max(1, n);
    const g = svg('g', {});
    for (const t of [0, max / 2, max]) {
      g.append(svg('line', { x1: L, x2: W - R, y1: y(t), y2: y(t), class: 'grid' }),
        svg('text', { x: L - 4, y: y(t) + 4, 'text-anchor': 'end' }, fmt(t)));
    }
    const shown = cats ? labels.map((_, i) => i) : [...new Set([0, Math.floor((n - 1) / 2), n - 1])].filter((i) => i >= 0);
    for (const i of shown) {
      const x = L + step * (i + 0.5);
      g.append(cats ? svg('text', { x, y: H - B + 14, 'text-anchor': 'end', transform: `rotate(-30 ${x} ${H - B + 14})` }, labels[i])
        : svg('text', { x: i === 0 ? L : i === n - 1 ? W - R : x, y: H - 8, 'text-anchor': i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle' },
          labels[i].slice(5)));
    }
    if (kind !== 'lines') {
      labels.forEach((lab, i) => {
        let base = 0;
        for (const x of series) {
          const v = x.values[i] || 0;
          if (!v) continue;
          g.append(svg('rect', { x: L + step * i + step * 0.1, width: Math.max(1, step * 0.8), y: y(base + v), height: y(base) - y(base + v), class: x.cls },
            svg('title', {}, `${lab}: ${x.name} ${fmt(v)}`)));
          base += v;
        }
      });
    } else {
      for (const x of series) {
        const pts = x.values.map((v, i) => `${(L + step * (i + 0.5)).toFixed(1)},${y(v || 0).toFixed(1)}`).join(' ');
        g.append(svg('polyline', { points: pts, class: `line ${x.cls}` }));
      }
    }
    const img = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, class: 'chart' },
      svg('title', { id: `${id}-t` }, title), svg('desc', { id: `${id}-d` }, desc), g);
    const legend = el('ul', { class: 'legend' }, series.map((x) => el('li', {}, el('span', { class: `key ${x.cls}`, 'aria-hidden': 'true' }), x.name)));
    const table = el('table', { class: 'log' }, el('caption', {}, title),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t(cats ? 'desk_n_reason' : 'desk_n_day')), series.map((x) => el('th', { scope: 'col' }, x.name)))),
      el('tbody', {}, labels.map((lab, i) => el('tr', {}, el('th', { scope: 'row' }, lab), series.map((x) => el('td', {}, x.values[i] === null ? '–' : fmt(x.values[i])))))));
    return el('figure', { class: 'n-chart', id },
      el('figcaption', {}, el('h3', {}, title)), img, legend,
      el('details', {}, el('summary', {}, t('desk_n_figures', { title })), el('div', { class: 'scroll' }, table)));
  }

  function renderNumbers(s) {
    const days = s.days.map((d) => d.date);
    const col = (f) => s.days.map(f);
    const sum = (f) => s.days.reduce((t, d) => t + f(d), 0);
    const total = sum((d) => Object.values(d.comments).reduce((a, b) => a + b, 0));
    const reviewed = ['held', 'rejected', 'review'].reduce((t, k) => t + s.engine[k].overturned + s.engine[k].upheld, 0);
    const overturned = ['held', 'rejected', 'review'].reduce((t, k) => t + s.engine[k].overturned, 0);
    const share = s.engine.overturned_share;
    const pct = (v) => v.toLocaleString(LANG, { style: 'percent' });
    const strong = (v) => el('strong', {}, v);
    $('n-summary').replaceChildren(el('ul', { class: 'n-facts' },
      el('li', {}, tn('desk_n_fact_comments', { n: total, count: strong(num(total)), from: s.from, to: s.to })),
      el('li', {}, tn('desk_n_fact_decisions', { n: s.decisions.count, count: strong(num(s.decisions.count)), wait: strong(waitText(s.decisions.median_wait_ms)) })),
      el('li', {}, tn(share === null ? 'desk_n_fact_engine' : 'desk_n_fact_engine_p', { share: strong(share === null ? '–' : pct(share)),
        overturned: num(overturned), reviewed: num(reviewed), precision: share === null ? '' : pct(1 - share) })),
      el('li', {}, tn('desk_n_fact_flags', { n: sum((d) => d.flags), count: strong(num(sum((d) => d.flags))) }))));
    // Comment statuses and flag reasons are shown as the API names them (docs/I18N.md).
    const statuses = ['published', 'pending', 'rejected', 'hidden', 'deleted'];
    const flags = s.flags;
    const range = { from: s.from, to: s.to };
    $('n-charts').replaceChildren(
      plot('n-comments', t('desk_n_c_comments'), t('desk_n_c_comments_d', range),
        days, statuses.map((k) => ({ name: k, cls: `s-${k}`, values: col((d) => d.comments[k]) })), 'bars'),
      plot('n-queues', t('desk_n_c_queues'), t('desk_n_c_queues_d'),
        days, [{ name: t('desk_pending'), cls: 's-pending', values: col((d) => d.pending_queue) }, { name: t('desk_flagged'), cls: 's-flagged', values: col((d) => d.flagged_queue) }], 'lines'),
      plot('n-wait', t('desk_n_c_wait'), t('desk_n_c_wait_d'),
        days, [{ name: t('desk_n_median_wait'), cls: 's-wait', values: col((d) => d.median_wait_ms) }], 'bars', waitText),
      plot('n-engine', t('desk_n_c_engine'), t('desk_n_c_engine_d'),
        days, [{ name: t('desk_n_overturned'), cls: 's-rejected', values: col((d) => d.overturned) }, { name: t('desk_n_upheld'), cls: 's-published', values: col((d) => d.upheld) },
          { name: t('desk_n_not_reviewed'), cls: 's-pending', values: col((d) => d.engine.held + d.engine.rejected + d.engine.review - d.overturned - d.upheld) }], 'bars'),
      plot('n-flags', t('desk_n_c_flags'), t('desk_n_c_flags_d'),
        flags.map((f) => f.reason), [{ name: t('desk_n_upheld'), cls: 's-rejected', values: flags.map((f) => f.upheld) },
          { name: t('desk_n_dismissed'), cls: 's-published', values: flags.map((f) => f.dismissed) }, { name: t('desk_n_open'), cls: 's-pending', values: flags.map((f) => f.open) }], 'cats'));
  }

  async function loadNumbers() {
    const seq = ++N.seq;
    const q = new URLSearchParams({ from: $('n-from').value, to: $('n-to').value });
    if (S.site) q.set('site', S.site);
    $('n-csv').href = `${API}/mod/stats?${q}&format=csv`;
    try {
      const r = await call('GET', `/mod/stats?${q}`);
      if (seq !== N.seq) return;
      renderNumbers(r);
      say(t('desk_n_loaded', { from: r.from, to: r.to }));
    } catch (e) {
      if (seq === N.seq) say(e.message);
    }
  }

  function lastDays(n) {
    const today = Date.now() - (Date.now() % DAY);
    $('n-to').value = isoDay(today);
    $('n-from').value = isoDay(today - (n - 1) * DAY);
    loadNumbers();
  }

  $('numbers-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadNumbers(); });
  $('n-last30').addEventListener('click', () => lastDays(30));

  $('close-old').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const days = Number($('close-days').value);
    try {
      // The switcher's site alone (every site's with "All sites"), as the list above shows.
      const r = await call('POST', `/mod/articles/close${siteParam('?')}`, { older_than_days: days });
      await loadArticles(false);
      say(t('desk_n_closed', { n: r.closed, days }));
    } catch (e) {
      say(e.message);
    }
  });

  // ---- sites (admins) --------------------------------------------------------
  // GET /mod/sites lists the sites (docs/SITES.md); the form below the table
  // adds one (slug, name, origins one per line) or, after Edit, changes a
  // site's name and origins. A refused field is marked and focused.

  const SITES = { editing: null, list: [] };
  const SITE_FIELDS = ['slug', 'name', 'origins'];

  async function loadSites() {
    try {
      const r = await call('GET', '/mod/sites');
      SITES.list = r.sites;
      $('site-rows').replaceChildren(...r.sites.map((s) => el('tr', { 'data-site': s.slug },
        el('td', {}, el('code', {}, s.slug)),
        el('td', {}, s.name),
        el('td', {}, s.origins.length ? el('ul', { class: 'origins' }, s.origins.map((o) => el('li', {}, o))) : el('span', { class: 'meta' }, t('desk_set_none'))),
        el('td', {}, el('button', { type: 'button', 'aria-label': t('desk_site_edit_label', { slug: s.slug }), onclick: () => editSite(s) }, t('desk_site_edit'))))));
    } catch (e) {
      say(e.message);
    }
  }

  function siteErrors(field, message) {
    for (const f of SITE_FIELDS) {
      const p = $(`site-${f}-err`);
      p.hidden = f !== field;
      p.textContent = f === field ? message : '';
      if (f === field) $(`site-${f}`).setAttribute('aria-invalid', 'true');
      else $(`site-${f}`).removeAttribute('aria-invalid');
    }
    if (field) $(`site-${field}`).focus();
  }

  function editSite(s) {
    SITES.editing = s;
    siteErrors(null);
    $('site-form-title').textContent = t('desk_site_editing', { slug: s.slug });
    $('site-slug').value = s.slug;
    $('site-slug').disabled = true;
    $('site-name').value = s.name;
    $('site-origins').value = s.origins.join('\n');
    $('site-save').textContent = t('desk_site_save');
    $('site-cancel').hidden = false;
    $('site-name').focus();
  }

  function newSite() {
    SITES.editing = null;
    siteErrors(null);
    $('site-form-title').textContent = t('desk_site_new');
    for (const f of SITE_FIELDS) $(`site-${f}`).value = '';
    $('site-slug').disabled = false;
    $('site-save').textContent = t('desk_site_add');
    $('site-cancel').hidden = true;
  }

  $('site-cancel').addEventListener('click', () => { newSite(); $('site-slug').focus(); });
  $('site-form').addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && SITES.editing) { newSite(); $('site-slug').focus(); } });
  $('site-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const origins = $('site-origins').value.split('\n').map((o) => o.trim()).filter((o) => o);
    const name = $('site-name').value.trim();
    const editing = SITES.editing;
    try {
      const r = editing
        ? await call('PATCH', `/mod/sites/${editing.id}`, { name, origins })
        : await call('POST', '/mod/sites', { slug: $('site-slug').value.trim(), name, origins });
      newSite();
      await loadSites();
      loadSitePicker();
      say(t(editing ? 'desk_site_saved' : 'desk_site_added', { slug: r.site.slug }));
      const row = document.querySelector(`#site-rows tr[data-site="${r.site.slug}"] button`);
      if (row) row.focus();
    } catch (e) {
      const field = SITE_FIELDS.includes(e.field) ? e.field : e.code === 'conflict' ? 'slug' : e.code === 'origin_taken' ? 'origins' : null;
      if (field) siteErrors(field, e.message);
      say(t('desk_site_not_saved', { why: e.message }));
    }
  });

  // ---- settings (admins) ----------------------------------------------------
  // GET /mod/settings lists every setting with its value, the config file's
  // default and its bounds; the form sends only what changed (null: back to
  // the file's value) on top of the version it showed, and shows each field's
  // error beside it.

  // SET.site: the site whose own settings are shown (null: the server's); a
  // site's defaults are the server's values, not the config file's.
  const SET = { version: 0, items: [], reset: new Set(), site: null };
  const GROUPS = () => ({
    policy: t('desk_set_g_policy'),
    model: t('desk_set_g_model'),
    words: t('desk_set_g_words'),
    flags: t('desk_set_g_flags'),
    pages: SET.site ? t('desk_set_g_pages_site') : t('desk_set_g_pages'),
    premoderation: t('desk_set_g_premoderation'),
  });
  // Each setting's help from the catalogue (desk_seth_ and the name, dots as
  // underscores), else the server's English help for a setting it does not know.
  const setHelp = (s) => {
    const key = `desk_seth_${s.name.replace(/[^a-z0-9]+/g, '_')}`;
    return typeof CAT[key] === 'string' ? t(key) : s.help;
  };
  const setId = (name) => `set-${name.replace(/[^a-z0-9]+/g, '-')}`;
  const shown = (v) => (v === null || v === undefined ? t('desk_set_model_own') : typeof v === 'boolean' ? (v ? t('desk_set_on') : t('desk_set_off'))
    : Array.isArray(v) ? (v.length ? v.join(', ') : t('desk_set_none')) : String(v));

  function setControl(s) {
    const id = setId(s.name);
    const common = { id, name: s.name, 'aria-describedby': `${id}-help ${id}-err` };
    if (s.type === 'action') return el('select', common, s.choices.map((c) => el('option', { value: c }, c)));
    if (s.type === 'boolean') return el('input', { ...common, type: 'checkbox' });
    if (s.type === 'words') return el('textarea', { ...common, rows: 4, spellcheck: 'false' });
    if (s.type === 'text') return el('textarea', { ...common, rows: 8 });
    if (s.type === 'integer') return el('input', { ...common, type: 'number', min: s.min, max: s.max, step: 1, inputmode: 'numeric' });
    return el('input', { ...common, type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: s.off_allowed ? t('desk_set_eg_off') : t('desk_set_eg') });
  }

  function setShow(input, s, v) {
    if (s.type === 'words') input.value = (v || []).join('\n');
    else if (s.type === 'boolean') input.checked = v === true;
    else input.value = v === null || v === undefined ? '' : String(v);
  }

  function setRead(input, s) {
    if (s.type === 'words') return input.value.split('\n').map((w) => w.trim()).filter((w) => w);
    if (s.type === 'text') return input.value === '' ? null : input.value;
    if (s.type === 'boolean') return input.checked;
    const v = input.value.trim();
    if (s.type === 'action') return v;
    if (v === '') return null;
    if (v === 'off') return 'off';
    const num = Number(v);
    return Number.isFinite(num) ? num : v;
  }

  function renderSettings(r) {
    SET.version = r.version;
    SET.items = r.settings;
    SET.reset.clear();
    // A site's own settings (docs/SITES.md): what it does not change is the server's.
    const own = r.site ? siteOf(r.site) : null;
    SET.site = r.site || null;
    $('settings-site').hidden = !own;
    $('settings-site').textContent = own ? t('desk_set_site', { site: own.name }) : '';
    $('settings-intro').textContent = SET.site ? t('desk_set_intro_site') : t('desk_set_intro');
    $('settings-version').textContent = r.version === 0 ? (SET.site ? t('desk_set_v0_site') : t('desk_set_v0'))
      : r.updated_by ? t('desk_set_version_by', { version: r.version, when: when(r.updated_at), name: r.updated_by.name })
        : t('desk_set_version', { version: r.version, when: when(r.updated_at) });
    $('settings-preview-result').textContent = ''; // a preview of the form as it was
    $('settings-preview-changes').textContent = '';
    const box = $('settings-groups');
    box.textContent = '';
    for (const [g, title] of Object.entries(GROUPS())) {
      const rows = r.settings.filter((s) => s.group === g);
      if (!rows.length) continue;
      box.append(el('fieldset', { class: 'set-group' }, el('legend', {}, title), rows.map((s) => {
        const id = setId(s.name);
        const input = setControl(s);
        setShow(input, s, s.value);
        const badge = el('span', { class: 'badge changed', hidden: !s.overridden }, t('desk_set_changed'));
        const reset = el('button', {
          type: 'button', hidden: !s.overridden,
          'aria-label': SET.site ? t('desk_set_reset_label_site', { name: s.name }) : t('desk_set_reset_label', { name: s.name }),
        }, t('desk_set_reset'));
        reset.addEventListener('click', () => {
          setShow(input, s, s.default);
          SET.reset.add(s.name);
          badge.hidden = true;
          reset.hidden = true;
          input.focus();
        });
        input.addEventListener('input', () => SET.reset.delete(s.name));
        const preview = s.type === 'text' ? pagePreview(s, input) : null;
        return el('div', { class: s.type === 'text' || s.type === 'words' ? 'set-row wide' : 'set-row' },
          el('label', { for: id }, s.name), input,
          el('span', { class: 'set-side' }, s.type === 'text' ? (s.default ? (SET.site ? t('desk_set_default_server_text') : t('desk_set_default_file')) : '')
            : t('desk_set_default', { value: shown(s.default) }),
            badge, reset, preview && preview.button),
          preview && preview.frame,
          el('p', { class: 'set-help', id: `${id}-help` }, setHelp(s)),
          el('p', { class: 'set-error', id: `${id}-err`, hidden: true }));
      })));
    }
  }

  // A page's Markdown as the page will show it, rendered by the server and
  // shown in a sandboxed frame (no script runs in it; the desk's own DOM
  // takes no HTML).
  function pagePreview(s, input) {
    const frame = el('iframe', { class: 'set-preview', sandbox: '', title: t('desk_set_preview_of', { name: s.name }), hidden: true });
    const button = el('button', { type: 'button', 'aria-label': t('desk_set_preview_label', { name: s.name }) }, t('desk_set_preview'));
    button.addEventListener('click', async () => {
      try {
        const r = await call('POST', '/mod/pages/preview', { markdown: input.value });
        frame.srcdoc = `<!doctype html><meta charset="utf-8"><style>body{font:15px/1.5 system-ui,sans-serif;margin:.6rem}</style>${r.html}`;
        frame.hidden = false;
        say(t('desk_set_preview_shown', { name: s.name }));
      } catch (e) {
        say(e.message);
      }
    });
    return { button, frame };
  }

  // What the form's changes (what Save would send) would have done to the
  // newest comments (a site's own settings: that site's): the server judges
  // them with the settings in force and with the changed ones, and lists the
  // comments whose decision differs.
  async function previewSettings() {
    const out = $('settings-preview-result');
    const list = $('settings-preview-changes');
    list.textContent = '';
    try {
      const r = await call('POST', `/mod/settings/preview${siteParam('?')}`, { version: SET.version, settings: formChanges() });
      settingsErrors([]);
      const n = (x) => x.toLocaleString(LANG);
      const d = r.decisions;
      const counts = {
        held: n(d.then.hold), rejected: n(d.then.reject), sample: n(r.sample), held_now: n(d.now.hold), rejected_now: n(d.now.reject),
      };
      const result = r.site ? t('desk_set_preview_result_site', counts) : t('desk_set_preview_result', counts);
      out.textContent = `${result} ${t('desk_set_preview_changes', { n: n(r.changed_total) })}`;
      const dec = (x) => t(x === 'publish' ? 'desk_set_d_publish' : x === 'hold' ? 'desk_set_d_hold' : 'desk_set_d_reject');
      for (const c of r.changed) {
        list.append(el('li', {},
          el('strong', {}, `${dec(c.before)} → ${dec(c.after)}`), ' ',
          el('span', { class: 'meta' }, `#${c.id} · ${c.author} · ${c.site ? `${(siteOf(c.site) || { slug: c.site }).slug}/` : ''}${c.article_id}`), ' ',
          el('q', {}, c.excerpt)));
      }
      if (r.changed_total > r.changed.length) list.append(el('li', { class: 'meta' }, t('desk_set_preview_more', { n: n(r.changed_total - r.changed.length) })));
    } catch (e) {
      if (e.status === 400 && e.field && e.field.startsWith('settings.')) settingsErrors([{ field: e.field, message: e.message }]);
      out.textContent = e.message;
    }
  }

  async function loadSettings() {
    try {
      renderSettings(await call('GET', `/mod/settings${siteParam('?')}`));
      say(t('desk_set_count', { n: SET.items.length }));
    } catch (e) {
      say(e.message);
    }
  }

  function settingsErrors(list) {
    for (const p of document.querySelectorAll('#settings-groups .set-error')) { p.hidden = true; p.textContent = ''; }
    for (const i of document.querySelectorAll('#settings-groups [aria-invalid]')) i.removeAttribute('aria-invalid');
    let first = null;
    for (const e of list) {
      const name = e.field.replace(/^settings\./, '');
      const input = $(setId(name));
      if (!input) continue;
      input.setAttribute('aria-invalid', 'true');
      const p = $(`${setId(name)}-err`);
      p.textContent = e.message;
      p.hidden = false;
      first = first || input;
    }
    return first;
  }

  // The settings the form changed (null: back to the config file's value, or
  // for a site's own the server's).
  function formChanges() {
    const changes = {};
    for (const s of SET.items) {
      const input = $(setId(s.name));
      if (SET.reset.has(s.name)) { changes[s.name] = null; continue; }
      const v = setRead(input, s);
      const same = s.type === 'words' ? JSON.stringify(v) === JSON.stringify(s.value) : v === s.value;
      if (!same && !(v === null && !s.overridden)) changes[s.name] = v;
    }
    return changes;
  }

  $('settings-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const changes = formChanges();
    if (!Object.keys(changes).length) { settingsErrors([]); say(t('desk_set_nothing')); return; }
    const res = await fetch(`${API}/mod/settings${siteParam('?')}`, {
      method: 'PUT', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: SET.version, settings: changes }),
    });
    let json = null;
    try { json = await res.json(); } catch (e) { json = null; }
    if (res.ok) {
      renderSettings(json);
      const n = Object.keys(changes).length;
      say(t('desk_set_saved', { version: json.version, n }));
      return;
    }
    const err = json && json.error ? json.error : { message: `HTTP ${res.status}` };
    if (res.status === 400 && (json.errors || err.field)) {
      const first = settingsErrors(json.errors || [{ field: err.field, message: err.message }]);
      if (first) first.focus();
      say(t('desk_set_not_saved', { message: err.message }));
    } else if (res.status === 409) {
      say(t('desk_set_conflict'));
    } else {
      say(t('desk_set_not_saved', { message: err.message }));
    }
  });
  $('settings-reload').addEventListener('click', loadSettings);
  $('settings-preview').addEventListener('click', previewSettings);

  // The catalogue of the page's language, then the desk.
  fetch(`/i18n/site/${encodeURIComponent(LANG)}.json`)
    .then((res) => (res.ok ? res.json() : {}), () => ({}))
    .then((cat) => { CAT = cat; start(); });
})();
