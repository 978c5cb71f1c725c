// account.js: the /reset, /verify and /unsubscribe pages. The token comes in the page's
// address (?token=...); it is taken out of the address bar at once, so it
// stays out of history and bookmarks, and is only ever sent to the API.
// Its sentences come in the page's language: the server puts them on <main>
// as data-* attributes from web/i18n/site/ (docs/I18N.md).
(function () {
  'use strict';
  var main = document.getElementById('main');
  var form = document.getElementById('form');
  var status = document.getElementById('status');
  var page = main.getAttribute('data-page');
  var msg = main.dataset;
  var token = new URLSearchParams(location.search).get('token') || '';
  if (location.search) history.replaceState(null, '', location.pathname);

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }
  if (!token) {
    form.hidden = true;
    say(msg.noToken, true);
    return;
  }
  function post(path, body) {
    return fetch('/api/v1/' + path, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { return { ok: res.ok, json: json }; });
    });
  }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = { token: token };
    if (page === 'reset') {
      var pw = document.getElementById('password').value;
      if (pw.length < 8) { say(msg.pwShort, true); return; }
      if (pw !== document.getElementById('again').value) { say(msg.pwDiffer, true); return; }
      body.password = pw;
    }
    var button = form.querySelector('button');
    button.disabled = true;
    var path = page === 'reset' ? 'auth/password/reset'
      : page === 'verify' ? 'auth/verify'
        : 'unsubscribe?token=' + encodeURIComponent(token);
    if (page === 'unsubscribe') body = {};
    post(path, body).then(function (r) {
      if (r.ok) {
        form.hidden = true;
        say(msg.done, false);
        return;
      }
      button.disabled = false;
      say((r.json && r.json.error && r.json.error.message) || msg.failed, true);
    }, function () {
      button.disabled = false;
      say(msg.offline, true);
    });
  });
}());
