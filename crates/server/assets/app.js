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

  // A contact import's progress page: poll the import every second and
  // move the bar; reload once it is over (without JS, a meta refresh).
  var importBox = document.querySelector('[data-import-poll]');
  if (importBox) {
    var pollImport = function () {
      fetch(importBox.dataset.importPoll, { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (i) {
          if (!i) return;
          var bar = document.getElementById('import-progress');
          if (bar) bar.value = i.processed;
          ['processed', 'percent', 'created', 'updated', 'rejected'].forEach(function (k) {
            var el = document.getElementById('import-' + k);
            if (el) el.textContent = i[k];
          });
          var link = document.getElementById('import-rejected-link');
          if (link && i.rejected > 0) link.hidden = false;
          if (i.status !== importBox.dataset.importStatus) location.reload();
        })
        .catch(function () { /* the next poll retries */ });
    };
    setInterval(function () { if (!document.hidden) pollImport(); }, 1000);
  }

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
   'conversation.tagged', 'conversation.untagged',
   'conversation.handed_to_genesys', 'conversation.returned_from_genesys',
   'media.stored', 'media.failed', 'note.created', 'note.updated', 'note.deleted',
   'campaign.started', 'campaign.paused', 'campaign.resumed', 'campaign.cancelled',
   'campaign.finished']
    .forEach(function (kind) { stream.addEventListener(kind, schedule); });
  stream.onmessage = schedule;
})();

// The deal board (/app/deals): drag a card onto another stage's column.
// The move is the card's own "Move to" form (which works without this
// script), posted in the background; the card stays where it was dropped
// and each column's count and total are taken from the board the form's
// answer leads to. A refused move puts the card back and says why.
(function () {
  'use strict';
  var board = document.getElementById('board');
  if (!board) return;
  var status = document.getElementById('board-status');
  var dragged = null;

  function columnOf(el) { return el && el.closest ? el.closest('.stage-col[data-stage]') : null; }
  function clearOver() {
    board.querySelectorAll('.stage-col.over').forEach(function (c) { c.classList.remove('over'); });
  }

  board.addEventListener('dragstart', function (e) {
    var card = e.target.closest && e.target.closest('.deal-card[draggable=true]');
    if (!card) return;
    dragged = card;
    card.classList.add('dragging');
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', card.dataset.deal);
  });
  board.addEventListener('dragend', function () {
    if (dragged) dragged.classList.remove('dragging');
    dragged = null;
    clearOver();
  });
  board.addEventListener('dragover', function (e) {
    var col = columnOf(e.target);
    if (!col) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    if (!col.classList.contains('over')) { clearOver(); col.classList.add('over'); }
  });
  board.addEventListener('drop', function (e) {
    var col = columnOf(e.target);
    if (!col) return;
    e.preventDefault();
    clearOver();
    var id = e.dataTransfer.getData('text/plain') || (dragged && dragged.dataset.deal);
    var card = id && document.getElementById('deal-' + id);
    if (card && columnOf(card) !== col) move(card, col);
  });

  function move(card, col) {
    var form = card.querySelector('form.move');
    if (!form) return;
    var from = card.parentNode, before = card.nextSibling;
    var was = form.elements.stage_id.value;
    form.elements.stage_id.value = col.dataset.stage;
    col.querySelector('.cards').prepend(card);
    card.classList.add('saving');
    if (status) status.hidden = true;
    fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin'
    })
      .then(function (r) {
        // A move lands back on the board; anywhere else (signed out) is not a move.
        var ok = r.ok && r.url.indexOf('/app/deals') >= 0;
        return r.text().then(function (html) { return { ok: ok, html: html }; });
      })
      .then(function (res) {
        var doc = new DOMParser().parseFromString(res.html, 'text/html');
        if (!res.ok) {
          var why = doc.getElementById('deal-error');
          throw new Error(why ? why.textContent : 'The deal could not be moved.');
        }
        card.classList.remove('saving');
        board.querySelectorAll('.stage-col[data-stage]').forEach(function (c) {
          var fresh = doc.querySelector('.stage-col[data-stage="' + c.dataset.stage + '"] .stage-head');
          var head = c.querySelector('.stage-head');
          if (fresh && head) head.innerHTML = fresh.innerHTML;
        });
        board.dataset.moved = String((parseInt(board.dataset.moved, 10) || 0) + 1);
      })
      .catch(function (err) {
        card.classList.remove('saving');
        from.insertBefore(card, before);
        form.elements.stage_id.value = was;
        if (status) { status.textContent = err.message || 'The deal could not be moved.'; status.hidden = false; }
      });
  }
})();

