// The workflow builder (/app/automations/new, /app/automations/{id}):
// progressive enhancement of the "Advanced: edit as JSON" textarea, which
// is what the form sends. It draws the definition as a trigger, conditions
// and steps (a branch holds its own conditions and two step lists) and
// writes the JSON back on every change; typing in the JSON draws the
// builder again. Without this file the JSON is edited by hand. The
// steps that wait for a time or a reply and call a URL are drawn by
// automations_steps.js (loaded first), through the helpers passed to it.
(function () {
  'use strict';
  var form = document.getElementById('workflow-form');
  var area = document.getElementById('definition');
  var root = document.getElementById('builder');
  if (!form || !area || !root) return;
  var more = window.SwitchboardWorkflowSteps ||
    { types: [], blank: function () { return null; }, draw: function () { return false; } };

  // What the selects offer, from the page (#automation-choices).
  var choices = {};
  document.querySelectorAll('#automation-choices select[data-choices]').forEach(function (s) {
    choices[s.dataset.choices] = Array.prototype.map.call(s.options, function (o) {
      return { value: o.value, label: o.textContent, kind: o.dataset.kind || '' };
    });
  });
  function options(name) {
    return (choices[name] || []).map(function (c) { return [c.value, c.label]; });
  }
  function first(name) {
    var l = choices[name] || [];
    return l.length ? l[0].value : '';
  }

  var TRIGGERS = [
    ['message_received', 'A customer writes'],
    ['conversation_opened', 'A conversation starts'],
    ['conversation_resolved', 'A conversation is resolved'],
    ['conversation_assigned', 'A conversation is assigned'],
    ['contact_created', 'A contact is created'],
    ['tag_added', 'A tag is put on a contact'],
    ['tag_removed', 'A tag is taken off a contact'],
    ['deal_stage_changed', "A contact's deal moves"],
    ['booking_made', 'A booking is made'],
    ['booking_cancelled', 'A booking is cancelled'],
    ['schedule', 'On a schedule'],
    ['inbound', 'A call to its inbound URL']
  ];
  var CONDITIONS = [
    ['has_tag', 'Contact has tag'],
    ['lacks_tag', 'Contact lacks tag'],
    ['attribute', 'Contact field'],
    ['message_contains', 'Message contains'],
    ['message_matches', 'Message matches pattern'],
    ['channel', 'Conversation is on number'],
    ['conversation_status', 'Conversation status is'],
    ['business_hours', 'Business hours'],
    ['all', 'All of a group'],
    ['any', 'Any of a group']
  ];
  var STEPS = [
    ['send_text', 'Send a text'],
    ['send_template', 'Send a template'],
    ['add_tag', 'Add a tag'],
    ['remove_tag', 'Remove a tag'],
    ['set_attribute', 'Set a contact field'],
    ['assign', 'Assign the conversation'],
    ['set_status', 'Set the conversation status'],
    ['add_note', 'Add a private note'],
    ['wait', 'Wait']
  ].concat(more.types).concat([
    ['branch', 'If … then … else'],
    ['stop', 'Stop']
  ]);
  var STATUSES = [['open', 'open'], ['pending', 'pending'], ['resolved', 'resolved']];
  var OPS = [['equals', 'is'], ['not_equals', 'is not'], ['contains', 'contains'],
    ['is_set', 'is set'], ['is_not_set', 'is not set']];
  var UNITS = [['60', 'minutes'], ['3600', 'hours'], ['86400', 'days']];
  var HOURS = [['true', 'within business hours'], ['false', 'outside business hours']];

  function newTrigger(type) {
    if (type === 'message_received') return { type: type, keywords: [], pattern: null, first_in_conversation: false };
    if (type === 'tag_added' || type === 'tag_removed') return { type: type, tag_id: first('tags') };
    if (type === 'deal_stage_changed') return { type: type, stage_id: null };
    if (type === 'schedule') return { type: type, cron: '0 9 * * mon-fri' };
    return { type: type };
  }
  function newCondition(type) {
    switch (type) {
      case 'all': case 'any': return { type: type, conditions: [] };
      case 'has_tag': case 'lacks_tag': return { type: type, tag_id: first('tags') };
      case 'attribute': return { type: type, key: first('attributes'), op: 'equals', value: null };
      case 'message_contains': return { type: type, text: '' };
      case 'message_matches': return { type: type, pattern: '' };
      case 'channel': return { type: type, channel_id: first('numbers') };
      case 'conversation_status': return { type: type, status: 'open' };
      case 'business_hours': return { type: type, open: true };
    }
    return { type: type };
  }
  function newStep(type) {
    var blank = more.blank(type);
    if (blank) return blank;
    switch (type) {
      case 'send_text': case 'add_note': return { type: type, text: '' };
      case 'send_template': return { type: type, name: '', language: 'en_US', parameters: [] };
      case 'add_tag': case 'remove_tag': return { type: type, tag_id: first('tags') };
      case 'set_attribute': return { type: type, key: first('attributes'), value: null };
      case 'assign':
        return first('users') ? { type: type, user_id: first('users') } : { type: type, team_id: first('teams') };
      case 'set_status': return { type: type, status: 'resolved' };
      case 'wait': return { type: type, seconds: 3600 };
      case 'branch': return { type: type, 'if': [newCondition('has_tag')], then: [], 'else': [] };
    }
    return { type: type };
  }

  // A contact field's value as typed, as the JSON holds it (empty: none).
  function typed(key, raw) {
    var kind = 'text';
    (choices.attributes || []).forEach(function (a) { if (a.value === key) kind = a.kind; });
    if (raw === '') return null;
    if (kind === 'number' && raw.trim() !== '' && !isNaN(Number(raw))) return Number(raw);
    if (kind === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
    return raw;
  }
  function shown(v) {
    if (v === null || v === undefined) return '';
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') e.textContent = v;
      else if (k === 'onclick') e.addEventListener('click', v);
      else e.setAttribute(k, v === true ? '' : v);
    });
    (kids || []).forEach(function (c) {
      if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function label(text, control) { return el('label', {}, [text + ' ', control]); }
  // A select of `opts` ([value, label]) showing `value`; a value it does
  // not offer (a deleted tag, nothing chosen yet) is kept as an option.
  function select(opts, value, field, name, onchange) {
    var s = el('select', { 'data-field': field, 'aria-label': name });
    var found = false;
    opts.forEach(function (o) {
      var opt = el('option', { value: o[0], text: o[1] });
      if (o[0] === value) { opt.selected = true; found = true; }
      s.appendChild(opt);
    });
    if (!found && value !== null && value !== undefined) {
      var extra = el('option', { value: String(value), text: value === '' ? 'Choose…' : value + ' (not found)' });
      extra.selected = true;
      s.insertBefore(extra, s.firstChild);
    }
    s.addEventListener('change', function () { onchange(s.value); });
    return s;
  }
  function input(value, field, name, oninput, attrs) {
    var a = { 'data-field': field, 'aria-label': name, value: shown(value) };
    Object.keys(attrs || {}).forEach(function (k) { a[k] = attrs[k]; });
    var i = el('input', a);
    i.addEventListener('input', function () { oninput(i.value); });
    return i;
  }
  function textarea(value, field, name, oninput) {
    var t = el('textarea', { 'data-field': field, 'aria-label': name, rows: '2', cols: '60' });
    t.value = shown(value);
    t.addEventListener('input', function () { oninput(t.value); });
    return t;
  }
  function button(text, onclick, attrs) {
    var a = { type: 'button', text: text, onclick: onclick };
    Object.keys(attrs || {}).forEach(function (k) { a[k] = attrs[k]; });
    return el('button', a);
  }
  function fieldOf(obj, field, name, list) {
    return select(options(list), obj[field], field, name, function (v) { obj[field] = v; edited(); });
  }

  var def = null;
  var pristine = true;
  function read() {
    try {
      var d = JSON.parse(area.value);
      return d && typeof d === 'object' && !Array.isArray(d) ? d : null;
    } catch (e) { return null; }
  }
  function write() { area.value = JSON.stringify(def, null, 2); }
  function edited() { write(); }
  function changed() { pristine = false; write(); draw(); }

  function triggerRow(t) {
    var row = el('div', { 'class': 'row seg-rule' });
    row.appendChild(label('When', select(TRIGGERS, t.type, 'type', 'Trigger', function (v) {
      def.trigger = newTrigger(v); changed();
    })));
    if (t.type === 'message_received') {
      row.appendChild(label('with any of these words (comma separated)', input((t.keywords || []).join(', '),
        'keywords', 'Keywords', function (v) {
          t.keywords = v.split(',').map(function (k) { return k.trim(); }).filter(Boolean); edited();
        }, { placeholder: 'price, how much' })));
      row.appendChild(label('or matching', input(t.pattern, 'pattern', 'Pattern', function (v) {
        t.pattern = v.trim() ? v : null; edited();
      }, { placeholder: 'a regular expression' })));
      var cb = el('input', { type: 'checkbox', 'data-field': 'first_in_conversation', checked: !!t.first_in_conversation });
      cb.addEventListener('change', function () { t.first_in_conversation = cb.checked; edited(); });
      row.appendChild(el('label', { 'class': 'check' }, [cb, ' only the first message of a conversation']));
    } else if (t.type === 'tag_added' || t.type === 'tag_removed') {
      row.appendChild(label('Tag', fieldOf(t, 'tag_id', 'Tag', 'tags')));
    } else if (t.type === 'deal_stage_changed') {
      row.appendChild(label('to', select([['', 'any stage']].concat(options('stages')), t.stage_id || '',
        'stage_id', 'Stage', function (v) { t.stage_id = v || null; edited(); })));
    } else if (t.type === 'schedule') {
      row.appendChild(label('Cron', input(t.cron, 'cron', 'Cron', function (v) { t.cron = v; edited(); },
        { placeholder: '0 9 * * mon-fri', size: '18', spellcheck: 'false' })));
      row.appendChild(el('span', { 'class': 'muted small', 'data-hint': 'cron',
        text: "minute hour day-of-month month day-of-week, in the workspace's time zone " +
          '(0 9 * * mon-fri: 09:00 on weekdays). Its runs are about no contact.' }));
    } else if (t.type === 'inbound') {
      row.appendChild(el('span', { 'class': 'muted small',
        text: "A POST with a JSON object to the workflow's inbound URL (on its page once saved)." }));
    }
    return row;
  }

  function conditionList(list, path, depth) {
    var box = el('div', { 'class': 'wf-list', 'data-list': path });
    list.forEach(function (c, i) { box.appendChild(conditionRow(list, i, path + '[' + i + ']', depth)); });
    var pick = select(CONDITIONS, 'has_tag', 'new', 'Condition to add', function () {});
    box.appendChild(el('div', { 'class': 'row seg-add', 'data-add': path }, [pick,
      button('Add condition', function () { list.push(newCondition(pick.value)); changed(); })]));
    return box;
  }

  function conditionRow(list, i, path, depth) {
    var c = list[i];
    var row = el('div', { 'class': 'row seg-rule', 'data-path': path });
    row.appendChild(select(CONDITIONS, c.type, 'type', 'Condition', function (v) {
      list[i] = newCondition(v); changed();
    }));
    var set = function (field) { return function (v) { c[field] = v; edited(); }; };
    switch (c.type) {
      case 'has_tag': case 'lacks_tag': row.appendChild(fieldOf(c, 'tag_id', 'Tag', 'tags')); break;
      case 'attribute':
        row.appendChild(select(options('attributes'), c.key, 'key', 'Contact field', function (v) {
          c.key = v; c.value = typed(v, shown(c.value)); edited();
        }));
        row.appendChild(select(OPS, c.op, 'op', 'Comparison', function (v) {
          c.op = v;
          if (v === 'is_set' || v === 'is_not_set') c.value = null;
          changed();
        }));
        if (c.op !== 'is_set' && c.op !== 'is_not_set') {
          row.appendChild(input(c.value, 'value', 'Value', function (v) { c.value = typed(c.key, v); edited(); }));
        }
        break;
      case 'message_contains': row.appendChild(input(c.text, 'text', 'Text', set('text'))); break;
      case 'message_matches':
        row.appendChild(input(c.pattern, 'pattern', 'Pattern', set('pattern'), { placeholder: 'a regular expression' }));
        break;
      case 'channel': row.appendChild(fieldOf(c, 'channel_id', 'Number', 'numbers')); break;
      case 'conversation_status':
        row.appendChild(select(STATUSES, c.status, 'status', 'Status', function (v) { c.status = v; edited(); }));
        break;
      case 'business_hours':
        row.appendChild(select(HOURS, String(c.open !== false), 'open', 'Business hours', function (v) {
          c.open = v === 'true'; edited();
        }));
        break;
      case 'all': case 'any':
        if (!Array.isArray(c.conditions)) c.conditions = [];
        row.appendChild(el('fieldset', { 'class': 'seg-group depth-' + Math.min(depth, 2) }, [
          el('legend', { text: c.type === 'all' ? 'All of these' : 'Any of these' }),
          conditionList(c.conditions, path + '.conditions', depth + 1)]));
        break;
      default: row.appendChild(el('code', { text: JSON.stringify(c) }));
    }
    row.appendChild(button('Remove', function () { list.splice(i, 1); changed(); }, { 'class': 'link', 'data-remove': path }));
    return row;
  }

  function stepList(list, path, depth) {
    var box = el('div', { 'class': 'wf-list', 'data-list': path });
    var ol = el('div', { role: 'list' });
    list.forEach(function (s, i) { ol.appendChild(stepRow(list, i, path + '[' + i + ']', depth)); });
    box.appendChild(ol);
    var pick = select(STEPS, 'send_text', 'new', 'Step to add', function () {});
    box.appendChild(el('div', { 'class': 'row seg-add', 'data-add': path }, [pick,
      button('Add step', function () { list.push(newStep(pick.value)); changed(); })]));
    return box;
  }

  // Seconds as an amount and a unit; `words` before them ('for').
  function waitFields(s, row, words) {
    var seconds = Number(s.seconds) || 0;
    var units = seconds % 60 === 0 ? UNITS : [['1', 'seconds']].concat(UNITS);
    var unit = '1';
    units.forEach(function (u) { if (seconds > 0 && seconds % Number(u[0]) === 0) unit = u[0]; });
    var amount = input(seconds / Number(unit), 'amount', 'Wait for', update, { type: 'number', min: '1', step: '1' });
    var sel = select(units, unit, 'unit', 'Unit', update);
    function update() { s.seconds = Math.round(Number(amount.value) * Number(sel.value)) || 0; edited(); }
    row.appendChild(label(words || 'for', amount));
    row.appendChild(sel);
  }

  function assignField(s) {
    var opts = (choices.users || []).map(function (u) { return ['user:' + u.value, 'Person: ' + u.label]; })
      .concat((choices.teams || []).map(function (t) { return ['team:' + t.value, 'Team: ' + t.label]; }));
    var now = s.user_id ? 'user:' + s.user_id : (s.team_id ? 'team:' + s.team_id : '');
    return label('to', select(opts, now, 'assignee', 'Assign to', function (v) {
      var kind = v.slice(0, 5);
      delete s.user_id; delete s.team_id;
      if (kind === 'user:') s.user_id = v.slice(5); else if (kind === 'team:') s.team_id = v.slice(5);
      edited();
    }));
  }

  function templateFields(s, row) {
    if ((choices.templates || []).length) {
      row.appendChild(select([['', 'An approved template…']].concat(options('templates')),
        s.name ? s.name + '|' + s.language : '', 'template', 'Approved template', function (v) {
          var parts = v.split('|');
          if (parts.length === 2) { s.name = parts[0]; s.language = parts[1]; changed(); }
        }));
    }
    row.appendChild(label('Name', input(s.name, 'name', 'Template name', function (v) { s.name = v; edited(); })));
    row.appendChild(label('Language', input(s.language, 'language', 'Language', function (v) { s.language = v; edited(); }, { size: '6' })));
    row.appendChild(label('Values, one a line', textarea((s.parameters || []).join('\n'), 'parameters', 'Values',
      function (v) { s.parameters = v.split('\n').filter(function (p) { return p.trim() !== ''; }); edited(); })));
  }

  function stepRow(list, i, path, depth) {
    var s = list[i];
    var li = el('div', { 'class': 'card', role: 'listitem', 'data-path': path, 'data-type': s.type });
    var row = el('div', { 'class': 'row seg-rule' }, [el('strong', { text: (i + 1) + '.' })]);
    li.appendChild(row);
    row.appendChild(select(STEPS, s.type, 'type', 'Step', function (v) { list[i] = newStep(v); changed(); }));
    var text = function (field, name) { return function (v) { s[field] = v; edited(); }; };
    switch (s.type) {
      case 'send_text': row.appendChild(textarea(s.text, 'text', 'Text', text('text'))); break;
      case 'add_note': row.appendChild(textarea(s.text, 'text', 'Note', text('text'))); break;
      case 'send_template': templateFields(s, row); break;
      case 'add_tag': case 'remove_tag': row.appendChild(fieldOf(s, 'tag_id', 'Tag', 'tags')); break;
      case 'set_attribute':
        row.appendChild(select(options('attributes'), s.key, 'key', 'Contact field', function (v) {
          s.key = v; s.value = typed(v, shown(s.value)); edited();
        }));
        row.appendChild(label('to', input(s.value, 'value', 'Value', function (v) { s.value = typed(s.key, v); edited(); },
          { placeholder: 'empty clears it' })));
        break;
      case 'assign': row.appendChild(assignField(s)); break;
      case 'set_status':
        row.appendChild(select(STATUSES, s.status, 'status', 'Status', function (v) { s.status = v; edited(); }));
        break;
      case 'wait': waitFields(s, row); break;
      case 'stop': row.appendChild(el('span', { 'class': 'muted', text: 'The run ends here.' })); break;
      case 'branch':
        ['if', 'then', 'else'].forEach(function (k) { if (!Array.isArray(s[k])) s[k] = []; });
        li.appendChild(el('fieldset', { 'class': 'seg-group depth-1' }, [el('legend', { text: 'If all of these hold' }),
          conditionList(s['if'], path + '.if', depth + 1)]));
        li.appendChild(el('fieldset', { 'class': 'seg-group depth-1' }, [el('legend', { text: 'Then' }),
          stepList(s.then, path + '.then', depth + 1)]));
        li.appendChild(el('fieldset', { 'class': 'seg-group depth-1' }, [el('legend', { text: 'Else' }),
          stepList(s['else'], path + '.else', depth + 1)]));
        break;
      default:
        if (!more.draw(s, row, li, path, depth, helpers)) row.appendChild(el('code', { text: JSON.stringify(s) }));
    }
    var move = function (by) {
      return function () { var x = list[i]; list[i] = list[i + by]; list[i + by] = x; changed(); };
    };
    var tools = el('span', { 'class': 'row' });
    if (i > 0) tools.appendChild(button('↑', move(-1), { 'aria-label': 'Move step ' + (i + 1) + ' up' }));
    if (i < list.length - 1) tools.appendChild(button('↓', move(1), { 'aria-label': 'Move step ' + (i + 1) + ' down' }));
    tools.appendChild(button('Remove', function () { list.splice(i, 1); changed(); }, { 'class': 'link', 'data-remove': path }));
    row.appendChild(tools);
    return li;
  }

  // The refusals of the last save (#definition-errors) beside the rows
  // they name, until the steps are moved about.
  function markErrors() {
    if (!pristine) return;
    var targets = root.querySelectorAll('[data-path]');
    document.querySelectorAll('#definition-errors li[data-path]').forEach(function (li) {
      var p = li.dataset.path;
      var best = null;
      if (!p) return;
      targets.forEach(function (t) {
        var tp = t.dataset.path;
        var inside = p === tp || p.indexOf(tp + '.') === 0 || p.indexOf(tp + '[') === 0;
        if (inside && (!best || tp.length > best.dataset.path.length)) best = t;
      });
      if (best) best.appendChild(el('p', { 'class': 'field-error', text: li.textContent }));
    });
  }

  // What automations_steps.js draws with.
  var helpers = { el: el, label: label, select: select, input: input, textarea: textarea, button: button,
    options: options, choices: choices, edited: edited, changed: changed, stepList: stepList, waitFields: waitFields };

  function section(legend, path, body) {
    return el('fieldset', { 'class': 'seg-group', 'data-path': path }, [el('legend', { text: legend }), body]);
  }

  function draw() {
    root.textContent = '';
    if (!def) {
      root.appendChild(el('p', { 'class': 'notice', id: 'builder-broken',
        text: 'The JSON below does not read yet: fix it there and the builder comes back.' }));
      return;
    }
    if (!def.trigger || typeof def.trigger !== 'object') def.trigger = newTrigger('message_received');
    if (!Array.isArray(def.conditions)) def.conditions = [];
    if (!Array.isArray(def.steps)) def.steps = [];
    root.appendChild(section('Trigger', 'trigger', triggerRow(def.trigger)));
    root.appendChild(section('Only if all of these hold (optional)', 'conditions',
      conditionList(def.conditions, 'conditions', 1)));
    root.appendChild(section('Steps', 'steps', stepList(def.steps, 'steps', 1)));
    markErrors();
  }

  area.addEventListener('input', function () { pristine = false; def = read(); draw(); });
  def = read();
  draw();
  var details = document.getElementById('advanced');
  if (def && details && !document.getElementById('definition-errors')) details.open = false;
})();
