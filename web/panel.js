/* Parley's account panel (docs/widget.md, "Your account"). embed.js loads
 * this file only when a logged-in reader opens "Your account", then calls
 * ParleyPanel(w, opener) with its own helpers: w.h builds elements (text
 * always as Text nodes), w.t translates, w.api calls the API, w.dialog opens
 * a modal dialog (Tab stays inside, Escape closes, focus returns to the
 * opener), w.say speaks in the widget's live region, w.st is the widget's
 * state (w.st.me the reader), w.logout(0, message) shows the reader as
 * logged out without asking the server (after DELETE /me the session is
 * over). Styles: panel.css, added once to the widget's shadow root (the
 * opener's root node). Five parts: the language, the password, mail
 * notifications, the reader's data as a file, and deleting the account after
 * a confirmation. w.relang(code or '') draws the widget again in a language
 * (closing this panel and opening it anew at the picker, w.atLang).
 */
(() => {
  'use strict';
  const BASE = new URL('.', document.currentScript.src).href;
  let n = 0, css = null;
  // Each language by its own name, so a reader finds theirs whatever the page's.
  const NAMES = { en: 'English', es: 'Español', fr: 'Français', de: 'Deutsch', pt: 'Português', it: 'Italiano', nl: 'Nederlands',
    pl: 'Polski', ar: 'العربية', fa: 'فارسی', tr: 'Türkçe', he: 'עברית' };
  window.ParleyPanel = async (w, opener) => {
    const { h, t, api } = w, me = w.st.me;
    const id = () => 'pl-a' + ++n;
    const btn = (text, onclick, cls, attrs) => h('button', { type: 'button', class: cls, text, onclick, ...attrs });
    await (css = css || new Promise((ok) => opener.getRootNode().append(h('link', { rel: 'stylesheet', href: BASE + 'panel.css', onload: ok, onerror: ok }))));

    // The panel's own status line (aria-live) and one error line per field.
    const live = h('p', { class: 'pl-ok', role: 'status', 'aria-live': 'polite' });
    const status = (msg) => { live.textContent = ''; setTimeout(() => { live.textContent = msg; }, 50); };
    const field = (label, attrs, hint) => {
      const fid = id(), err = h('p', { class: 'pl-err', id: fid + 'e', role: 'alert' });
      const input = h('input', { id: fid, required: true, 'aria-describedby': (hint ? fid + 'h ' : '') + fid + 'e', ...attrs });
      const el = h('p', { class: 'pl-field' }, h('label', { for: fid, text: label }), input, hint && h('span', { class: 'pl-muted pl-hint', id: fid + 'h' }, hint), err);
      return { input, err, el };
    };
    const bad = (f, msg) => { f.err.textContent = msg; f.input.setAttribute('aria-invalid', 'true'); f.input.focus(); };
    const clear = (...fs) => { for (const f of fs) { f.err.textContent = ''; f.input.removeAttribute('aria-invalid'); } live.textContent = ''; };
    const part = (title, ...kids) => {
      const hid = id();
      return h('section', { class: 'pl-part', 'aria-labelledby': hid }, h('h3', { id: hid, class: 'pl-part-h' }, title), kids);
    };

    // ---- language: PATCH /me (the pages, the desk and the mails follow it too);
    // the widget is drawn again in it, this panel reopened at the picker.
    const lid = id(), lerr = h('p', { class: 'pl-err', id: lid + 'e', role: 'alert' });
    const pick = h('select', { id: lid, name: 'language', 'aria-describedby': lid + 'h ' + lid + 'e' },
      h('option', { value: '' }, t('acct_lang_page')),
      w.LANGS.map((l) => h('option', { value: l, lang: l, selected: me.language === l }, NAMES[l] || l)));
    pick.onchange = async () => {
      lerr.textContent = '';
      pick.disabled = true;
      try {
        await api('PATCH', 'me', { language: pick.value || null });
        me.language = pick.value || null;
        d.close();
        w.relang(pick.value);
      } catch (e) { lerr.textContent = e.message; pick.disabled = false; }
    };
    const lang = h('p', { class: 'pl-field' }, h('label', { for: lid, text: t('acct_language') }), pick,
      h('span', { class: 'pl-muted pl-hint', id: lid + 'h' }, t('acct_lang_note')), lerr);

    // ---- password: POST /me/password; the API's refusals at their field
    const cur = field(t('acct_current'), { type: 'password', name: 'current_password', autocomplete: 'current-password' });
    const neu = field(t('acct_new'), { type: 'password', name: 'new_password', autocomplete: 'new-password' }, t('acct_new_hint'));
    const change = h('button', { type: 'submit', class: 'pl-btn' }, t('acct_change'));
    const perr = h('p', { class: 'pl-err', role: 'alert' });
    const pw = h('form', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        clear(cur, neu);
        perr.textContent = '';
        change.disabled = true;
        try {
          await api('POST', 'me/password', { current_password: cur.input.value, new_password: neu.input.value });
          cur.input.value = neu.input.value = '';
          status(t('acct_changed'));
        } catch (e) {
          const f = e.body.error && e.body.error.field;
          if (e.code === 'wrong_password') bad(cur, t('acct_wrong_password'));
          else if (f === 'new_password') bad(neu, neu.input.value.length < 8 ? t('acct_new_hint') : e.message);
          else if (f === 'current_password') bad(cur, e.message);
          else perr.textContent = e.message;
        }
        change.disabled = false;
      },
    }, cur.el, neu.el, perr, h('div', { class: 'pl-row' }, change));

    // ---- notifications: GET and PUT /me/notifications
    const box = (name, label) => {
      const fid = id(), input = h('input', { type: 'checkbox', id: fid, name });
      return { input, el: h('p', { class: 'pl-check' }, input, h('label', { for: fid, text: label })) };
    };
    const replies = box('replies', t('acct_replies')), moderation = box('moderation', t('acct_moderation'));
    const staff = me.role === 'moderator' || me.role === 'admin';
    const queue = field(t('acct_queue'), { type: 'number', name: 'queue_threshold', min: '0', max: '100000', step: '1', inputmode: 'numeric' });
    const nomail = h('p', { class: 'pl-muted', hidden: true }, t('acct_no_mail'));
    const save = h('button', { type: 'submit', class: 'pl-btn', disabled: true }, t('acct_save'));
    const nerr = h('p', { class: 'pl-err', role: 'alert' });
    const notes = h('form', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        clear(queue);
        nerr.textContent = '';
        save.disabled = true;
        const b = { replies: replies.input.checked, moderation: moderation.input.checked };
        if (staff) b.queue_threshold = Number(queue.input.value);
        try {
          await api('PUT', 'me/notifications', b);
          status(t('acct_saved'));
        } catch (e) {
          if (e.body.error && e.body.error.field === 'queue_threshold') bad(queue, e.message);
          else nerr.textContent = e.message;
        }
        save.disabled = false;
      },
    }, h('fieldset', null, h('legend', null, t('acct_mail_me')), replies.el, moderation.el), staff && queue.el, nomail, nerr, h('div', { class: 'pl-row' }, save));
    api('GET', 'me/notifications').then((r) => {
      replies.input.checked = !!r.notifications.replies;
      moderation.input.checked = !!r.notifications.moderation;
      queue.input.value = r.notifications.queue_threshold || 0;
      nomail.hidden = r.mail;
      save.disabled = false;
    }, (e) => { nerr.textContent = e.message; });

    // ---- data: GET /me/export, handed to the browser as a file
    const derr = h('p', { class: 'pl-err', role: 'alert' });
    const exp = btn(t('acct_export'), async () => {
      derr.textContent = '';
      exp.disabled = true;
      try {
        const data = await api('GET', 'me/export');
        const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2) + '\n'], { type: 'application/json' }));
        h('a', { href: url, download: 'parley-export.json' }).click();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
        status(t('acct_exported'));
      } catch (e) { derr.textContent = e.message; }
      exp.disabled = false;
    }, 'pl-btn pl-quiet');

    // ---- deletion: DELETE /me, only after the reader confirms
    const xid = id();
    const xerr = h('p', { class: 'pl-err', role: 'alert' });
    const no = btn(t('cancel'), () => { ask.hidden = true; del.hidden = false; del.focus(); }, 'pl-btn pl-quiet', { 'aria-describedby': xid });
    const yes = btn(t('acct_delete_yes'), async () => {
      xerr.textContent = '';
      yes.disabled = true;
      try {
        await api('DELETE', 'me');
        d.close();
        w.logout(0, t('acct_deleted'));
      } catch (e) { xerr.textContent = e.message; yes.disabled = false; }
    }, 'pl-btn pl-danger', { 'aria-describedby': xid });
    const ask = h('div', { class: 'pl-ask-del', hidden: true }, h('p', { id: xid }, t('acct_delete_warn')), xerr, h('div', { class: 'pl-row' }, yes, no));
    const del = btn(t('acct_delete'), () => { del.hidden = true; ask.hidden = false; no.focus(); }, 'pl-btn pl-quiet pl-danger');

    const d = w.dialog(t('your_account'), opener, null,
      h('p', { class: 'pl-muted' }, t('logged_in_as', { name: me.name })), live,
      part(t('acct_language'), lang),
      part(t('acct_change'), pw),
      part(t('acct_notifications'), notes),
      part(t('acct_data'), h('p', { class: 'pl-muted' }, t('acct_export_note')), derr, h('div', { class: 'pl-row' }, exp)),
      part(t('acct_delete'), del, ask),
      h('div', { class: 'pl-row pl-end' }, btn(t('close'), () => d.close(), 'pl-btn')));
    d.classList.add('pl-panel');
    if (w.atLang) {
      pick.focus();
      status(t('acct_lang_saved'));
    } else cur.input.focus();
  };
})();
