/* Parley embed widget (docs/widget.md: mounting, versioned assets, the shadow
 * root, --parley-* properties). Invariants: every piece of text from the
 * server or the reader enters the DOM as a Text node (h() below,
 * textContent); the one exception is the server's sanitised comment `html`.
 * No global is defined; nothing runs synchronously beyond finding the mount
 * point. Served without its comment lines (tools/bin2c.c), so comments here
 * cost readers nothing.
 */
(() => {
  'use strict';
  const script = document.currentScript ||
    [...document.scripts].find((s) => /\/embed\.js(\?|#|$)/.test(s.src));
  const BASE = new URL('.', script ? script.src : location.href).href;
  const API = BASE + 'api/v1/';
  // The site of a server that serves several (docs/SITES.md): data-site on the
  // mount point or the script; without it the server goes by the page's origin.
  const site = () => { const el = document.getElementById('parley'); return (el && el.dataset.site) || (script && script.dataset.site) || ''; };
  const withSite = (p) => site() ? p + (p.includes('?') ? '&' : '?') + 'site=' + encodeURIComponent(site()) : p;
  let VERSION = null;
  try { VERSION = script ? new URL(script.src).searchParams.get('v') : null; } catch (e) { /* no version */ }

  // ---- language: i18n/LANG.json by data-lang, page, browser (docs/widget.md)
  const LANGS = ['en', 'es', 'fr', 'de', 'pt', 'it', 'nl', 'pl', 'ar', 'fa', 'tr', 'he'];
  const RTL = ['ar', 'fa', 'he'];
  let LANG = 'en', CAT = {}, plur = null, catalogue = null, LOCALE;
  const base = (w) => (w || '').toLowerCase().split(/[-_]/)[0];
  function pickLang(host) {
    const nav = navigator.languages || [navigator.language];
    for (const w of [host && host.dataset.lang, document.documentElement.lang, ...nav]) {
      const l = base(w);
      if (LANGS.includes(l)) return (LOCALE = nav.find((x) => base(x) === l) || w), l;
    }
    return 'en';
  }
  // Loads the one catalogue; falls back to English, then to bare keys.
  function useLang(l) {
    const get = (x) => fetch(BASE + 'i18n/' + x + '.json' + (VERSION ? '?v=' + encodeURIComponent(VERSION) : '')).then((r) => r.ok ? r.json() : Promise.reject());
    return catalogue || (catalogue = get(l).catch(() => get(l = 'en')).catch(() => ({})).then((c) => { LANG = l; CAT = c; plur = new Intl.PluralRules(l); }));
  }
  // t(KEY, {n: 2, name: 'Ann'}) fills in a sentence; tk() gives its pieces.
  function tk(key, p = {}) {
    let m = CAT[key];
    if (m == null) return [key];
    if (m.other) m = m[plur.select(p.n)] || m.other;
    return m.split(/\{(\w+)\}/).map((x, i) => i % 2 ? (typeof p[x] === 'number' ? p[x].toLocaleString(LANG) : p[x]) : x).filter((x) => x !== '');
  }
  const t = (key, p) => tk(key, p).join('');
  const SOFT = ['premoderated', 'new_user']; // hold reasons that say nothing against the text
  // Pages that enforce Trusted Types may allow the policy "parley": it passes
  // only the server's sanitised comment HTML.
  let TT = null;
  try { TT = window.trustedTypes ? trustedTypes.createPolicy('parley', { createHTML: (x) => x }) : null; } catch (e) { /* not allowed: plain */ }
  const SORTS = ['newest', 'oldest', 'top'];
  // The line of guidelines above the form, made from what the site's policy
  // holds or refuses (GET /guide) rather than written once for every site;
  // the fixed sentence only when the server could not say.
  function guideLine(g, links) {
    if (!g || !Array.isArray(g.rules)) return tk('guide', links);
    const noun = {
      profanity: t('no_profanity'), vulgarity: t('no_vulgarity'), slur: t('no_slur'), personal_attack: t('no_personal_attack'),
      harassment: t('no_harassment'), identity_hate: t('no_identity_hate'), tragedy_joke: t('no_tragedy_joke'),
      off_topic: t('no_off_topic'), spam: t('no_spam'),
    };
    const names = g.rules.filter((r) => noun[r]).map((r) => noun[r]);
    let list = names.join(', ');
    try { list = new Intl.ListFormat(LOCALE || LANG, { type: 'conjunction' }).format(names); } catch (e) { /* older browsers: commas */ }
    const out = names.length ? tk('guide_rules', { rules: list }) : tk('guide_civil');
    const pre = g.premoderation || {};
    if (pre.all) out.push(' ', t('guide_premod'));
    else if (pre.first_comments > 0) out.push(' ', t('guide_premod_first'));
    out.push(' ', ...tk('guide_read', links));
    return out;
  }
  const REASONS = ['profanity', 'vulgarity', 'slur', 'personal_attack', 'harassment', 'tragedy_joke', 'off_topic', 'spam', 'terms_of_service', 'other'];
  // Fields whose 400 invalid_field has a sentence of its own (bad_NAME).
  const FIELDS = ['name', 'email', 'password', 'body'];
  let uid = 0;

  // Builds an element. Attributes: class, text (textContent), on* listeners,
  // anything else with setAttribute; null/false skip. Children: nodes or
  // strings (appended as Text nodes, never parsed).
  function h(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of kids.flat()) if (c != null && c !== false) e.append(c);
    return e;
  }
  const btn = (text, onclick, cls, attrs) =>
    h('button', { type: 'button', class: cls || 'pl-link', text, onclick, ...attrs });
  // Adds words only screen readers hear to a control's name ("Mute Ann").
  const sr = (b, s) => (b.append(h('span', { class: 'pl-sr' }, s)), b);

  // A failed request carries a sentence a reader can act on, never a code:
  // the catalogue's for the API's stable codes (docs/API.md), else the
  // server's own (English) message.
  class ApiError extends Error {
    constructor(status, code, message, body) {
      super(message);
      Object.assign(this, { status, code, body: body || {} });
    }
  }
  function sentence(status, code, msg, retry, field) {
    if (status === 0) return t('err_network');
    if (status === 401) return t(code === 'login_required' ? 'err_login_first' : 'err_bad_login');
    if (status === 403) {
      if (code === 'banned' || code === 'suspended') return msg || t('err_banned');
      return t(code === 'cross_origin' ? 'err_cross_origin' : code === 'unverified' ? 'err_unverified' : code === 'edit_window_closed' ? 'err_edit_window' : 'err_forbidden');
    }
    if (status === 404 || code === 'comment_deleted') return t('err_gone');
    if (code === 'name_taken') return t('err_name_taken');
    if (/^pow_/.test(code)) return t('err_pow');
    if (status === 409) return t(code === 'already_flagged' ? 'err_already_flagged' : code === 'email_taken' ? 'err_email_taken' : 'err_done');
    if (status === 413) return t('err_too_long');
    if (status === 423) return t('closed');
    if (status === 429) {
      const s = parseInt(retry, 10);
      return s > 90 ? t('err_wait_minutes', { n: Math.ceil(s / 60) }) : s > 0 ? t('err_wait_seconds', { n: s }) : t('err_wait');
    }
    if (status >= 500) return t('err_server');
    if (code === 'invalid_field' && field === 'new_password') field = 'password';
    if (code === 'invalid_field' && FIELDS.includes(field)) return t('bad_' + field);
    if (code === 'bad_json' || code === 'invalid_utf8' || status === 415) return t('err_input');
    return msg || t('err_input');
  }
  async function api(method, path, body) {
    const init = { method, credentials: 'include', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let r;
    try {
      r = await fetch(API + withSite(path), init);
    } catch (e) {
      await catalogue;
      throw new ApiError(0, 'network', sentence(0));
    }
    let j = null;
    try { j = r.status === 204 ? null : await r.json(); } catch (e) { /* empty or not JSON */ }
    if (!r.ok) {
      await catalogue;
      const e = (j && j.error) || {};
      const until = j && (j.banned_until || e.banned_until), why = j && (j.reason || e.reason);
      const msg = r.status === 403 && (until || why) ? banText(until, why) : e.message;
      throw new ApiError(r.status, e.code, sentence(r.status, e.code, msg, r.headers.get('Retry-After'), e.field), j);
    }
    return j;
  }

  const js = {};
  const need = (n) => js[n] || (js[n] = new Promise((ok, no) => document.head.append(h('script', { src: BASE + n, onload: ok, onerror: () => no(delete js[n]) }))));
  async function withPow(f) {
    try { return await f(); } catch (e) {
      if (!/^pow_/.test(e.code)) throw e;
      let a;
      try {
        await need('pow.js');
        a = await window.ParleyPow.solve(await api('GET', 'pow'));
      } catch (x) { throw x instanceof ApiError ? x : new ApiError(0, 'pow', t('err_pow')); }
      return f(a);
    }
  }

  // Built on first use (ICU's start-up costs tens of milliseconds).
  let fmt;
  const local = (d) => (fmt || (fmt = new Intl.DateTimeFormat(LANG === base(LOCALE) ? LOCALE : LANG, { dateStyle: 'medium', timeStyle: 'short' }))).format(d);
  const timeEl = (iso) => {
    const d = new Date(iso);
    return h('time', { datetime: iso, title: d.toString() }, isNaN(d) ? iso : local(d));
  };
  // A ban or suspension in the reader's own time and words.
  const banText = (until, why) => {
    const p = { date: until && local(new Date(until)), reason: String(why || '').replace(/[.!\s]+$/, '') };
    return until ? t(why ? 'ban_until_why' : 'ban_until', p) : t(why ? 'banned_why' : 'banned', p);
  };

  // Markdown source of a sanitised comment, for editing when the server
  // sends only `html`: a walk over the element kinds the renderer allows.
  function toMarkdown(node) {
    let out = '';
    for (const n of node.childNodes) {
      if (n.nodeType === 3) { out += n.data; continue; }
      if (n.nodeType !== 1) continue;
      const t = n.tagName, inner = toMarkdown(n);
      if (t === 'P') out += inner.trim() + '\n\n';
      else if (t === 'BR') out += '\n';
      else if (t === 'EM' || t === 'I') out += '*' + inner + '*';
      else if (t === 'STRONG' || t === 'B') out += '**' + inner + '**';
      else if (t === 'CODE') out += n.parentNode.tagName === 'PRE' ? inner : '`' + inner + '`';
      else if (t === 'PRE') out += '```\n' + inner.replace(/\n$/, '') + '\n```\n\n';
      else if (t === 'A') out += '[' + inner + '](' + n.getAttribute('href') + ')';
      else if (t === 'BLOCKQUOTE') out += inner.trim().split('\n').map((l) => '> ' + l).join('\n') + '\n\n';
      else if (t === 'UL' || t === 'OL') {
        let i = 0;
        for (const li of n.children) out += (t === 'OL' ? ++i + '. ' : '- ') + toMarkdown(li).trim() + '\n';
        out += '\n';
      } else out += inner;
    }
    return out;
  }

  // lang: draw again in this language (the reader's setting); panel: then
  // open the account panel at its language picker.
  async function mount(host, lang, panel) {
    if (host.shadowRoot && !lang) return;
    const root = host.shadowRoot || host.attachShadow({ mode: 'open' });
    root.replaceChildren();
    const st = {
      id: host.dataset.articleId || '',
      title: host.dataset.articleTitle || '',
      sort: SORTS.includes(host.dataset.sort) ? host.dataset.sort : 'newest',
      limit: Math.min(100, Math.max(1, parseInt(host.dataset.pageSize, 10) || 25)),
      me: null, next: null, article: null, count: 0, editWindow: 900, src: new Map(), gen: 0, fresh: new Set(), posting: null, muted: new Set(),
    };
    const enc = encodeURIComponent;
    // The first page and /me go out beside the catalogue.
    const valid = /^[A-Za-z0-9._:-]{1,128}$/.test(st.id);
    const listQuery = (append) => 'articles/' + enc(st.id) + '/comments?sort=' + st.sort + '&limit=' + st.limit +
      (append && st.next ? '&after=' + enc(st.next) : '');
    const first = valid && api('GET', listQuery(false));
    // What the site's policy holds or refuses, for the line of guidelines.
    const rules = valid ? api('GET', 'guide').catch(() => null) : Promise.resolve(null);
    const who = valid && api('GET', 'me').then((r) => { st.muted = new Set((r && r.muted_ids) || []); return (r && r.user) || null; }, () => null);
    if (first) first.catch(() => {});
    await useLang(lang || pickLang(host));
    // The reader's own language setting (GET /me) wins over the page's.
    const relang = (l, p) => {
      st.dead = 1; // this drawing is replaced: it opens no live connection any more
      if (st.es) st.es.close();
      catalogue = null;
      LOCALE = (navigator.languages || []).find((x) => base(x) === l) || l;
      fmt = null;
      return mount(host, l, p);
    };
    if (who && !lang) who.then((me) => { const l = me && me.language; if (LANGS.includes(l) && l !== LANG) relang(l); });
    // The headline and address go with each post, so the first comment
    // registers the article with them (the server keeps existing values).
    const canon = document.querySelector('link[rel=canonical]');
    const url = (host.dataset.articleUrl || (canon && canon.href) || location.href).split('#')[0];
    st.about = {};
    if (st.title) st.about.article_title = st.title.slice(0, 300);
    // The server takes an address only on the site's own origins; the page's
    // own origin is one (it may post here), a canonical elsewhere may not be.
    if (/^https?:\/\//.test(url) && url.length <= 2000 && new URL(url).origin === location.origin) st.about.article_url = url;
    const live = h('div', { class: 'pl-sr', role: 'status', 'aria-live': 'polite' });
    const say = (msg) => { live.textContent = ''; setTimeout(() => { live.textContent = msg; }, 50); };
    const heading = h('h2', { class: 'pl-h', id: 'pl-h', tabindex: '-1' }, t('comments'));
    const sorter = h('div', { class: 'pl-sort', role: 'group', 'aria-label': t('sort_label') },
      SORTS.map((k) => btn(t('sort_' + k), () => setSort(k), 'pl-chip', { 'data-sort': k, 'aria-pressed': String(k === st.sort) })));
    const account = h('div', { class: 'pl-account' });
    const notice = h('p', { class: 'pl-note', hidden: true });
    const mnote = h('p', { class: 'pl-note', hidden: true }); // "You muted X. Undo"
    const list = h('ol', { class: 'pl-list', 'aria-labelledby': 'pl-h' });
    const status = h('p', { class: 'pl-muted pl-status' });
    const more = btn(t('load_more'), () => load(true), 'pl-btn pl-more', { hidden: true });
    const fresh = btn('', () => { st.fresh.clear(); fresh.hidden = true; heading.focus(); if (st.sort === 'newest') load(false); else setSort('newest'); },
      'pl-btn pl-fresh', { hidden: true });
    const page = (p, text) => h('a', { href: BASE + p, target: '_blank', rel: 'noopener' }, text);
    const guide = h('p', { class: 'pl-guide' });
    // A site of a server that serves several links its own pages (docs/SITES.md).
    rules.then((g) => {
      const q = g && typeof g.site === 'string' ? '?site=' + enc(g.site) : '';
      guide.append(...guideLine(g, { guidelines: page('guidelines' + q, t('guidelines')), terms: page('terms' + q, t('terms')), faq: page('faq' + q, t('faq')) }));
    });
    const main = composer({ label: t('join'), submit: t('post_comment'), kind: 'new' });
    const section = h('section', { class: 'pl', 'aria-labelledby': 'pl-h', lang: LANG, dir: RTL.includes(LANG) ? 'rtl' : 'ltr' },
      h('div', { class: 'pl-top' }, heading, sorter), account, mnote, guide, notice, main.el, live, fresh, status, list, more);
    section.style.visibility = 'hidden'; // through CSSOM: allowed under a strict style-src CSP
    const css = h('link', { rel: 'stylesheet', href: BASE + 'embed.css' + (VERSION ? '?v=' + encodeURIComponent(VERSION) : '') });
    // 'parley:rendered' marks the moment comments are in the DOM and styled.
    let ready = 0;
    const mark = () => { if (++ready === 2 && performance.mark) performance.mark('parley:rendered'); };
    const shown = () => { if (section.style.visibility) { section.style.visibility = ''; mark(); } };
    css.onload = css.onerror = shown;
    setTimeout(shown, 3000); // never stay invisible because a stylesheet hangs
    root.append(css, section);

    // ---- account bar and login dialog
    function drawAccount() {
      account.replaceChildren(st.me
        ? h('p', null, tk('logged_in_as', { name: h('strong', null, st.me.name) }), ' · ', btn(t('log_out'), logout), ' · ',
          btn(t('muted_readers'), (e) => mutes(e.currentTarget)), ' · ',
          st.acct = btn(t('your_account'), (e) => openPanel(e.target)),
          st.me.banned && h('span', { class: 'pl-note pl-ban' }, banText(st.me.banned_until, st.me.ban_reason), ' ', t('still_read')))
        : h('p', null, tk('log_in_to_comment', {
          log_in: btn(t('log_in'), (e) => auth('', e.target)), register: btn(t('create_account_link'), (e) => auth('', e.target, true)) })));
    }
    const openPanel = (o, atLang) => need('panel.js').then(() => ParleyPanel({ h, t, api, dialog, say, st, logout, LANG, LANGS, atLang,
      relang: (l) => relang(l || pickLang(host), true) }, o), () => say(t('err_network')));
    async function logout(e, gone) {
      if (!gone) try { await api('POST', 'auth/logout', {}); } catch (e) { if (e.status !== 401) return say(e.message); }
      st.me = null;
      st.muted = new Set(); // lists are no longer filtered for this reader
      mnote.hidden = true;
      // Until the list is fetched again, it offers no logged-out controls.
      for (const e of list.querySelectorAll('.pl-own')) e.remove();
      for (const e of list.querySelectorAll('.pl-mine')) e.classList.remove('pl-mine');
      for (const e of list.querySelectorAll('.pl-like[aria-pressed=true]')) e.setAttribute('aria-pressed', 'false');
      drawAccount();
      say(gone || t('logged_out'));
      load(false);
    }
    // Login / register dialog; resolves on close (st.me set on login). The
    // list is refetched for the new reader unless quiet (refresh() follows).
    function auth(reason, opener, register, quiet) {
      return new Promise((resolve) => {
        const id = 'pl-d' + ++uid;
        const title = h('h2', { id, class: 'pl-h' });
        const why = h('p', { class: 'pl-muted', hidden: !reason, text: reason });
        const field = (label, attrs) => {
          const fid = 'pl-f' + ++uid;
          return h('p', { class: 'pl-field' }, h('label', { for: fid, text: label }), h('input', { id: fid, required: true, ...attrs }));
        };
        const name = field(t('field_name'), { name: 'name', autocomplete: 'nickname', maxlength: '64' });
        const email = field(t('field_email'), { name: 'email', type: 'email', autocomplete: 'email' });
        const pass = field(t('field_password'), { name: 'password', type: 'password' });
        const err = h('p', { class: 'pl-err', role: 'alert' });
        const submit = h('button', { type: 'submit', class: 'pl-btn' });
        const swap = btn('', () => set(!register));
        const set = (r) => {
          register = r;
          title.textContent = t(r ? 'register_title' : 'log_in');
          submit.textContent = t(r ? 'register_submit' : 'log_in');
          swap.textContent = t(r ? 'have_account' : 'new_here');
          name.hidden = !r;
          name.lastChild.disabled = !r;
          pass.lastChild.autocomplete = r ? 'new-password' : 'current-password';
          pass.lastChild.minLength = r ? 8 : 0;
          err.textContent = '';
        };
        const form = h('form', {
          onsubmit: async (ev) => {
            ev.preventDefault();
            err.textContent = '';
            submit.disabled = true;
            const v = (f) => f.lastChild.value;
            try {
              const r = register
                ? await withPow((altcha) => api('POST', 'auth/register', { name: v(name).trim(), email: v(email).trim(), password: v(pass), altcha }))
                : await api('POST', 'auth/login', { email: v(email).trim(), password: v(pass) });
              st.me = r.user;
              api('GET', 'me').then((m) => { st.muted = new Set(m.muted_ids || []); }, () => {});
              drawAccount();
              dlg.close();
              say(t('now_logged_in', { name: st.me.name }));
              if (quiet) st.stale = true; else load(false);
            } catch (e) {
              err.textContent = e.message;
            }
            submit.disabled = false;
          },
        }, why, name, email, pass, err, h('div', { class: 'pl-row' }, submit, btn(t('cancel'), () => dlg.close(), 'pl-btn pl-quiet')), h('p', null, swap));
        const ids = h('p'); // OpenID Connect providers
        api('GET', 'auth/oidc').then((r) => ids.append(...r.providers.map((p) =>
          h('a', { class: 'pl-btn', href: BASE + p.start.slice(1) + '?return_to=' + encodeURIComponent(location) }, t('sign_in_with', { name: p.name })))), () => {});
        const dlg = h('dialog', { class: 'pl-dlg', 'aria-labelledby': id }, title, ids, form);
        set(!!register);
        modal(dlg, opener, () => resolve(st.me));
        (register ? name : email).lastChild.focus();
      });
    }
    // Shows a modal dialog: Tab stays inside, Escape closes (native), focus
    // returns to the element that opened it.
    function modal(dlg, opener, onclose) {
      const back = opener || root.activeElement;
      dlg.addEventListener('keydown', (e) => {
        if (e.key !== 'Tab') return;
        const f = [...dlg.querySelectorAll('button,input,textarea,a[href],select')].filter((x) => !x.disabled && x.offsetParent);
        const first = f[0], last = f[f.length - 1], cur = root.activeElement;
        if (e.shiftKey ? cur === first : cur === last) { e.preventDefault(); (e.shiftKey ? last : first).focus(); }
      });
      dlg.addEventListener('close', () => {
        dlg.remove();
        (back && back.isConnected ? back : heading).focus();
        if (onclose) onclose();
      });
      section.append(dlg);
      dlg.showModal();
    }
    // A modal dialog named by its heading (flag, mute, muted readers).
    function dialog(title, opener, onclose, ...kids) {
      const id = 'pl-d' + ++uid;
      const d = h('dialog', { class: 'pl-dlg', 'aria-labelledby': id }, h('h2', { id, class: 'pl-h' }, title), kids);
      modal(d, opener, onclose);
      return d;
    }
    const needLogin = async (why, opener) => st.me || (await auth(why, opener, false, true));
    const refresh = () => { if (st.stale) { st.stale = false; load(false); } };

    // ---- flag dialog
    function flag(c, opener) {
      const noteId = 'pl-f' + ++uid;
      const err = h('p', { class: 'pl-err', role: 'alert' });
      const count = h('span', { class: 'pl-muted pl-count', id: noteId + 'c', text: '0 / 500' });
      const note = h('textarea', { id: noteId, name: 'note', maxlength: '500', rows: '3', 'aria-describedby': noteId + 'c', oninput: () => { count.textContent = note.value.length + ' / 500'; } });
      const send = h('button', { type: 'submit', class: 'pl-btn' }, t('flag_send'));
      const body = h('form', {
        onsubmit: async (ev) => {
          ev.preventDefault();
          const pick = body.querySelector('input:checked');
          if (!pick) { err.textContent = t('flag_pick'); return; }
          send.disabled = true;
          err.textContent = '';
          try {
            const b = { reason: pick.value };
            if (note.value.trim()) b.note = note.value.trim();
            await api('POST', 'comments/' + enc(c.id) + '/flags', b);
            done(t('flag_thanks'));
          } catch (e) {
            if (e.status === 409) done(e.message);
            else { err.textContent = e.message; send.disabled = false; }
          }
        },
      },
      h('fieldset', null, h('legend', null, t('flag_why')),
        REASONS.map((v, i) => h('label', { class: 'pl-radio' }, h('input', { type: 'radio', name: 'reason', value: v, required: i === 0 }), ' ' + t('flag_' + v)))),
      h('p', { class: 'pl-field' }, h('label', { for: noteId }, t('flag_note')), note, count),
      err, h('div', { class: 'pl-row' }, send, btn(t('cancel'), () => dlg.close(), 'pl-btn pl-quiet')));
      const dlg = dialog(t('flag_title'), opener, refresh,
        h('p', { class: 'pl-muted' }, t('comment_by', { name: c.author ? c.author.name : t('a_reader') })), body);
      const done = (msg) => {
        opener.firstChild.data = t('flagged');
        const ok = btn(t('close'), () => dlg.close(), 'pl-btn');
        body.replaceWith(h('div', null, h('p', { role: 'status', class: 'pl-ok' }, msg), ok));
        ok.focus();
      };
      body.querySelector('input').focus();
    }

    // ---- mutes
    // The server leaves a muted author's comments out of this reader's lists,
    // so muting and unmuting just fetch the list again.
    function mute(a, opener) {
      let ok = 0;
      const err = h('p', { class: 'pl-err', role: 'alert' });
      const yes = btn(t('mute'), async () => {
        yes.disabled = true;
        try { await api('PUT', 'me/mutes/' + enc(a.id)); st.muted.add(String(a.id)); ok = 1; d.close(); } catch (e) { err.textContent = e.message; yes.disabled = false; }
      }, 'pl-btn');
      const d = dialog(t('mute_title', { name: a.name }), opener, async () => {
        if (!ok) return;
        await load(false);
        const undo = btn(t('undo'), () => unmute(a).then(() => heading.focus(), (e) => say(e.message)));
        mnote.replaceChildren(...tk('muted_note', { name: a.name, undo }));
        mnote.who = a.id;
        mnote.hidden = false;
        undo.focus();
        say(t('muted_say', { name: a.name }));
      }, h('p', null, t('mute_explain')), err,
      h('div', { class: 'pl-row' }, yes, btn(t('cancel'), () => d.close(), 'pl-btn pl-quiet')));
      yes.focus();
    }
    async function unmute(a) {
      await api('DELETE', 'me/mutes/' + enc(a.id));
      st.muted.delete(String(a.id));
      if (mnote.who === a.id) mnote.hidden = true;
      load(false);
      say(t('unmuted_say', { name: a.name }));
    }
    async function mutes(opener) {
      let r;
      try { r = await api('GET', 'me/mutes'); } catch (e) { return say(e.message); }
      const err = h('p', { class: 'pl-err', role: 'alert' });
      const none = h('p', { class: 'pl-muted', hidden: !!r.mutes.length }, t('no_mutes'));
      const ul = h('ul', { class: 'pl-mutes' }, r.mutes.map(({ user: u }) => {
        const li = h('li', null, u.name, ' ', sr(btn(t('unmute'), () => unmute(u).then(() => {
          li.remove();
          none.hidden = !!ul.children.length;
          d.querySelector('button').focus();
        }, (e) => { err.textContent = e.message; })), ' ' + u.name));
        return li;
      }));
      const d = dialog(t('muted_readers'), opener, null, none, ul, err, h('div', { class: 'pl-row' }, btn(t('close'), () => d.close(), 'pl-btn')));
      d.querySelector('button').focus();
    }

    // ---- composing: new comment, reply, edit
    // One form for all three. Before sending it asks POST /check; on hold or
    // reject it shows why and lets the reader edit, or post a hold anyway.
    function composer(o) {
      const tid = 'pl-t' + ++uid;
      const ta = h('textarea', { id: tid, name: 'body', rows: o.kind === 'new' ? '4' : '3', maxlength: '5000', required: true });
      ta.value = o.value || '';
      const nudge = h('div', { class: 'pl-nudge', tabindex: '-1', hidden: true });
      const err = h('p', { class: 'pl-err', role: 'alert' });
      const submit = h('button', { type: 'submit', class: 'pl-btn' }, o.submit);
      const hp = h('input', { name: 'website', tabindex: '-1', autocomplete: 'off', class: 'pl-hp', 'aria-hidden': 'true' }), shown = Date.now();
      let forced = false;
      ta.addEventListener('input', () => { if (!nudge.hidden) { nudge.hidden = true; forced = false; } });
      ta.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.requestSubmit();
        if (e.key === 'Escape' && o.cancel) o.cancel();
      });
      const form = h('form', { class: 'pl-form', onsubmit: (e) => { e.preventDefault(); send(); } },
        h('label', { for: tid, class: 'pl-label' }, o.label), ta, hp, nudge, err,
        h('div', { class: 'pl-row' }, submit, o.cancel && btn(t('cancel'), o.cancel, 'pl-btn pl-quiet'),
          o.kind === 'new' && h('span', { class: 'pl-muted pl-hint' }, t('markdown_hint'))));
      function showReasons(m, refused) {
        const rs = (m && m.reasons) || [];
        const soft = !refused && rs.length > 0 && rs.every((r) => SOFT.includes(r.rule));
        const hold = !refused && m.decision === 'hold';
        // The server explains in English; other languages have why_RULE.
        const why = (r) => (LANG !== 'en' && CAT['why_' + r.rule]) || r.message || r.rule;
        nudge.replaceChildren(
          h('p', { class: 'pl-nudge-h' }, t(refused ? 'nudge_refused' : soft ? 'nudge_soft' : hold ? 'nudge_hold' : 'nudge_reject')),
          h('ul', null, rs.map((r) => h('li', null, why(r), r.excerpt ? [' ', h('q', { class: 'pl-q' }, r.excerpt)] : null))),
          h('div', { class: 'pl-row' },
            btn(t(soft ? 'edit_it' : 'edit_mine'), () => { nudge.hidden = true; ta.focus(); }, 'pl-btn pl-quiet'),
            hold && btn(t(soft ? 'post_for_review' : 'post_anyway'), () => { forced = true; send(); }, 'pl-btn')));
        nudge.hidden = false;
        nudge.focus();
      }
      async function send() {
        err.textContent = '';
        const text = ta.value.trim();
        if (!text) { err.textContent = t('write_first'); ta.focus(); return; }
        if (!(await needLogin(t('login_to_post'), submit))) return;
        submit.disabled = true;
        try {
          if (!forced) {
            let m = null;
            try { m = await api('POST', 'check', o.kind === 'edit' ? { article_id: st.id, body: text, comment_id: o.id } : { article_id: st.id, body: text }); } catch (e) {
              // The check is advice; the post itself gets the real answer.
            }
            if (m && (m.decision === 'hold' || m.decision === 'reject')) { showReasons(m, false); return; }
          }
          const r = await (st.posting = o.kind === 'edit'
            ? api('PATCH', 'comments/' + enc(o.id), { body: text })
            : withPow((altcha) => api('POST', 'articles/' + enc(st.id) + '/comments',
              { body: text, parent_id: o.parent || null, ...st.about, honeypot: hp.value, fill_ms: Date.now() - shown, altcha })));
          forced = false;
          nudge.hidden = true;
          st.src.set(r.comment.id, text);
          o.done(r.comment);
          if (o.kind === 'new') ta.value = '';
          refresh();
          say(t(r.comment.status === 'pending' ? 'sent_pending' : o.kind === 'edit' ? 'updated' : 'posted'));
        } catch (e) {
          if (e.status === 422) showReasons(e.body.moderation, true);
          else {
            err.textContent = e.message;
            if (e.status === 401) { st.me = null; drawAccount(); }
            if (e.status === 423) closed();
          }
        } finally {
          submit.disabled = false;
        }
      }
      o.done = o.done || ((c) => addComment(c));
      return { el: form, ta };
    }

    // ---- comments
    function setCount(n) {
      st.count = Math.max(0, n);
      heading.textContent = st.count ? t('n_comments', { n: st.count }) : t('comments');
    }
    function closed() {
      main.el.hidden = true;
      notice.hidden = false;
      notice.textContent = t('closed');
    }
    function addComment(c) {
      st.gen++; // a list fetched before this post would drop it
      if (c.status === 'published') setCount(st.count + 1);
      const el = commentEl(c);
      if (st.sort === 'oldest' && !st.next) list.append(el); else list.prepend(el);
      list.hidden = false;
      status.textContent = '';
    }
    // The list of replies under the comment with this id, if it is shown.
    function repliesOf(id) {
      const box = root.getElementById('pl-c-' + id);
      return box ? box.parentNode.querySelector(':scope > .pl-replies') : null;
    }
    // One comment and its replies; sib is the array holding c (its parent's
    // replies), kept in step so a redrawn parent keeps replies added here.
    function commentEl(c, sib) {
      const mine = !!(st.me && c.author && st.me.id === c.author.id);
      const gone = c.status === 'deleted' || c.deleted;
      const nameId = 'pl-n' + ++uid;
      const body = h('div', { class: 'pl-body' });
      if (gone) body.append(h('p', { class: 'pl-muted', text: t('was_deleted') }));
      else body.innerHTML = TT ? TT.createHTML(c.html || '') : c.html || ''; // the server's sanitised HTML: the only innerHTML here
      for (const a of body.querySelectorAll('a')) { a.target = '_blank'; a.rel = 'nofollow ugc noopener'; }
      const replies = h('ol', { class: 'pl-replies' });
      for (const r of c.replies || []) replies.append(commentEl(r, c.replies));
      // A long thread comes in pages: the first replies with the comment,
      // the rest on request, each placed under the comment it answers.
      let moreReplies = null;
      if (c.more_replies > 0) {
        let after = c.replies_next;
        const label = (n) => t('show_more_replies', { n });
        moreReplies = btn(label(c.more_replies), async () => {
          moreReplies.disabled = true;
          try {
            const r = await api('GET', 'comments/' + enc(c.id) + '/replies?limit=50' + (after ? '&after=' + enc(after) : ''));
            for (const x of r.replies || []) {
              if (root.getElementById('pl-c-' + x.id)) continue;
              const into = x.parent_id === c.id ? replies : repliesOf(x.parent_id) || replies;
              into.append(commentEl(x));
            }
            after = r.next;
            say(t('more_replies_shown', { n: (r.replies || []).length }));
            if (r.more_replies > 0 && r.next) moreReplies.textContent = label(r.more_replies);
            else moreReplies.remove();
          } catch (e) { say(e.message); }
          moreReplies.disabled = false;
        }, 'pl-link pl-more-replies');
      }
      const acts = h('div', { class: 'pl-acts' });
      const box = h('article', { class: 'pl-c' + (mine ? ' pl-mine' : ''), id: 'pl-c-' + c.id, 'aria-labelledby': nameId },
        h('header', { class: 'pl-meta' },
          h('span', { class: 'pl-name', id: nameId }, gone ? t('deleted_comment') : (c.author && c.author.name) || t('reader')),
          !gone && c.author && (c.author.role === 'moderator' || c.author.role === 'admin') &&
            h('span', { class: 'pl-tag pl-staff' }, t('staff')),
          mine && !gone && h('span', { class: 'pl-tag pl-own' }, t('you')),
          timeEl(c.created_at),
          c.edited_at && !gone && h('span', { class: 'pl-muted', title: new Date(c.edited_at).toString() }, t('edited')),
          c.featured && h('span', { class: 'pl-tag' }, t('featured')),
          c.status === 'pending' && h('span', { class: 'pl-tag pl-pending' }, t('awaiting_review')),
          c.status === 'rejected' && h('span', { class: 'pl-tag pl-pending' }, t('not_published'))),
        body, acts);
      const li = h('li', { class: 'pl-item' }, box, replies, moreReplies);
      if (gone) return li;
      const likes = h('span', { class: 'pl-n' }, String(c.likes || 0));
      const like = btn(t('like') + ' ', async () => {
        if (!(await needLogin(t('login_to_like'), like))) return;
        const on = like.getAttribute('aria-pressed') !== 'true';
        like.disabled = true;
        try {
          const r = await api(on ? 'POST' : 'DELETE', 'comments/' + enc(c.id) + '/likes', on ? {} : undefined);
          like.setAttribute('aria-pressed', String(on));
          likes.textContent = String(r && r.likes != null ? r.likes : +likes.textContent + (on ? 1 : -1));
        } catch (e) { say(e.message); note(e.message); }
        like.disabled = false;
        refresh();
      }, 'pl-link pl-like', { 'aria-pressed': String(!!c.liked_by_me) });
      like.append(likes);
      const note = (msg) => {
        let p = box.querySelector('.pl-err');
        if (!p) box.insertBefore(p = h('p', { class: 'pl-err', role: 'alert' }), acts);
        p.textContent = msg;
      };
      let open = null;
      // One inline form (reply or edit) at a time; its button toggles it.
      const toggle = (make, opener) => {
        if (open) { const was = open.opener; open.close(); if (was === opener) return; }
        open = make();
        open.opener = opener;
        opener.setAttribute('aria-expanded', 'true');
      };
      const shut = (f, opener) => { f.el.remove(); open = null; opener.setAttribute('aria-expanded', 'false'); opener.focus(); };
      const reply = btn(t('reply'), () => toggle(() => {
        const f = composer({
          label: c.author && c.author.name ? t('reply_to', { name: c.author.name }) : t('reply_to_comment'), submit: t('post_reply'), kind: 'reply', parent: c.id,
          cancel: () => open && open.close(),
          done: (r) => {
            open.close();
            // Deep in a thread the server places a reply beside the comment
            // it answers (r.parent_id): show it where a reload will.
            const into = r.parent_id !== c.id && repliesOf(r.parent_id);
            if (into) into.append(commentEl(r));
            else { (c.replies = c.replies || []).push(r); replies.append(commentEl(r, c.replies)); }
            if (r.status === 'published') setCount(st.count + 1);
          },
        });
        li.insertBefore(f.el, replies);
        f.ta.focus();
        return { close: () => shut(f, reply) };
      }, reply), 'pl-link', { 'aria-expanded': 'false' });
      acts.append(like, reply);
      if (mine && c.status !== 'rejected') {
        const age = (Date.now() - Date.parse(c.created_at)) / 1000;
        if (age < st.editWindow) {
          const edit = btn(t('edit'), () => toggle(() => {
            const f = composer({
              label: t('edit_label'), submit: t('save_changes'), kind: 'edit', id: c.id,
              value: c.body || st.src.get(c.id) || toMarkdown(body).replace(/\n{3,}/g, '\n\n').trim(),
              cancel: () => open && open.close(),
              done: (n) => {
                open.close();
                const el = commentEl(Object.assign(c, n, { replies: c.replies }), sib);
                li.replaceWith(el);
                el.querySelector('.pl-acts button').focus();
              },
            });
            body.hidden = true;
            box.insertBefore(f.el, acts);
            f.ta.focus();
            return { close: () => { body.hidden = false; shut(f, edit); } };
          }, edit), 'pl-link pl-own', { 'aria-expanded': 'false' });
          acts.append(edit);
        }
        const del = btn(t('delete'), () => {
          const ask = h('span', { class: 'pl-ask', role: 'group', 'aria-label': t('confirm_delete') }, t('delete_ask'), ' ',
            btn(t('yes_delete'), async () => {
              try {
                await api('DELETE', 'comments/' + enc(c.id));
                if (c.status === 'published') setCount(st.count - 1);
                if (replies.children.length) li.replaceWith(commentEl(Object.assign(c, { status: 'deleted' }), sib));
                else { li.remove(); if (sib) sib.splice(sib.indexOf(c), 1); }
                say(t('deleted_say'));
                heading.focus();
              } catch (e) { note(e.message); }
            }, 'pl-link pl-danger'), ' ',
            btn(t('keep_it'), () => { ask.replaceWith(del); del.focus(); }));
          ask.classList.add('pl-own');
          del.replaceWith(ask);
          ask.querySelector('button').focus();
        }, 'pl-link pl-own');
        acts.append(del);
      }
      const fl = btn(t('flag'), () => mine ? note(t('own_flag'))
        : needLogin(t('login_to_flag'), fl).then((ok) => ok && flag(c, fl)), 'pl-link pl-flag',
        { 'aria-haspopup': 'dialog' });
      sr(fl, ' ' + t('flag_whose', { name: (c.author && c.author.name) || t('a_reader') }));
      if (st.me && !mine && c.author && c.author.id) {
        const mu = sr(btn(t('mute'), () => mute(c.author, mu), 'pl-link pl-own', { 'aria-haspopup': 'dialog' }), ' ' + c.author.name);
        acts.append(mu);
      }
      acts.append(fl);
      return li;
    }

    // Fetches a page of comments (the next when append); with `who` (a
    // pending GET /me) renders once both answered; pre: the first page, already asked for.
    async function load(append, who, pre) {
      const gen = ++st.gen;
      more.disabled = true;
      try {
        if (who) who.then((me) => { st.me = me; drawAccount(); }); // runs first, even if the list fails
        const [r] = await Promise.all([pre || api('GET', listQuery(append)), who]);
        if (gen !== st.gen) return;
        st.article = r.article || st.article;
        if (r.edit_window_s != null) st.editWindow = r.edit_window_s;
        st.next = r.next || null;
        const els = (r.comments || []).map((c) => commentEl(c));
        if (append) list.append(...els); else list.replaceChildren(...els);
        if (st.article) {
          setCount(st.article.comment_count || 0);
          if (st.article.status === 'closed') closed();
          else if (st.article.status === 'premoderated') {
            notice.hidden = false;
            notice.textContent = t('premoderated');
          }
        } else if (!append) setCount(els.length);
        status.textContent = list.children.length ? '' : t('no_comments');
        more.hidden = !st.next;
        if (append) say(t('more_loaded', { n: els.length }));
        if (!st.shown) { st.shown = 1; mark(); }
      } catch (e) {
        if (gen === st.gen) say(status.textContent = e.status === 0 ? e.message : t('load_failed', { error: e.message }));
      }
      more.disabled = false;
    }
    function setSort(k) {
      if (k === st.sort) return;
      st.sort = k;
      for (const b of sorter.children) b.setAttribute('aria-pressed', String(b.dataset.sort === k));
      load(false).then(() => say(t('sorted_by', { order: t('sort_' + k) })));
    }

    if (!valid) {
      status.textContent = t('bad_article_id');
      return shown();
    }
    load(false, who, first).then(() => { listen(); if (panel && st.me) openPanel(st.acct, true); });
    local(new Date()); // the requests are out; warm the date formatter meanwhile

    // Live updates (Server-Sent Events): comments others publish while the
    // page is open are counted and announced, and shown on request, so the
    // list never moves under the reader's eyes.
    function listen() {
      if (st.dead || !window.EventSource || host.dataset.live === 'off') return;
      const es = st.es = new EventSource(API + withSite('articles/' + enc(st.id) + '/events'), { withCredentials: true });
      es.onopen = () => { section.dataset.live = 'open'; };
      es.addEventListener('comment', async (e) => {
        let d;
        try { d = JSON.parse(e.data); } catch (x) { return; }
        if (d.type !== 'created') return;
        try { await st.posting; } catch (x) { /* its own error is shown by the form */ }
        const id = String(d.comment_id);
        if (d.author_id && st.muted.has(String(d.author_id))) return; // muted: never shown, so not counted
        if (st.src.has(id) || root.getElementById('pl-c-' + id) || st.fresh.has(id)) return;
        st.fresh.add(id);
        fresh.textContent = t('show_new', { n: st.fresh.size });
        fresh.hidden = false;
        say(t('new_while_reading', { n: st.fresh.size }));
      });
    }
  }

  // Counts for <a data-parley-count="ID"> on the page.
  function counts() {
    const els = [...document.querySelectorAll('[data-parley-count]')].slice(0, 100);
    if (!els.length) return;
    Promise.all([api('GET', 'counts?' + els.map((e) => 'article=' + encodeURIComponent(e.dataset.parleyCount)).join('&')),
      useLang(pickLang(host))]).then(([r]) => {
      for (const e of els) {
        const n = r.counts && r.counts[e.dataset.parleyCount];
        if (n != null) e.textContent = t('n_comments', { n });
      }
    }, () => {});
  }

  // The mount point usually precedes the script: start at once then.
  const host = document.getElementById('parley');
  if (host) mount(host);
  const rest = () => { if (!host) { const el = document.getElementById('parley'); if (el) mount(el); } counts(); };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', rest);
  else rest();
})();