// Quick replies (crm/pages/quick_replies.rs). Typing "/" at the start of
// the reply opens a list of the quick replies whose shortcut or title
// matches what follows; choosing one (click, Enter or Tab) puts its text,
// already filled in for this conversation (the select's data-text), in
// the box. The select's "Insert" fills the box in place instead of
// loading the thread again.
(function () {
  'use strict';
  var menu = null, items = [], active = 0;

  function choices() {
    var select = document.getElementById('qr-select');
    return select ? Array.prototype.slice.call(select.options) : [];
  }

  function close() {
    if (menu) menu.remove();
    menu = null;
    items = [];
  }

  function put(text, box) {
    close();
    box.value = text;
    box.focus();
    box.setSelectionRange(text.length, text.length);
  }

  function highlight() {
    items.forEach(function (it, i) {
      it.li.setAttribute('aria-selected', i === active ? 'true' : 'false');
    });
  }

  function open(box, query) {
    var q = query.toLowerCase();
    var found = choices().filter(function (o) {
      return o.dataset.shortcut.indexOf(q) !== -1 || o.dataset.title.toLowerCase().indexOf(q) !== -1;
    });
    found.sort(function (a, b) {
      return (b.dataset.shortcut.indexOf(q) === 0) - (a.dataset.shortcut.indexOf(q) === 0);
    });
    if (!found.length) { close(); return; }
    if (!menu) {
      menu = document.createElement('ul');
      menu.id = 'qr-menu';
      menu.className = 'qr-menu';
      menu.setAttribute('role', 'listbox');
      menu.setAttribute('aria-label', 'Quick replies');
      box.form.parentNode.insertBefore(menu, box.form);
    }
    menu.textContent = '';
    items = found.map(function (o) {
      var li = document.createElement('li');
      li.setAttribute('role', 'option');
      li.dataset.id = o.value;
      var name = document.createElement('strong');
      name.textContent = '/' + o.dataset.shortcut;
      var title = document.createElement('span');
      title.textContent = ' ' + o.dataset.title;
      var text = document.createElement('span');
      text.className = 'muted small preview';
      text.textContent = o.dataset.text;
      li.appendChild(name);
      li.appendChild(title);
      li.appendChild(text);
      // mousedown, not click: the box keeps its focus (and its menu).
      li.addEventListener('mousedown', function (e) {
        e.preventDefault();
        put(o.dataset.text, box);
      });
      menu.appendChild(li);
      return { li: li, text: o.dataset.text };
    });
    active = 0;
    highlight();
  }

  document.addEventListener('input', function (e) {
    var box = e.target;
    if (box.id !== 'reply-text') return;
    var m = /^\/(\S*)$/.exec(box.value);
    if (m && choices().length) open(box, m[1]); else close();
  });

  document.addEventListener('keydown', function (e) {
    if (!menu || e.target.id !== 'reply-text') return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      active = (active + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      highlight();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      put(items[active].text, e.target);
    } else if (e.key === 'Escape') {
      close();
    } else {
      return;
    }
    e.preventDefault();
  });

  document.addEventListener('focusout', function (e) {
    if (e.target.id === 'reply-text') close();
  });

  document.addEventListener('submit', function (e) {
    if (e.target.id !== 'qr-insert') return;
    var box = document.getElementById('reply-text');
    var select = document.getElementById('qr-select');
    if (!box || !select || select.selectedIndex < 0) return;
    e.preventDefault();
    put(select.options[select.selectedIndex].dataset.text, box);
  });
})();

// The segment editor (/app/segments/…): a changed field, attribute or
// operator re-renders the form (its value input changes with it), and
// typing keeps the count up to date by pressing "Count" in the background
// (the same POST the button sends) and swapping in the answer's count.
(function () {
  'use strict';
  var form = document.getElementById('segment-editor');
  if (!form) return;
  var timer = null, seq = 0;

  function body(action) {
    var data = new URLSearchParams(new FormData(form));
    data.set('action', action);
    return data;
  }

  function count() {
    var mine = ++seq;
    // Not form.action: the buttons named "action" shadow it.
    fetch(form.getAttribute('action'), {
      method: 'POST', credentials: 'same-origin', body: body('count'),
      headers: { 'X-Requested-With': 'fetch' }
    })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html || mine !== seq) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('segment-preview');
        var old = document.getElementById('segment-preview');
        if (fresh && old) old.replaceWith(fresh);
        form.querySelectorAll('.seg-rule [role=alert]').forEach(function (el) { el.remove(); });
      })
      .catch(function () { /* the next change retries */ });
  }

  form.addEventListener('change', function (e) {
    if (e.target.hasAttribute('data-refresh')) {
      var b = document.createElement('input');
      b.type = 'hidden'; b.name = 'action'; b.value = 'refresh';
      form.appendChild(b);
      form.submit();
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(count, 300);
  });
  form.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(count, 400);
  });
})();

