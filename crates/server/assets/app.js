// Switchboard dashboard: progressive enhancement only. Every page works
// without this file; it adds copy buttons, confirmations, reply-to, and
// live updates over the event stream (GET /api/v1/events) or, on pages
// with a data-poll region (the health page), by fetching the page again.
(function () {
  'use strict';

  function enhance(root) {
    root.querySelectorAll('button.copy[data-copy]').forEach(function (b) {
      if (!navigator.clipboard) return;
      b.hidden = false;
      b.addEventListener('click', function () {
        var src = document.getElementById(b.dataset.copy);
        if (!src) return;
        navigator.clipboard.writeText(src.textContent.trim()).then(function () {
          b.textContent = 'Copied';
          setTimeout(function () { b.textContent = 'Copy'; }, 1500);
        });
      });
    });
    root.querySelectorAll('button.reply-to[data-wamid]').forEach(function (b) {
      var field = document.getElementById('reply-to');
      if (!field) return;
      b.hidden = false;
      b.addEventListener('click', function () {
        field.value = b.dataset.wamid;
        var text = document.getElementById('reply-text');
        if (text) {
          text.placeholder = 'Replying to: ' + (b.closest('.msg').querySelector('.text') || b).textContent.trim().slice(0, 60);
          text.focus();
        }
      });
    });
  }

  document.addEventListener('submit', function (e) {
    var b = e.submitter;
    if (b && b.dataset.confirm && !window.confirm(b.dataset.confirm)) e.preventDefault();
  });

  function scrollThread() {
    var list = document.getElementById('messages');
    if (list) list.scrollTop = list.scrollHeight;
  }

  enhance(document);
  scrollThread();

  if (!document.querySelector('[data-live]')) return;

  var busy = false, again = false, timer = null;

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 120);
  }

  // Fetch this page again and swap in the regions marked data-live. The
  // reply box is only swapped when it changes mode (window opened/closed),
  // so a half-typed reply survives.
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { credentials: 'same-origin', headers: { 'X-Requested-With': 'fetch' } })
      .then(function (r) {
        if (r.status === 401 || r.status === 423 || r.redirected) { location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var list = document.getElementById('messages');
        var atBottom = list && list.scrollHeight - list.scrollTop - list.clientHeight < 80;
        document.querySelectorAll('[data-live]').forEach(function (el) {
          var fresh = el.id && doc.getElementById(el.id);
          if (!fresh) return;
          if (el.id === 'composer' && el.dataset.mode === fresh.dataset.mode) return;
          if (el.innerHTML === fresh.innerHTML) return;
          el.replaceWith(fresh);
          enhance(fresh);
        });
        if (atBottom) scrollThread();
      })
      .catch(function () { /* the next event retries */ })
      .then(function () {
        busy = false;
        if (again) { again = false; schedule(); }
      });
  }

  // Pages whose figures change without an event of the stream (the
  // health page) mark a region data-poll="<seconds>" and fetch themselves
  // again that often while visible.
  var polled = document.querySelector('[data-poll]');
  if (polled) {
    var every = Math.max(2, parseInt(polled.dataset.poll, 10) || 10) * 1000;
    document.body.dataset.live = 'on';
    setInterval(function () { if (!document.hidden) refresh(); }, every);
    return;
  }

  if (!window.EventSource) return;
  var stream = new EventSource('/api/v1/events');
  stream.addEventListener('open', function () { document.body.dataset.live = 'on'; });
  stream.addEventListener('error', function () { document.body.dataset.live = 'off'; });
  // Every event that changes what the inbox shows (docs/EVENTS.md).
  ['message.received', 'message.queued', 'message.sent', 'message.delivered', 'message.read',
   'message.failed', 'conversation.opened', 'conversation.assigned',
   'conversation.status_changed', 'conversation.read', 'contact.opted_out', 'contact.opted_in',
   'media.stored', 'media.failed']
    .forEach(function (kind) { stream.addEventListener(kind, schedule); });
  stream.onmessage = schedule;
})();
