// The workflow builder's steps that wait for a time or a reply, call a
// URL, and start or stop a drip (wait_until, wait_for_reply, call_http,
// start_drip, stop_drip). Loaded before
// automations.js, which lists these types, asks here for a new step's
// blank, and lets this file draw their fields with its own helpers (`h`:
// el, label, select, input, textarea, button, options, choices, edited,
// changed, stepList, waitFields). Without it, those steps show as JSON.
(function () {
  'use strict';
  var DAYS = [['mon', 'Mon'], ['tue', 'Tue'], ['wed', 'Wed'], ['thu', 'Thu'], ['fri', 'Fri'],
    ['sat', 'Sat'], ['sun', 'Sun']];
  var METHODS = [['POST', 'POST'], ['PUT', 'PUT'], ['GET', 'GET']];

  // The first drip the page offers (#automation-choices), if any.
  function firstDrip() {
    var o = document.querySelector('#automation-choices select[data-choices="drips"] option');
    return o ? o.value : '';
  }

  function blank(type) {
    switch (type) {
      case 'wait_until': return { type: type, time: '09:00', days: [] };
      case 'wait_for_reply': return { type: type, seconds: 86400, replied: [], timeout: [] };
      case 'call_http': return { type: type, url: '', method: 'POST', save: {} };
      case 'start_drip': case 'stop_drip': return { type: type, drip_id: firstDrip() };
    }
    return null;
  }

  function waitUntil(s, row, h) {
    if (!Array.isArray(s.days)) s.days = [];
    row.appendChild(h.label('until', h.input(s.time, 'time', 'Time', function (v) { s.time = v; h.edited(); },
      { type: 'time' })));
    var days = h.el('span', { 'class': 'row', role: 'group', 'aria-label': 'On these days' });
    DAYS.forEach(function (d) {
      var cb = h.el('input', { type: 'checkbox', 'data-field': 'days', value: d[0], checked: s.days.indexOf(d[0]) >= 0 });
      cb.addEventListener('change', function () {
        s.days = Array.prototype.filter.call(days.querySelectorAll('input'), function (c) { return c.checked; })
          .map(function (c) { return c.value; });
        h.edited();
      });
      days.appendChild(h.el('label', { 'class': 'check' }, [cb, ' ' + d[1]]));
    });
    row.appendChild(h.label('on', days));
    row.appendChild(h.el('span', { 'class': 'muted small',
      text: "in the workspace's time zone; no day ticked: any day" }));
  }

  function waitForReply(s, row, li, path, depth, h) {
    if (!Array.isArray(s.replied)) s.replied = [];
    if (!Array.isArray(s.timeout)) s.timeout = [];
    h.waitFields(s, row, 'at most');
    li.appendChild(h.el('fieldset', { 'class': 'seg-group depth-1' }, [h.el('legend', { text: 'If they reply' }),
      h.stepList(s.replied, path + '.replied', depth + 1)]));
    li.appendChild(h.el('fieldset', { 'class': 'seg-group depth-1' }, [h.el('legend', { text: 'If no reply in time' }),
      h.stepList(s.timeout, path + '.timeout', depth + 1)]));
  }

  // A body that does not read yet is kept off the JSON (which keeps the
  // last one that did) and shown with the reason, until it reads.
  function keepDraft(s, text) {
    Object.defineProperty(s, 'draftBody', { value: text, writable: true, configurable: true, enumerable: false });
  }

  function bodyField(s, path, h) {
    var note = h.el('p', { 'class': 'field-error', 'data-error': 'body', hidden: true });
    function complain(text) {
      try { JSON.parse(text); } catch (e) {
        note.textContent = 'Not JSON, so not saved yet: ' + e.message;
        note.hidden = false;
        return;
      }
      note.hidden = true;
    }
    var draft = typeof s.draftBody === 'string' ? s.draftBody : null;
    var now = draft !== null ? draft : (s.body === undefined ? '' : JSON.stringify(s.body, null, 2));
    var area = h.textarea(now, 'body', 'Body', function (v) {
      if (v.trim() === '') {
        delete s.body; keepDraft(s, null); note.hidden = true;
      } else {
        try { s.body = JSON.parse(v); keepDraft(s, null); note.hidden = true; } catch (e) {
          keepDraft(s, v); complain(v); return;
        }
      }
      h.edited();
    });
    area.setAttribute('placeholder', '{"order": "123"}');
    if (draft !== null) complain(draft);
    return h.el('div', { 'class': 'stack', 'data-path': path + '.body' },
      [h.label('Body as JSON (empty: what the run is about)', area), note]);
  }

  // "Save answer fields": contact field ← JSON pointer into the answer.
  function saveRows(s, path, h) {
    if (!s.save || typeof s.save !== 'object' || Array.isArray(s.save)) s.save = {};
    var box = h.el('fieldset', { 'class': 'seg-group depth-1', 'data-list': path + '.save' },
      [h.el('legend', { text: 'Save answer fields into the contact' })]);
    var keys = Object.keys(s.save);
    function rename(from, to) {
      var next = {};
      keys.forEach(function (k) { next[k === from ? to : k] = s.save[k]; });
      s.save = next;
    }
    keys.forEach(function (k) {
      var row = h.el('div', { 'class': 'row seg-rule', 'data-path': path + '.save.' + k });
      row.appendChild(h.select(h.options('attributes'), k, 'save_key', 'Contact field', function (v) {
        rename(k, v); h.changed();
      }));
      row.appendChild(h.label('from', h.input(s.save[k], 'save_pointer', 'JSON pointer', function (v) {
        s.save[k] = v; h.edited();
      }, { placeholder: '/order/status' })));
      row.appendChild(h.button('Remove', function () { delete s.save[k]; h.changed(); },
        { 'class': 'link', 'data-remove': path + '.save.' + k }));
      box.appendChild(row);
    });
    var free = (h.choices.attributes || []).filter(function (a) { return !(a.value in s.save); });
    if (free.length) {
      box.appendChild(h.el('div', { 'class': 'row seg-add', 'data-add': path + '.save' }, [
        h.button('Add a field to save', function () { s.save[free[0].value] = ''; h.changed(); })]));
    } else if (!(h.choices.attributes || []).length) {
      box.appendChild(h.el('p', { 'class': 'muted small',
        text: 'Make a contact field first (Settings → Contact fields) to save answers into it.' }));
    }
    return box;
  }

  function dripField(s, row, h) {
    if (!(h.choices.drips || []).length) {
      row.appendChild(h.el('span', { 'class': 'muted small', text: 'Make a drip first (Automations → Drips).' }));
      return;
    }
    row.appendChild(h.select(h.options('drips'), s.drip_id, 'drip_id', 'Drip', function (v) { s.drip_id = v; h.edited(); }));
  }

  function callHttp(s, row, li, path, h) {
    row.appendChild(h.select(METHODS, s.method || 'POST', 'method', 'Method', function (v) { s.method = v; h.edited(); }));
    row.appendChild(h.label('URL', h.input(s.url, 'url', 'URL', function (v) { s.url = v; h.edited(); },
      { placeholder: 'https://…', size: '40', inputmode: 'url', spellcheck: 'false' })));
    li.appendChild(bodyField(s, path, h));
    li.appendChild(saveRows(s, path, h));
  }

  // Draws step `s`'s fields into its `row` (nested lists into `li`);
  // false for a type this file does not know.
  function draw(s, row, li, path, depth, h) {
    switch (s.type) {
      case 'wait_until': waitUntil(s, row, h); return true;
      case 'wait_for_reply': waitForReply(s, row, li, path, depth, h); return true;
      case 'call_http': callHttp(s, row, li, path, h); return true;
      case 'start_drip': case 'stop_drip': dripField(s, row, h); return true;
    }
    return false;
  }

  window.SwitchboardWorkflowSteps = {
    types: [['wait_until', 'Wait until a time'], ['wait_for_reply', 'Wait for a reply'], ['call_http', 'Call a URL'],
      ['start_drip', 'Start a drip'], ['stop_drip', 'Stop a drip']],
    blank: blank,
    draw: draw
  };
})();