// Template previews (templates/pages/preview.rs, template_bubble.html).
// The server draws each template as a WhatsApp bubble; a filled part
// keeps its raw text in data-text. Inputs beside it (data-part, data-key,
// data-example: the thread's template picker, a template's page) fill it
// again as values are typed: the value, else the example, else {{name}}.
// On the authoring form (data-template-authoring) the bubble is drawn
// again from the form as the author types, and an example field follows
// each parameter written in the body. Without this script the pages
// still work: their "Preview" buttons draw the bubble on the server.
(function () {
  'use strict';

  function fill(text, value) {
    return (text || '').replace(/\{\{([^{}]*)\}\}/g, function (all, name) {
      name = name.trim();
      return name ? value(name) : all;
    });
  }

  function refill(scope) {
    var values = { header: {}, body: {}, button: {} };
    scope.querySelectorAll('input[data-part]').forEach(function (i) {
      var v = i.value.trim() || i.dataset.example || '';
      if (v && values[i.dataset.part]) values[i.dataset.part][i.dataset.key] = v;
    });
    scope.querySelectorAll('[data-fill]').forEach(function (el) {
      var part = el.dataset.fill, map = values[part] || {};
      el.textContent = fill(el.dataset.text, function (name) {
        return map[part === 'button' ? el.dataset.index : name] || '{{' + name + '}}';
      });
    });
  }

  document.querySelectorAll('[data-template-preview]').forEach(function (scope) {
    if (!scope.querySelector('input[data-part]')) return;
    scope.addEventListener('input', function () { refill(scope); });
  });

  var form = document.querySelector('form[data-template-authoring]');
  var canvas = document.getElementById('template-preview');
  if (!form || !canvas) return;
  var box = document.getElementById('template-examples');
  var kept = {};
  var media = { image: '🖼 Image', video: '🎬 Video', document: '📄 Document', location: '📍 Location' };

  function field(name) {
    var el = form.elements[name];
    return el ? el.value : '';
  }

  function node(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // The body's parameters, each once; numbered ones in number order.
  function params(text) {
    var seen = [];
    (text.match(/\{\{[^{}]*\}\}/g) || []).forEach(function (p) {
      var n = p.slice(2, -2).trim();
      if (n && seen.indexOf(n) < 0) seen.push(n);
    });
    if (field('parameter_format') !== 'named') {
      seen.sort(function (a, b) { return (parseInt(a, 10) || 1e9) - (parseInt(b, 10) || 1e9); });
    }
    return seen;
  }

  // One example field per parameter, in order; a removed one's value is
  // kept in case it comes back.
  function syncExamples(names) {
    if (!box) return;
    box.querySelectorAll('label[data-example]').forEach(function (l) {
      var input = l.querySelector('input');
      kept[l.dataset.example] = input.value;
      if (names.indexOf(l.dataset.example) < 0) l.remove();
    });
    var hint = box.querySelector('[data-no-params]');
    if (hint) hint.hidden = names.length > 0;
    // New fields go after the one before them; fields already there are
    // never moved (moving one would take the focus from it).
    var prev = null;
    names.forEach(function (n) {
      var l = box.querySelector('label[data-example="' + CSS.escape(n) + '"]');
      if (!l) {
        l = node('label');
        l.dataset.example = n;
        l.appendChild(document.createTextNode('{{' + n + '}} '));
        var input = node('input');
        input.name = 'example_' + n;
        input.value = kept[n] || '';
        l.appendChild(input);
        var first = box.querySelector('label[data-example]');
        if (prev) prev.after(l);
        else if (first) box.insertBefore(l, first);
        else box.appendChild(l);
      }
      prev = l;
    });
  }

  function draw() {
    var names = params(field('body'));
    syncExamples(names);
    var examples = {};
    names.forEach(function (n) { examples[n] = (field('example_' + n) || '').trim(); });
    var bubble = node('div', 'wa-bubble');
    bubble.dataset.bubble = '';
    var hf = field('header_format'), hex = field('header_example').trim();
    if (hf && hf !== 'text') bubble.appendChild(node('div', 'wa-media', media[hf] || hf));
    if (hf === 'text' && field('header_text').trim()) {
      bubble.appendChild(node('p', 'wa-header', fill(field('header_text').trim(), function (n) {
        return hex || '{{' + n + '}}';
      })));
    }
    bubble.appendChild(node('p', 'wa-body', fill(field('body').trim(), function (n) {
      return examples[n] || '{{' + n + '}}';
    })));
    if (field('footer').trim()) bubble.appendChild(node('p', 'wa-footer', field('footer').trim()));
    var list = node('ul', 'wa-buttons');
    form.querySelectorAll('.button-row').forEach(function (row) {
      var i = row.dataset.row, kind = field('button_type_' + i);
      if (!kind) return;
      var label = kind === 'copy_code' ? 'Copy offer code' : field('button_text_' + i).trim();
      var li = node('li', 'wa-button ' + kind, label);
      var url = field('button_url_' + i).trim(), ex = field('button_example_' + i).trim();
      var target = kind === 'url' ? fill(url, function (n) {
        var fixed = url.split('{{')[0];
        return (ex.indexOf(fixed) === 0 ? ex.slice(fixed.length) : ex) || '{{' + n + '}}';
      }) : kind === 'phone_number' ? field('button_phone_' + i).trim() : kind === 'copy_code' ? ex : '';
      if (target) li.appendChild(node('small', 'wa-target', target));
      list.appendChild(li);
    });
    if (list.children.length) bubble.appendChild(list);
    canvas.replaceChildren(bubble);
  }

  form.addEventListener('input', draw);
  form.addEventListener('change', draw);
  draw();
})();
