/* test-auditor's HTML report: renders the embedded JSON (the scan and leaks reports).
   Every string from the report goes into the page as a text node (el() below), never as
   markup. Views are built the first time they are opened; long lists show a page at a time. */
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('ta-data').textContent);
  var SCAN = DATA.scan, LEAKS = DATA.leaks, EXTRA = DATA.extra || {};
  var PAGE = 200;

  function el(tag, props) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        var value = props[key];
        if (value === null || value === undefined || value === false) return;
        if (key === 'class') node.className = value;
        else if (key === 'text') node.textContent = String(value);
        else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? '' : String(value));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); continue; }
      node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
    }
  }
  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }
  function plural(n, word) { return fmt(n) + ' ' + word + (n === 1 ? '' : 's'); }
  function folderOf(path) { var i = path.lastIndexOf('/'); return i < 0 ? '.' : path.slice(0, i); }
  function tierClass(tier) { return 'badge tier-' + String(tier).replace(/[^a-z0-9_-]/gi, ''); }
  var pending = 0;  /* filters typed but not yet applied: body[data-pending] (for tests) */
  function debounce(fn, ms) {
    var t = null;
    return function () {
      if (t === null) { pending++; document.body.setAttribute('data-pending', String(pending)); }
      clearTimeout(t);
      t = setTimeout(function () {
        t = null; pending--;
        try { fn(); } finally { document.body.setAttribute('data-pending', String(pending)); }
      }, ms);
    };
  }
  function pager(container, items, render, size) {
    /* Renders items a page at a time into container, with a "show more" button after it
       (after the table when container is a table body). */
    size = size || PAGE;
    var shown = 0;
    var button = el('button', { class: 'more', type: 'button' });
    function more() {
      var end = Math.min(items.length, shown + size);
      var fragment = document.createDocumentFragment();
      for (; shown < end; shown++) append(fragment, render(items[shown], shown));
      container.appendChild(fragment);
      var anchor = container.tagName === 'TBODY' ? container.parentNode : container;
      if (shown < items.length && anchor && anchor.parentNode) {
        button.textContent = 'Show ' + fmt(Math.min(size, items.length - shown)) + ' more (' +
          fmt(items.length - shown) + ' not shown)';
        anchor.parentNode.insertBefore(button, anchor.nextSibling);
      } else {
        dispose();
      }
    }
    function dispose() { if (button.parentNode) button.parentNode.removeChild(button); }
    button.addEventListener('click', more);
    return { more: more, dispose: dispose };
  }
  function section(title, note) {
    return [el('h2', { text: title }), note ? el('p', { class: 'muted', text: note }) : null];
  }
  function empty(text) { return el('p', { class: 'empty', text: text }); }
  function stringList(values) {
    if (!values || !values.length) return el('span', { class: 'muted', text: '(none)' });
    return el('ul', { class: 'plain' }, values.map(function (v) { return el('li', null, el('code', { text: v })); }));
  }

  /* ---- views and tabs ---------------------------------------------------------- */
  var views = [];
  var main = document.getElementById('ta-main');
  var tabs = document.getElementById('ta-tabs');
  function addView(id, label, count, build) {
    var sectionNode = el('section', { id: 'view-' + id, hidden: true, 'aria-label': label });
    var button = el('button', { type: 'button', role: 'tab', 'data-view': id, 'aria-selected': 'false',
      onclick: function () { show(id); } }, label,
      count === null ? null : el('span', { class: 'count', text: fmt(count) }));
    main.appendChild(sectionNode);
    tabs.appendChild(button);
    views.push({ id: id, node: sectionNode, button: button, build: build, built: false });
  }
  function show(id, after) {
    views.forEach(function (view) {
      var on = view.id === id;
      view.node.hidden = !on;
      view.button.setAttribute('aria-selected', on ? 'true' : 'false');
      if (on && !view.built) { view.built = true; view.build(view.node); }
    });
    if (location.hash.slice(1) !== id) history.replaceState(null, '', '#' + id);
    if (after) after();
  }
  window.taShow = show;

  /* ---- overview: pyramid and tiers per folder ---------------------------------- */
  var colors = {};
  function tierColor(tier) {
    if (!colors[tier]) {
      var style = getComputedStyle(document.documentElement);
      colors[tier] = style.getPropertyValue('--' + tier).trim() || style.getPropertyValue('--other').trim();
    }
    return colors[tier];
  }
  function stackBar(counts, tiers, total) {
    var bar = el('div', { class: 'stack', role: 'img',
      'aria-label': tiers.map(function (t) { return t + ' ' + (counts[t] || 0); }).join(', ') });
    tiers.forEach(function (tier) {
      var n = counts[tier] || 0;
      if (!n) return;
      var part = el('span', { title: tier + ': ' + fmt(n) });
      part.style.width = (100 * n / total) + '%';
      part.style.background = tierColor(tier);
      bar.appendChild(part);
    });
    return bar;
  }
  function tierTable(rows, tiers, what, id) {
    var ranked = Object.keys(rows).map(function (key) {
      var total = tiers.reduce(function (s, t) { return s + (rows[key][t] || 0); }, 0);
      return { key: key, counts: rows[key], total: total };
    }).sort(function (a, b) { return b.total - a.total || (a.key < b.key ? -1 : 1); });
    var body = el('tbody');
    var table = el('table', { id: id },
      el('thead', null, el('tr', null, el('th', { text: what }),
        tiers.map(function (t) { return el('th', { class: 'num', text: t }); }),
        el('th', { class: 'num', text: 'tests' }), el('th', { text: 'mix' }))), body);
    var wrap = el('div', null, table);
    pager(body, ranked, function (row) {
      return el('tr', { 'data-key': row.key }, el('td', null, el('code', { text: row.key })),
        tiers.map(function (t) { return el('td', { class: 'num', 'data-tier': t, text: fmt(row.counts[t] || 0) }); }),
        el('td', { class: 'num', text: fmt(row.total) }), el('td', null, stackBar(row.counts, tiers, row.total || 1)));
    }, 30).more();
    return wrap;
  }
  function pyramidSvg(tiers, counts, shares) {
    var rowH = 44, width = 640, mid = 330, maxW = 300;
    var max = Math.max.apply(null, tiers.map(function (t) { return counts[t] || 0; }).concat([1]));
    var top = tiers.slice().reverse();
    var chart = svg('svg', { id: 'pyramid', viewBox: '0 0 ' + width + ' ' + (rowH * top.length + 10),
      width: width, height: rowH * top.length + 10, role: 'img',
      'aria-label': 'Test pyramid: ' + top.map(function (t) { return t + ' ' + (counts[t] || 0); }).join(', ') });
    top.forEach(function (tier, i) {
      var n = counts[tier] || 0;
      var w = n ? Math.max(4, maxW * n / max) : 0;
      var y = 5 + i * rowH;
      chart.appendChild(svg('g', { 'data-tier': tier, 'data-count': n },
        svg('title', {}, tier + ': ' + n + ' tests (' + shares[tier] + ')'),
        svg('rect', { x: mid - w / 2, y: y, width: w, height: rowH - 8, rx: 3, fill: tierColor(tier) }),
        svg('text', { x: 8, y: y + rowH / 2, 'class': 'tier-name' }, tier),
        svg('text', { x: width - 8, y: y + rowH / 2, 'text-anchor': 'end', 'class': 'tier-count' },
          fmt(n) + ' (' + shares[tier] + ')')));
    });
    return chart;
  }
  function buildOverview(node) {
    var s = SCAN.summary, tiers = SCAN.tiers;
    append(node, el('div', { class: 'cards' },
      [['test files', s.files], ['conftest.py', s.conftests], ['tests', s.tests],
       [s.items_exact ? 'items' : 'items (about)', s.items], ['fixtures', s.fixtures],
       ['findings', s.findings], ['duplicate groups', SCAN.duplicates.length],
       ['deselected', s.deselected || 0]].map(function (c) {
        return el('div', { class: 'card', 'data-card': c[0] }, el('b', { text: fmt(c[1]) }), c[0]);
      })));
    (SCAN.notes || []).forEach(function (n) { append(node, el('p', { class: 'muted', text: 'note: ' + n })); });
    append(node, section('Test pyramid', 'Tests per tier (parametrized variants count once).'));
    append(node, pyramidSvg(tiers.names, tiers.counts, EXTRA.tier_shares || {}));
    append(node, el('div', { class: 'legend' }, tiers.names.map(function (t) {
      var swatch = el('i'); swatch.style.background = tierColor(t);
      return el('span', null, swatch, t);
    })));
    append(node, section('Tiers per folder', 'The tests of each folder (not its subfolders) by tier, the largest first.'));
    append(node, tierTable(tiers.folders, tiers.names, 'folder', 'tier-folders'));
    append(node, section('Files that mix tiers', 'A file whose tests are of more than one tier.'));
    append(node, Object.keys(tiers.mixed_files).length ?
      tierTable(tiers.mixed_files, tiers.names, 'file', 'mixed-files') : empty('No file mixes tiers.'));
    var hot = SCAN.hot_spots;
    if (hot.most_used.length) {
      append(node, section('Most used fixtures'));
      append(node, el('table', null, el('thead', null, el('tr', null,
        ['fixture', 'scope', 'tests', 'defined at'].map(function (h) { return el('th', { text: h }); }))),
        el('tbody', null, hot.most_used.map(function (h) {
          return el('tr', null, el('td', null, fixtureLink(h.name)), el('td', { text: h.scope }),
            el('td', { class: 'num', text: fmt(h.used_by) }), el('td', null, el('code', { text: h.path + ':' + h.line })));
        }))));
    }
    if (hot.autouse_reach.length) {
      append(node, section('Autouse blast radius'));
      append(node, el('table', null, el('thead', null, el('tr', null,
        ['fixture', 'scope', 'tests reached', 'share', 'defined at'].map(function (h) { return el('th', { text: h }); }))),
        el('tbody', null, hot.autouse_reach.map(function (a, i) {
          return el('tr', null, el('td', null, fixtureLink(a.name)), el('td', { text: a.scope }),
            el('td', { class: 'num', text: fmt(a.tests) }), el('td', { class: 'num', text: (EXTRA.autouse_shares || [])[i] }),
            el('td', null, el('code', { text: a.path + ':' + a.line })));
        }))));
    }
    if (hot.longest_chains.length) {
      append(node, section('Deepest fixture chains'));
      append(node, el('ul', { class: 'plain' }, hot.longest_chains.map(function (c) {
        return el('li', null, el('code', { text: c.length + '  ' + c.join(' \u2192 ') }));
      })));
    }
  }

  /* ---- tests ------------------------------------------------------------------- */
  function testBody(test, index) {
    var g = EXTRA.graph;
    var body = el('div', { class: 'body' },
      el('div', null, 'at ', el('code', { text: test.path + ':' + test.line })));
    if (test.static_tier !== undefined && test.static_tier !== test.tier) {
      append(body, el('div', null, 'static tier ' + test.static_tier + ', corrected by the run to ' + test.tier));
    }
    append(body, el('h3', { text: 'Why ' + test.tier }));
    append(body, test.evidence.length ? stringList(test.evidence) :
      el('span', { class: 'muted', text: 'no evidence of anything outside the process' }));
    if (test.observed && test.observed.length) { append(body, el('h3', { text: 'Seen in the run' }), stringList(test.observed)); }
    if (test.disagreements && test.disagreements.length) { append(body, el('h3', { text: 'Run vs static' }), stringList(test.disagreements)); }
    append(body, el('h3', { text: 'Fixtures (closure)' }));
    if (g && g.tests[index]) {
      append(body, g.tests[index][1].length ? el('div', null, g.tests[index][1].map(function (d, i) {
        return [i ? ', ' : '', defLink(d)];
      })) : el('span', { class: 'muted', text: '(none)' }));
    } else {
      append(body, el('div', null, test.fixtures.join(', ') || '(none)'));
    }
    append(body, el('div', null, el('button', { class: 'link', type: 'button', text: 'Open in the fixture explorer',
      onclick: function () { openExplorer({ test: index }); } })));
    return body;
  }
  function testRow(test, index, highlight) {
    var details = el('details', { class: 'test' + (highlight ? ' hit' : ''), 'data-nodeid': test.nodeid },
      el('summary', null, el('span', { class: tierClass(test.tier), text: test.tier }), ' ',
        el('code', { text: test.nodeid })));
    details.addEventListener('toggle', function () {
      if (details.open && details.childNodes.length === 1) details.appendChild(testBody(test, index));
    });
    return details;
  }
  function buildTests(node) {
    var query = el('input', { type: 'search', id: 'test-filter', placeholder: 'filter by node id (e.g. tests/api)' });
    var tier = el('select', { id: 'test-tier' }, el('option', { value: '', text: 'every tier' }),
      SCAN.tiers.names.map(function (t) { return el('option', { value: t, text: t }); }));
    var count = el('span', { class: 'muted' });
    var list = el('div', { id: 'test-list' });
    append(node, section('Tests', 'Each test with its tier; open one for the evidence (the fixture chain that makes it integration) and its fixtures.'),
      el('div', { class: 'controls' }, query, tier, count), list);
    var current = null;
    function refresh() {
      var q = query.value.trim().toLowerCase(), t = tier.value;
      var matches = [];
      SCAN.tests.forEach(function (test, i) {
        if ((!t || test.tier === t) && (!q || test.nodeid.toLowerCase().indexOf(q) >= 0)) matches.push(i);
      });
      count.textContent = fmt(matches.length) + ' of ' + plural(SCAN.tests.length, 'test');
      list.textContent = '';
      if (current) current.dispose();
      current = pager(list, matches, function (i) { return testRow(SCAN.tests[i], i, false); });
      current.more();
    }
    query.addEventListener('input', debounce(refresh, 150));
    tier.addEventListener('change', refresh);
    refresh();
  }

  /* ---- findings ---------------------------------------------------------------- */
  var SEVERITY_RANK = { error: 0, warning: 1, info: 2 };
  function buildFindings(node) {
    var findings = SCAN.findings.map(function (f, i) { return { f: f, i: i }; });
    var rules = {};
    SCAN.findings.forEach(function (f) { rules[f.rule] = (rules[f.rule] || 0) + 1; });
    var docs = EXTRA.rules || {};
    var ruleSelect = el('select', { id: 'finding-rule' }, el('option', { value: '', text: 'every rule' }),
      Object.keys(rules).sort().map(function (r) {
        return el('option', { value: r, text: r + ' ' + ((docs[r] || {}).name || '') + ' (' + rules[r] + ')' });
      }));
    var severity = el('select', { id: 'finding-severity' }, el('option', { value: '', text: 'every severity' }),
      ['error', 'warning', 'info'].map(function (s) { return el('option', { value: s, text: s }); }));
    var path = el('input', { type: 'search', id: 'finding-path', placeholder: 'path contains' });
    var text = el('input', { type: 'search', id: 'finding-text', placeholder: 'message contains' });
    var count = el('span', { class: 'muted' });
    var columns = [['rule', function (x) { return x.f.rule; }],
      ['severity', function (x) { return SEVERITY_RANK[x.f.severity]; }],
      ['where', function (x) { return [x.f.path, x.f.line, x.f.col]; }],
      ['message and code', function (x) { return x.f.message; }]];
    var sortBy = 2, direction = 1;
    var head = el('tr', null, columns.map(function (c, i) {
      return el('th', { class: 'sortable', 'data-column': c[0], onclick: function () {
        direction = sortBy === i ? -direction : 1; sortBy = i; refresh();
      } }, c[0]);
    }));
    var body = el('tbody', { id: 'finding-rows' });
    var ruleDocs = el('div', { id: 'rule-docs' });
    append(node, section('Findings', 'Sort by a column; filter by rule, severity, path or message. A rule code opens its documentation.'),
      el('div', { class: 'controls' }, ruleSelect, severity, path, text, count),
      el('table', { id: 'findings' }, el('thead', null, head), body),
      el('h2', { text: 'Rules found' }), ruleDocs);
    Object.keys(rules).sort().forEach(function (code) {
      var doc = docs[code];
      append(ruleDocs, el('details', { class: 'ruledoc', id: 'rule-' + code },
        el('summary', null, el('b', { text: code }), ' ', doc ? doc.name + ' (' + doc.severity + ', ' + doc.category + '): ' + doc.summary : '', ' ',
          el('span', { class: 'muted', text: plural(rules[code], 'finding') })),
        doc ? el('pre', { text: doc.doc }) : empty('No documentation (a rule that is not loaded here).')));
    });
    function compare(a, b) {
      var x = columns[sortBy][1](a), y = columns[sortBy][1](b);
      if (Array.isArray(x)) {
        for (var k = 0; k < x.length; k++) { if (x[k] !== y[k]) return (x[k] < y[k] ? -1 : 1) * direction; }
        return a.i - b.i;
      }
      return x === y ? a.i - b.i : (x < y ? -1 : 1) * direction;
    }
    function row(x) {
      var f = x.f;
      return el('tr', { 'data-rule': f.rule, 'data-severity': f.severity },
        el('td', null, el('button', { class: 'link rule-link', type: 'button', text: f.rule,
          title: (docs[f.rule] || {}).summary || '', onclick: function () { openRule(f.rule); } })),
        el('td', null, el('span', { class: 'badge sev-' + f.severity, text: f.severity })),
        el('td', { class: 'where' }, el('code', { text: f.path + ':' + f.line + ':' + (f.col + 1) })),
        el('td', null, el('div', { class: 'message', text: f.message + (f.fixable ? ' [fixable]' : '') }),
          (EXTRA.finding_lines || [])[x.i] ? el('code', { class: 'code', text: f.line + ' | ' + EXTRA.finding_lines[x.i] }) : null));
    }
    var current = null;
    function refresh() {
      var r = ruleSelect.value, s = severity.value, p = path.value.trim().toLowerCase(), t = text.value.trim().toLowerCase();
      var rows = findings.filter(function (x) {
        return (!r || x.f.rule === r) && (!s || x.f.severity === s) &&
          (!p || x.f.path.toLowerCase().indexOf(p) >= 0) && (!t || x.f.message.toLowerCase().indexOf(t) >= 0);
      }).sort(compare);
      Array.prototype.forEach.call(head.children, function (th, i) {
        if (i < columns.length) th.setAttribute('aria-sort', i === sortBy ? (direction > 0 ? 'ascending' : 'descending') : 'none');
      });
      count.textContent = fmt(rows.length) + ' of ' + plural(findings.length, 'finding');
      body.textContent = '';
      if (current) current.dispose();
      if (!rows.length) body.appendChild(el('tr', null, el('td', { colspan: 4, class: 'empty', text: 'No finding matches.' })));
      current = pager(body, rows, row, 300);
      current.more();
    }
    function openRule(code) {
      var details = document.getElementById('rule-' + code);
      if (details) { details.open = true; details.scrollIntoView({ block: 'start' }); }
    }
    [ruleSelect, severity].forEach(function (c) { c.addEventListener('change', refresh); });
    [path, text].forEach(function (c) { c.addEventListener('input', debounce(refresh, 150)); });
    refresh();
  }

  /* ---- duplicates -------------------------------------------------------------- */
  function buildDuplicates(node) {
    var kinds = {};
    SCAN.duplicates.forEach(function (g) { var k = g.kind + ' ' + g.clone; kinds[k] = (kinds[k] || 0) + 1; });
    var kind = el('select', { id: 'duplicate-kind' }, el('option', { value: '', text: 'every kind' }),
      Object.keys(kinds).sort().map(function (k) { return el('option', { value: k, text: k + ' (' + kinds[k] + ')' }); }));
    var list = el('div', { id: 'duplicate-groups' });
    append(node, section('Duplicates', 'Groups of tests, fixtures or files that are copies of each other, the members\u2019 code side by side.'),
      el('div', { class: 'controls' }, kind), list);
    function group(index) {
      var g = SCAN.duplicates[index], extra = (EXTRA.duplicates || [])[index] || { code: [] };
      var similarity = g.similarity >= 1 ? '' : ' \u00b7 ' + extra.similarity + ' alike';
      var codes = extra.code || [];
      var side = el('div', { class: 'side' }, g.members.slice(0, codes.length || 0).map(function (m, i) {
        return el('div', { class: 'member' }, el('div', { class: 'where' }, el('code', { text: m.path + ':' + m.line }), ' ', el('b', { text: m.name })),
          codes[i] ? el('pre', { class: 'mono', text: codes[i] }) : empty('code not found'));
      }));
      var rest = g.members.slice(codes.length);
      return el('div', { class: 'group', 'data-kind': g.kind, 'data-clone': g.clone },
        el('div', { class: 'head' }, el('b', { text: g.kind + ' \u00b7 ' + g.clone + similarity }), ' \u00b7 ' + plural(g.members.length, 'member'),
          el('div', { text: g.suggestion })),
        codes.length ? side : null,
        rest.length ? el('ul', { class: 'plain panel' }, rest.map(function (m) {
          return el('li', null, el('code', { text: m.path + ':' + m.line }), ' ' + m.name);
        })) : null);
    }
    var current = null;
    function refresh() {
      var k = kind.value;
      var chosen = [];
      SCAN.duplicates.forEach(function (g, i) { if (!k || g.kind + ' ' + g.clone === k) chosen.push(i); });
      list.textContent = '';
      if (current) current.dispose();
      if (!chosen.length) list.appendChild(empty('No duplicates found.'));
      current = pager(list, chosen, group, 25);
      current.more();
    }
    kind.addEventListener('change', refresh);
    refresh();
  }

  /* ---- fixture graph explorer -------------------------------------------------- */
  var G = null;
  function graphIndex() {
    if (G) return G;
    var g = EXTRA.graph || { defs: [], tests: [] };
    var byName = {}, users = g.defs.map(function () { return []; }), requestedBy = g.defs.map(function () { return []; });
    g.defs.forEach(function (d, i) {
      (byName[d[0]] = byName[d[0]] || []).push(i);
      d[7].forEach(function (t) { requestedBy[t].push(i); });
    });
    g.tests.forEach(function (t, ti) { t[1].forEach(function (d) { users[d].push(ti); }); });
    G = { defs: g.defs, tests: g.tests, byName: byName, users: users, requestedBy: requestedBy };
    return G;
  }
  function isHidden(d) { return d[6] === 0; /* no test gets it: unused, builtin or not */ }
  function defLink(index) {
    var d = graphIndex().defs[index];
    return el('button', { class: 'link', type: 'button', 'data-def': index, text: d[0],
      title: d[3] + ' \u00b7 ' + d[4] + ' \u00b7 ' + d[1] + ':' + d[2], onclick: function () { openExplorer({ def: index }); } });
  }
  function fixtureLink(name) {
    return el('button', { class: 'link', type: 'button', text: name, onclick: function () { openExplorer({ name: name }); } });
  }
  var explorerState = { pending: null, select: null };
  function openExplorer(what) {
    explorerState.pending = what;
    show('fixtures', function () {
      if (explorerState.select) { explorerState.select(what); explorerState.pending = null; }
    });
  }
  function closureOf(start) {
    /* The fixture definitions start (a list of indices) reaches, each once. */
    var g = graphIndex(), seen = {}, order = [], stack = start.slice();
    while (stack.length) {
      var d = stack.pop();
      if (seen[d]) continue;
      seen[d] = true; order.push(d);
      g.defs[d][7].forEach(function (t) { if (!seen[t]) stack.push(t); });
    }
    return order;
  }
  function requestTree(indices, seen, depth) {
    var g = graphIndex();
    return el('ul', { class: 'tree' }, indices.map(function (d) {
      var def = g.defs[d], again = seen[d];
      seen[d] = true;
      return el('li', null, defLink(d), ' ', el('span', { class: 'badge scope', text: def[3] }),
        def[5] ? ' autouse' : '', ' ', el('span', { class: 'muted', text: def[1] + ':' + def[2] }),
        again && def[7].length ? el('span', { class: 'muted', text: ' (see above)' }) :
          (def[7].length && depth < 30 ? requestTree(def[7], seen, depth + 1) : null));
    }));
  }
  function usersList(tests) {
    var byFolder = {};
    tests.forEach(function (ti) { var t = SCAN.tests[ti]; (byFolder[folderOf(t.path)] = byFolder[folderOf(t.path)] || []).push(ti); });
    var folders = Object.keys(byFolder).sort();
    var wrap = el('div', { id: 'fixture-users' });
    folders.forEach(function (folder, fi) {
      var ids = byFolder[folder];
      var list = el('ul', { class: 'plain' });
      var details = el('details', { open: folders.length <= 3 || fi === 0 ? true : null, 'data-folder': folder },
        el('summary', null, el('code', { text: folder }), ' ', el('span', { class: 'muted', text: plural(ids.length, 'test') })), list);
      var filled = false;
      function fill() {
        if (filled) return; filled = true;
        pager(list, ids, function (ti) {
          var t = SCAN.tests[ti];
          return el('li', { class: 'hit user', 'data-nodeid': t.nodeid }, el('span', { class: tierClass(t.tier), text: t.tier }), ' ',
            el('button', { class: 'link', type: 'button', text: t.nodeid, onclick: function () { openExplorer({ test: ti }); } }));
        }, 100).more();
      }
      details.addEventListener('toggle', function () { if (details.open) fill(); });
      if (details.open) fill();
      wrap.appendChild(details);
    });
    if (!tests.length) wrap.appendChild(empty('No test uses it.'));
    return wrap;
  }
  function defDetail(index) {
    var g = graphIndex(), d = g.defs[index];
    var closure = closureOf(d[7]);
    var box = el('div', { class: 'detail', 'data-def': index, 'data-name': d[0] },
      el('h3', null, 'fixture ', el('code', { text: d[0] }), ' ', el('span', { class: 'badge scope', text: d[3] })),
      el('div', null, el('code', { text: d[1] + ':' + d[2] }), ' \u00b7 ' + d[4] + (d[5] ? ' \u00b7 autouse' : '') +
        ' \u00b7 used by ' + plural(d[6], 'test')),
      (g.byName[d[0]] || []).length > 1 ? el('div', { class: 'muted' }, 'other definitions of this name: ',
        g.byName[d[0]].filter(function (o) { return o !== index; }).map(function (o, i) {
          return [i ? ', ' : '', el('button', { class: 'link', type: 'button', text: g.defs[o][1] + ':' + g.defs[o][2],
            onclick: function () { openExplorer({ def: o }); } })];
        })) : null,
      el('h3', { text: 'Requests (its closure: ' + plural(closure.length, 'fixture') + ')' }),
      d[7].length ? requestTree(d[7], {}, 0) : el('span', { class: 'muted', text: '(nothing)' }),
      el('h3', { text: 'Requested by' }),
      g.requestedBy[index].length ? el('div', null, g.requestedBy[index].map(function (o, i) { return [i ? ', ' : '', defLink(o)]; })) :
        el('span', { class: 'muted', text: '(no fixture)' }),
      el('h3', { text: 'Tests that get it (' + fmt(g.users[index].length) + ')' }),
      usersList(g.users[index]));
    return box;
  }
  function testDetail(ti) {
    var g = graphIndex(), t = SCAN.tests[ti], entry = g.tests[ti] || [[], []];
    return el('div', { class: 'detail', 'data-test': t.nodeid },
      el('h3', null, 'test ', el('code', { text: t.nodeid }), ' ', el('span', { class: tierClass(t.tier), text: t.tier })),
      el('div', null, el('code', { text: t.path + ':' + t.line })),
      el('h3', { text: 'Why ' + t.tier }),
      t.evidence.length ? stringList(t.evidence) : el('span', { class: 'muted', text: 'no evidence of anything outside the process' }),
      el('h3', { text: 'Requests (closure: ' + plural(entry[1].length, 'fixture') + ')' }),
      entry[0].length ? requestTree(entry[0], {}, 0) : el('span', { class: 'muted', text: '(nothing)' }));
  }
  function buildFixtures(node) {
    var g = graphIndex();
    var query = el('input', { type: 'search', id: 'graph-search', placeholder: 'search a fixture or a test', autocomplete: 'off' });
    var all = el('input', { type: 'checkbox', id: 'graph-all' });
    var results = el('ul', { class: 'plain results', id: 'graph-results' });
    var detail = el('div', { id: 'graph-detail' }, empty('Search a fixture or a test, or pick a fixture below: its closure, its users and its scope show here.'));
    var tree = el('div', { id: 'graph-tree' });
    var hiddenCount = g.defs.filter(isHidden).length;
    append(node, section('Fixture graph', plural(g.defs.length, 'fixture definition') + ', ' + plural(g.tests.length, 'test') +
      '. Builtin and plugin fixtures that no test uses, and unused fixtures of the suite (' + fmt(hiddenCount) + '), are hidden until asked.'),
      el('div', { class: 'controls' }, query, el('label', null, all, ' show builtin, plugin and unused fixtures')),
      el('div', { class: 'explorer' }, el('div', null, results, el('h3', { text: 'Fixtures by folder' }), tree), detail));
    function select(what) {
      detail.textContent = '';
      if (what.test !== undefined) { detail.appendChild(testDetail(what.test)); }
      else if (what.def !== undefined) { detail.appendChild(defDetail(what.def)); }
      else if (what.name !== undefined) {
        var defs = g.byName[what.name] || [];
        if (!defs.length) detail.appendChild(empty('No fixture named ' + what.name + '.'));
        defs.forEach(function (d) { detail.appendChild(defDetail(d)); });
      }
      detail.scrollIntoView({ block: 'nearest' });
    }
    explorerState.select = select;
    function search() {
      var q = query.value.trim().toLowerCase();
      results.textContent = '';
      if (!q) return;
      var names = Object.keys(g.byName).filter(function (n) {
        return n.toLowerCase().indexOf(q) >= 0 && (all.checked || g.byName[n].some(function (d) { return !isHidden(g.defs[d]); }));
      }).sort(function (a, b) { return (a.toLowerCase() === q ? -1 : 0) - (b.toLowerCase() === q ? -1 : 0) || (a < b ? -1 : 1); });
      names.slice(0, 30).forEach(function (n) {
        var defs = g.byName[n];
        results.appendChild(el('li', null, el('button', { class: 'link', type: 'button', 'data-fixture': n, onclick: function () { select({ name: n }); } }, n),
          ' ', el('span', { class: 'muted', text: 'fixture \u00b7 ' + defs.map(function (d) { return g.defs[d][3]; }).join(', ') +
            ' \u00b7 ' + plural(defs.reduce(function (s, d) { return s + g.users[d].length; }, 0), 'test') })));
      });
      var tests = 0;
      for (var i = 0; i < SCAN.tests.length && tests < 30; i++) {
        if (SCAN.tests[i].nodeid.toLowerCase().indexOf(q) >= 0) {
          tests++;
          (function (ti) {
            results.appendChild(el('li', null, el('button', { class: 'link', type: 'button', 'data-test': SCAN.tests[ti].nodeid,
              onclick: function () { select({ test: ti }); } }, SCAN.tests[ti].nodeid), ' ', el('span', { class: 'muted', text: 'test' })));
          })(i);
        }
      }
      if (!results.childNodes.length) results.appendChild(empty('Nothing matches.'));
    }
    function buildTree() {
      tree.textContent = '';
      var folders = {}, outside = [];
      g.defs.forEach(function (d, i) {
        if (!all.checked && isHidden(d)) return;
        if (d[4] === 'builtin' || d[4] === 'plugin') outside.push(i);
        else (folders[folderOf(d[1])] = folders[folderOf(d[1])] || []).push(i);
      });
      function folderNode(label, ids) {
        var list = el('ul', { class: 'plain' });
        var details = el('details', { 'data-folder': label }, el('summary', null, el('code', { text: label }), ' ',
          el('span', { class: 'muted', text: plural(ids.length, 'fixture') })), list);
        details.addEventListener('toggle', function () {
          if (!details.open || list.childNodes.length) return;
          ids.sort(function (a, b) { return g.defs[a][0] < g.defs[b][0] ? -1 : 1; });
          pager(list, ids, function (d) {
            var def = g.defs[d];
            return el('li', null, defLink(d), ' ', el('span', { class: 'muted', text: def[3] + (def[5] ? ', autouse' : '') + ' \u00b7 ' + plural(def[6], 'test') }));
          }, 200).more();
        });
        return details;
      }
      Object.keys(folders).sort().forEach(function (f) { tree.appendChild(folderNode(f, folders[f])); });
      if (outside.length) tree.appendChild(folderNode('builtin and plugin fixtures', outside));
      if (!tree.childNodes.length) tree.appendChild(empty('No fixture.'));
    }
    query.addEventListener('input', debounce(search, 120));
    query.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { var first = results.querySelector('button'); if (first) first.click(); }
    });
    all.addEventListener('change', function () { buildTree(); search(); });
    buildTree();
    if (explorerState.pending) { select(explorerState.pending); explorerState.pending = null; }
  }

  /* ---- leaks ------------------------------------------------------------------- */
  function simpleTable(id, headers, rows) {
    if (!rows.length) return null;
    var body = el('tbody');
    var table = el('table', { id: id }, el('thead', null, el('tr', null, headers.map(function (h) {
      return el('th', { class: h.num ? 'num' : null, text: h.title || h });
    }))), body);
    var wrap = el('div', null, table);
    pager(body, rows, function (r) { return r; }, 100).more();
    return wrap;
  }
  function command(text) {
    var code = el('code', { class: 'code reproduce', text: text });
    var button = el('button', { type: 'button', text: 'copy', onclick: function () {
      try {
        navigator.clipboard.writeText(text).then(function () { button.textContent = 'copied'; }, function () { selectText(code); });
      } catch (e) { selectText(code); }
    } });
    return el('div', { class: 'cmd' }, code, button);
  }
  function selectText(node) {
    var range = document.createRange(); range.selectNodeContents(node);
    var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
  }
  function accessLines(entry) {
    var skip = { nodeid: 1, outcome: 1, name: 1, scope: 1, where: 1, setups: 1, setup_seconds: 1, teardown_seconds: 1, slowest: 1, more: 1 };
    var lines = [];
    Object.keys(entry).forEach(function (k) {
      if (skip[k]) return;
      var v = entry[k];
      lines.push(k + ': ' + (Array.isArray(v) ? v.join(', ') : String(v)));
    });
    if (entry.more) Object.keys(entry.more).forEach(function (k) { lines.push(k + ': ' + entry.more[k] + ' more'); });
    return lines;
  }
  function profileSection(profile) {
    var t = profile.thresholds || {};
    var parts = [el('h2', { text: 'Per-test profile' }),
      el('p', { class: 'muted', text: fmt(profile.tests) + ' tests profiled in ' + profile.seconds + ' s; slow \u2265 ' + t.slow + ' s, heavy \u2265 ' +
        t.heavy_mb + ' MB, \u2265 ' + t.statements + ' SQL statements, slow fixture \u2265 ' + t.slow_fixture + ' s.' })];
    var slow = (profile.slow || []).slice().sort(function (a, b) { return b.seconds - a.seconds; });
    parts.push(el('h3', { text: 'Slowest tests (' + slow.length + ')' }),
      simpleTable('profile-slow', ['test', { title: 'seconds', num: true }], slow.map(function (s) {
        return el('tr', null, el('td', null, el('code', { text: s.nodeid })), el('td', { class: 'num', text: s.seconds.toFixed(2) }));
      })) || empty('No test was slow.'));
    if ((profile.heavy || []).length) parts.push(el('h3', { text: 'Heaviest tests' }), simpleTable('profile-heavy', ['test', { title: 'peak MB', num: true }],
      profile.heavy.map(function (h) { return el('tr', null, el('td', null, el('code', { text: h.nodeid })), el('td', { class: 'num', text: h.peak_mb })); })));
    if ((profile.statements || []).length) parts.push(el('h3', { text: 'Most SQL statements' }), simpleTable('profile-statements', ['test', { title: 'statements', num: true }],
      profile.statements.map(function (h) { return el('tr', null, el('td', null, el('code', { text: h.nodeid })), el('td', { class: 'num', text: h.statements })); })));
    if ((profile.slow_fixtures || []).length) parts.push(el('h3', { text: 'Slow fixtures' }), simpleTable('profile-fixtures',
      ['fixture', 'scope', 'defined at', { title: 'setups', num: true }, { title: 'slowest s', num: true }],
      profile.slow_fixtures.map(function (f) {
        return el('tr', null, el('td', null, el('code', { text: f.name })), el('td', { text: f.scope }), el('td', null, el('code', { text: f.where })),
          el('td', { class: 'num', text: f.setups }), el('td', { class: 'num', text: Number(f.slowest).toFixed(2) }));
      })));
    var outside = (profile.external || []).map(function (e) {
      return el('tr', null, el('td', null, el('code', { text: e.nodeid })), el('td', null, stringList(accessLines(e))));
    }).concat((profile.external_fixtures || []).map(function (f) {
      return el('tr', null, el('td', null, 'fixture ', el('code', { text: f.name }), ' (' + f.scope + ', ' + f.where + ')'), el('td', null, stringList(accessLines(f))));
    }));
    parts.push(el('h3', { text: 'Reached outside the process (' + outside.length + ')' }),
      simpleTable('profile-outside', ['test or fixture', 'what'], outside) || empty('Nothing reached outside the process.'));
    (profile.notes || []).forEach(function (n) { parts.push(el('p', { class: 'muted', text: 'note: ' + n })); });
    return parts;
  }
  function buildLeaks(node) {
    if (!LEAKS) {
      append(node, section('Leaks', 'This scan has no leaks report: run `test-auditor leaks --format json -o leaks.json` and `scan --leaks leaks.json`.'));
      if (SCAN && SCAN.run) append(node, profileSection(SCAN.run.profile));
      return;
    }
    var L = LEAKS;
    append(node, section('Leaks', fmt(L.tests || 0) + ' tests, ' + fmt(L.test_executions) + ' test executions in ' + (L.processes || 0) +
      ' pytest runs, ' + (L.seconds || 0) + ' s, seed ' + L.seed + (L.shard ? ', shard ' + L.shard : '') + '.'));
    if (L.rerun) append(node, el('div', null, 'Rerun the hunt: ', command(L.rerun)));
    var filter = el('input', { type: 'search', id: 'pair-filter', placeholder: 'filter pairs by test or state' });
    var pairBox = el('div', { id: 'pairs' });
    append(node, el('h2', { text: 'Polluter \u2192 victim (' + (L.pairs || []).length + ')' }), el('div', { class: 'controls' }, filter), pairBox);
    function pairs() {
      var q = filter.value.trim().toLowerCase();
      var rows = (L.pairs || []).filter(function (p) {
        return !q || [p.polluter, p.victim].concat(p.state || []).join('\n').toLowerCase().indexOf(q) >= 0;
      }).map(function (p) {
        return el('tr', { class: 'pair', 'data-victim': p.victim, 'data-polluter': p.polluter },
          el('td', null, el('code', { text: p.polluter })), el('td', null, el('code', { text: p.victim })),
          el('td', null, stringList(p.state)), el('td', null, command(p.reproduce)), el('td', { text: p.found_by || '' }));
      });
      pairBox.textContent = '';
      append(pairBox, simpleTable('pair-table', ['polluter', 'victim', 'leaked state', 'reproduce', 'found by'], rows) ||
        empty((L.pairs || []).length ? 'No pair matches.' : 'No order-dependent pair found.'));
    }
    filter.addEventListener('input', debounce(pairs, 150));
    pairs();
    append(node, el('h2', { text: 'Brittle: pass only after another test (' + (L.brittle || []).length + ')' }),
      simpleTable('brittle', ['test', 'passes only after (state setters)', 'state it needs'], (L.brittle || []).map(function (b) {
        return el('tr', null, el('td', null, el('code', { text: b.nodeid })),
          el('td', null, b.state_setters.length ? stringList(b.state_setters) : el('span', { class: 'muted', text: '(no single test found)' })),
          el('td', null, stringList(b.state || [])));
      })) || empty('No brittle test.'));
    append(node, el('h2', { text: 'Flaky, not order-dependent (' + (L.flaky || []).length + ')' }),
      simpleTable('flaky', ['test', { title: 'failed', num: true }], (L.flaky || []).map(function (f, i) {
        return el('tr', null, el('td', null, el('code', { text: f.nodeid })),
          el('td', { class: 'num', text: (f.failures !== undefined ? f.failures + ' of ' + f.executions + ' ' : '') + '(' + (EXTRA.flaky_rates || [])[i] + ')' }));
      })) || empty('No flaky test.'));
    if ((L.cleaners || []).length) append(node, el('h2', { text: 'Cleaners (' + L.cleaners.length + ')' }),
      simpleTable('cleaners', ['test', 'undoes', 'for'], L.cleaners.map(function (c) {
        return el('tr', null, el('td', null, el('code', { text: c.nodeid })), el('td', null, stringList(c.state)),
          el('td', null, el('code', { text: c.polluter + ' \u2192 ' + c.victim })));
      })));
    [['Failing in every order and alone', L.failing], ['Order-dependent, cause not found', L.unresolved], ['Never ran', L.not_run]].forEach(function (s) {
      if (s[1] && s[1].length) append(node, el('h2', { text: s[0] + ' (' + s[1].length + ')' }), stringList(s[1]));
    });
    if ((L.crashed || []).length) append(node, el('h2', { text: 'Ended pytest early (' + L.crashed.length + ')' }),
      stringList(L.crashed.map(function (c) { return (c.nodeid || '(no test running)') + ': ' + (c.why || ''); })));
    if ((L.collection_errors || []).length) append(node, el('h2', { text: 'Not collected (' + L.collection_errors.length + ')' }),
      stringList(L.collection_errors.map(function (c) { return c.nodeid + ': ' + c.error; })));
    if ((L.files_restored || []).length) append(node, el('h2', { text: 'Files the suite changed in the project, put back (' + L.files_restored.length + ')' }),
      stringList(L.files_restored.map(function (r) {
        return r.path + ' ' + r.change + ' by the suite (' + r.run + '); ' + (r.restored ? 'restored' : 'could NOT be restored');
      })));
    if ((L.databases_restored || []).length) append(node, el('h2', { text: 'Database state the suite changed, put back (' + L.databases_restored.length + ')' }),
      stringList(L.databases_restored.map(function (r) {
        return 'database ' + r.database + ': ' + r.kind + ' ' + r.name + ' ' + r.change + ' (' + r.run + '); ' +
          (r.restored ? 'restored' : 'could NOT be put back' + (r.why ? ': ' + r.why : ''));
      })));
    var left = L.state_left_behind || [];
    append(node, el('h2', { text: 'State left behind (' + left.length + ' tests)' }),
      el('p', { class: 'muted', text: 'What each test changed and did not put back, whether or not it broke another test here.' }),
      simpleTable('state-left', ['test', 'state'], left.map(function (s) {
        return el('tr', null, el('td', null, el('code', { text: s.nodeid })), el('td', null, stringList(s.state)));
      })) || empty('No test left state behind.'));
    (L.notes || []).forEach(function (n) { append(node, el('p', { class: 'muted', text: 'note: ' + n })); });
    var profile = L.profile || (SCAN && SCAN.run ? SCAN.run.profile : null);
    if (profile) append(node, profileSection(profile));
  }

  /* ---- start ------------------------------------------------------------------- */
  var subtitle = document.getElementById('ta-subtitle');
  var root = (SCAN || LEAKS || {}).rootdir || '';
  subtitle.textContent = root + ' \u00b7 ' + (DATA.generator || 'test-auditor');
  if (SCAN) {
    addView('overview', 'Pyramid', SCAN.summary.tests, buildOverview);
    addView('tests', 'Tests', SCAN.tests.length, buildTests);
    addView('findings', 'Findings', SCAN.findings.length, buildFindings);
    addView('duplicates', 'Duplicates', SCAN.duplicates.length, buildDuplicates);
    addView('fixtures', 'Fixture graph', (EXTRA.graph || { defs: [] }).defs.filter(function (d) { return d[6] > 0; }).length, buildFixtures);
  }
  if (LEAKS || (SCAN && SCAN.run)) {
    addView('leaks', LEAKS ? 'Leaks' : 'Profile', LEAKS ? (LEAKS.pairs || []).length : null, buildLeaks);
  }
  var wanted = location.hash.slice(1);
  show(views.some(function (v) { return v.id === wanted; }) ? wanted : views[0].id);
  document.body.setAttribute('data-ready', 'true');
})();
