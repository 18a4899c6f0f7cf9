// chainrule playground: the page. Every number and formula comes from the server (the library the
// commands use); this file only lays out, draws and sends the editor's state.
'use strict';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
/** How long the editing must pause before a large network's flow is asked for. */
const FLOW_PAUSE_MS = 800;

const state = {
  text: '',
  wrt: null,
  sets: {},          // slider values: name -> number
  seed: null,        // "randomise weights": a seed the server draws from
  book: false,
  result: null,      // the last successful analysis
  pending: false,    // a request in flight
  dirty: false,      // the state changed while it was in flight
  editStart: null,   // performance.now() of the first change not yet shown
  version: 0,        // increases each time the page shows a new answer (tests wait on it)
  latencies: [],
  // where an edit's time went on the page: the editor's own work before the request (input), the
  // wait for the server's answer (server plus transfer), and showing it (render); the tests report them
  timing: null,
  start: null,
  flowTimer: null,   // a large network's flow, asked for when the editing pauses
};
window.chainrule = state;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function tex(target, latex) {
  try {
    katex.render(latex, target, { displayMode: true, throwOnError: false, strict: 'ignore', output: 'htmlAndMathml' });
  } catch (e) {
    target.textContent = latex;
  }
}

function query(extra) {
  const q = new URLSearchParams();
  if (state.wrt) q.append('wrt', state.wrt);
  if (state.book) q.append('notation', 'book');
  for (const [k, v] of Object.entries(state.sets)) q.append('set', k + '=' + v);
  if (state.seed !== null) q.append('random', String(state.seed));
  if (state.name) q.append('name', state.name);
  for (const [k, v] of Object.entries(extra || {})) q.append(k, v);
  return q.toString();
}

function status(text, error) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

// ---- the editor: a textarea over a backdrop that marks diagnostics, and a line-number gutter ----

function escapeHtml(s) {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
}

function renderGutter(diagnostics) {
  const text = $('source').value;
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const bad = new Set((diagnostics || []).map((d) => d.line));
  const g = $('gutter');
  // rebuilt only when the line count or the marked lines change (an edit of a number changes neither)
  const key = lines + ':' + [...bad].join(',');
  if (g.dataset.key === key) return;
  g.dataset.key = key;
  g.textContent = '';
  for (let i = 1; i <= lines; i++) {
    const d = el('div', { text: String(i) });
    if (bad.has(i)) { d.className = 'error'; d.title = 'error on line ' + i; }
    g.append(d);
  }
}

function codePointColumnToIndex(line, column) {
  // columns count code points, as the CLI's diagnostics do
  let i = 0;
  for (let c = 1; c < column && i < line.length; c++) {
    i += line.codePointAt(i) > 0xffff ? 2 : 1;
  }
  return i;
}

function renderBackdrop(diagnostics) {
  // The backdrop's text is transparent: only its marks show, placed by the text before them. With
  // no diagnostic there is nothing to show, and copying 800 KB of text into it at every edit of a
  // large network cost the page more than the server's answer.
  if (!diagnostics || diagnostics.length === 0) {
    if ($('backdrop').firstChild) $('backdrop').textContent = '';
    return;
  }
  const lines = $('source').value.split('\n');
  const marks = {};
  for (const d of diagnostics || []) (marks[d.line] = marks[d.line] || []).push(d);
  const html = lines.map((line, k) => {
    const ds = marks[k + 1];
    if (!ds) return escapeHtml(line);
    const d = ds[0];
    const from = codePointColumnToIndex(line, d.column);
    const to = Math.max(from + 1, codePointColumnToIndex(line, d.column + d.length));
    const marked = line.slice(from, to) || ' ';
    return escapeHtml(line.slice(0, from)) + '<mark class="diag" data-line="' + d.line + '" data-column="' + d.column + '">'
      + escapeHtml(marked) + '</mark>' + escapeHtml(line.slice(to));
  }).join('\n');
  $('backdrop').innerHTML = html + '\n';
}

function renderDiagnostics(diagnostics) {
  const list = $('diagnostics');
  list.textContent = '';
  for (const d of diagnostics || []) {
    const item = el('li', { class: 'diagnostic', 'data-line': d.line, 'data-column': d.column, text: d.rendered || d.header });
    item.addEventListener('click', () => jumpTo(d.line, d.column));
    list.append(item);
  }
  renderGutter(diagnostics);
  renderBackdrop(diagnostics);
}

function jumpTo(line, column) {
  const ta = $('source');
  const lines = ta.value.split('\n');
  let at = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
  at += codePointColumnToIndex(lines[line - 1] || '', column);
  ta.focus();
  ta.setSelectionRange(at, at);
}

/**
 * What the editor's size depends on, when the text alone decides it: the line count and the
 * longest line, for text of printable ASCII in the monospace font. Null (measure again) for tabs
 * or wider characters, whose width is not their count.
 */
function sizeKey(text) {
  let lines = 1, longest = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      longest = Math.max(longest, i - start);
      start = i + 1;
      lines++;
    } else if (c > 126 || c < 32) {
      return null;
    }
  }
  return lines + ':' + Math.max(longest, text.length - start);
}

function resizeEditor(event) {
  const ta = $('source');
  // Measuring forces a layout of the whole text (hundreds of milliseconds for 800 KB): skipped
  // when an edit leaves the line count and the longest line as they were (a number typed over).
  const key = event && event.type === 'resize' ? null : sizeKey(ta.value);
  if (key !== null && ta.dataset.sizeKey === key) return;
  ta.dataset.sizeKey = key === null ? '' : key;
  ta.style.height = '0px';
  ta.style.height = Math.max(ta.scrollHeight, $('editor').clientHeight - 2) + 'px';
  ta.style.width = '0px';
  ta.style.width = Math.max(ta.scrollWidth, $('editbox').clientWidth) + 'px';
}

// ---- talking to the server: one request at a time, the latest state always sent last ----

async function analyze() {
  if (state.pending) { state.dirty = true; return; }
  state.pending = true;
  state.dirty = false;
  const text = $('source').value;
  let answer;
  const asked = performance.now();
  try {
    const response = await fetch('/api/analyze?' + query(), { method: 'POST', body: text, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    answer = await response.json();
  } catch (e) {
    answer = { ok: false, error: 'the server does not answer: ' + e };
  }
  state.pending = false;
  state.answered = { asked, at: performance.now() };
  // A slider or followed parameter whose name the edited text no longer declares: the server names
  // it (with the CLI's --set/--wrt message); the text is what counts, so drop it and ask again.
  if (!answer.ok && answer.option === 'set' && answer.name in state.sets) {
    delete state.sets[answer.name];
    state.dirty = true;
  } else if (!answer.ok && answer.option === 'wrt' && state.wrt === answer.name) {
    state.wrt = null;
    state.dirty = true;
  }
  if (state.dirty) { analyze(); return; }
  show(answer);
}

function changed() {
  clearTimeout(state.flowTimer); // a deferred flow of the previous text is not wanted any more
  if (state.editStart === null) state.editStart = performance.now();
  analyze();
}

function show(answer) {
  const rendering = performance.now();
  if (answer.ok) {
    state.result = answer;
    if (answer.wrt) state.wrt = answer.wrt;
    renderDiagnostics([]);
    renderSliders(answer);
    renderGraph(answer);
    renderFormulas(answer);
    renderPaths(answer);
    renderGradient(answer);
    renderFlow(answer);
    renderParameters(answer);
  } else {
    renderDiagnostics(answer.diagnostics || []);
  }
  const now = performance.now();
  const latency = state.editStart === null ? null : now - state.editStart;
  if (latency !== null && state.answered) {
    state.timing = {
      input: Math.round(state.answered.asked - state.editStart),
      answer: Math.round(state.answered.at - state.answered.asked),
      render: Math.round(now - rendering),
    };
  }
  state.editStart = null;
  if (latency !== null) state.latencies.push(latency);
  state.lastLatency = latency;
  if (answer.ok) {
    status((latency === null ? '' : 'updated in ' + latency.toFixed(0) + ' ms') + ' (server ' + answer.millis.toFixed(0) + ' ms)');
  } else if (answer.error) {
    status(answer.error, true);
  } else {
    status((answer.diagnostics || []).length + ' error(s)', true);
  }
  state.version++;
  document.body.dataset.version = String(state.version);
  document.body.dataset.ok = String(!!answer.ok);
}

// ---- values ----

function renderSliders(r) {
  const box = $('sliders');
  // Rebuilt only when the declarations change: a slider being dragged must stay the same element.
  const key = JSON.stringify(r.declared.map((d) => [d.name, d.kind, d.shape || null]));
  if (box.dataset.key !== key) {
    box.dataset.key = key;
    box.textContent = '';
    state.sliders = {};
    for (const d of r.declared) {
      if (d.shape) {
        box.append(el('div', { class: 'vector', text: d.kind + ' ' + d.name + '[' + d.shape.join('×') + ']: edit in the text, or randomise' }));
        continue;
      }
      const name = el('span', { class: 'name', title: d.kind, text: d.name });
      const range = el('input', { type: 'range', step: 'any', 'data-name': d.name, 'aria-label': d.name });
      const number = el('input', { type: 'number', step: '0.01', 'data-name': d.name, 'aria-label': d.name + ' value' });
      range.addEventListener('input', () => { number.value = range.value; setValue(d.name, Number(range.value), name); });
      number.addEventListener('input', () => {
        if (number.value === '' || !isFinite(Number(number.value))) return;
        range.value = number.value;
        setValue(d.name, Number(number.value), name);
      });
      box.append(el('span', {}, name, ' ', el('span', { class: 'kind', text: d.kind })), range, number);
      state.sliders[d.name] = { name, range, number };
    }
  }
  for (const d of r.declared) {
    const s = state.sliders[d.name];
    if (!s) continue;
    s.name.classList.toggle('changed', d.name in state.sets);
    if (document.activeElement === s.range || document.activeElement === s.number) continue;
    const missing = d.value === null || d.value === undefined;
    const value = missing ? 0 : d.value;
    const span = Math.max(1, Math.ceil(Math.abs(value) * 2));
    s.range.min = -span;
    s.range.max = span;
    s.range.value = value;
    s.number.value = missing ? '' : value;
  }
}

function setValue(name, value, label) {
  state.sets[name] = value;
  label.classList.add('changed');
  changed();
}

// ---- the graph: the server's layered layout, drawn left to right ----

const COLUMN = 150, ROW = 46, BOX_H = 26;

function nodeLabel(v) { return state.book ? v.book : v.name; }

function renderGraph(r) {
  const box = $('graph');
  box.textContent = '';
  if (!r.graph) {
    box.append(el('div', { class: 'toolarge', text: r.vertexCount.toLocaleString() + ' vertices: too many to draw. '
      + 'Follow one parameter (the box above) to list its paths; the layer forms are under Gradient.' }));
    return;
  }
  const g = r.graph;
  const perLayer = {};
  for (const v of g.vertices) perLayer[v.layer] = (perLayer[v.layer] || 0) + 1;
  const width = 40 + g.layers * COLUMN, height = 24 + g.rows * ROW;
  const s = svg('svg', { width, height, viewBox: '0 0 ' + width + ' ' + height, id: 'graph-svg' });
  const pos = {};
  for (const v of g.vertices) {
    const offset = (g.rows - perLayer[v.layer]) * ROW / 2;
    pos[v.name] = { x: 20 + v.layer * COLUMN + (COLUMN - 30) / 2, y: 12 + offset + v.row * ROW + ROW / 2 };
  }
  const onPath = new Set(((r.paths && r.paths.edges) || []).map((e) => e[0] + '\u0000' + e[1]));
  const edges = svg('g', {});
  const tip = $('tip');
  for (const e of g.edges) {
    const a = pos[e.from], b = pos[e.to];
    const x1 = a.x + 50, x2 = b.x - 50, mid = (x1 + x2) / 2;
    const d = 'M' + x1 + ',' + a.y + ' C' + mid + ',' + a.y + ' ' + mid + ',' + b.y + ' ' + x2 + ',' + b.y;
    const line = svg('path', { d, class: 'edge' + (onPath.has(e.from + '\u0000' + e.to) ? ' hl' : ''), 'data-from': e.from, 'data-to': e.to });
    const hit = svg('path', { d, class: 'hit' });
    const title = svg('title', {});
    const text = '∂' + e.to + '/∂' + e.from + ' = ' + e.factor + (e.valueText !== undefined ? ' = ' + e.valueText : '')
      + '   (' + (state.book ? e.bookRole : e.role) + ')';
    title.textContent = text;
    hit.append(title);
    hit.addEventListener('mousemove', (ev) => {
      tip.hidden = false;
      tip.textContent = text;
      tip.style.left = (ev.clientX + 14) + 'px';
      tip.style.top = (ev.clientY + 10) + 'px';
      line.classList.add('hover');
    });
    hit.addEventListener('mouseleave', () => { tip.hidden = true; line.classList.remove('hover'); });
    edges.append(line, hit);
  }
  s.append(edges);
  for (const v of g.vertices) {
    const p = pos[v.name];
    const kind = v.name === r.loss ? 'loss' : v.kind;
    const node = svg('g', { class: 'node ' + kind + (v.name === state.wrt ? ' selected' : ''), 'data-name': v.name, transform: 'translate(' + p.x + ',' + p.y + ')' });
    const label = nodeLabel(v);
    const w = Math.max(60, Math.min(110, 14 + label.length * 7.5));
    node.append(svg('rect', { x: -w / 2, y: -BOX_H / 2, width: w, height: BOX_H, rx: 6 }));
    const t = svg('text', {});
    t.textContent = label;
    node.append(t);
    const title = svg('title', {});
    title.textContent = v.kind + ' ' + v.name + (v.value !== undefined ? ' = ' + v.value : '');
    node.append(title);
    if (v.kind === 'weight' || v.kind === 'bias') {
      node.addEventListener('click', () => follow(v.name));
    }
    s.append(node);
  }
  box.append(s);
}

function follow(name) {
  state.wrt = name;
  $('wrt').value = name;
  changed();
}

function renderParameters(r) {
  const list = $('parameters');
  if (list.dataset.key === r.parameters.join(',')) { $('wrt').value = state.wrt || ''; return; }
  list.dataset.key = r.parameters.join(',');
  list.textContent = '';
  for (const p of r.parameters) list.append(el('option', { value: p }));
  $('wrt').value = state.wrt || '';
}

// ---- formulas (KaTeX), the path table, the gradient ----

function renderFormulas(r) {
  const box = $('formulas');
  box.textContent = '';
  if (!r.paths) { box.append(el('p', { text: 'no parameters' })); return; }
  const f = r.paths.formula;
  const main = el('div', { id: 'formula-main', 'data-wrt': r.wrt });
  tex(main, f.lhs + ' = ' + f.latex);
  box.append(main);
  if (f.valueLatex) {
    const value = el('div', { id: 'formula-value', 'data-value': String(f.value), 'data-text': f.valueText });
    tex(value, f.lhs + ' = ' + f.valueLatex);
    box.append(value);
  }
  for (const d of f.deltas) {
    const e = el('div', { class: 'delta' });
    tex(e, '\\text{where } ' + d.latex + (d.valueLatex ? ' = ' + d.valueLatex : ''));
    box.append(e);
  }
  box.append(el('p', { class: 'plain', text: '∂' + r.loss + '/∂' + r.wrt + ' = ' + f.text + (f.valueText ? '  = ' + f.valueText : '') }));
}

function renderPaths(r) {
  const box = $('paths');
  box.textContent = '';
  if (!r.paths) return;
  const p = r.paths;
  $('pathcount').textContent = '∂' + r.loss + '/∂' + p.wrt + ': ' + p.count + (p.count === 1 ? ' path' : ' paths')
    + (p.truncated ? ' (showing the first ' + p.paths.length + ')' : '');
  const table = el('table', { id: 'path-table' });
  table.append(el('tr', {}, el('th', { text: '#' }), el('th', { text: 'path' }),
    el('th', { text: state.book ? 'factors (나 액 웨 ∂L/∂나)' : 'factors (input, activation, weight, loss)' }), el('th', { text: 'product' })));
  p.paths.forEach((path, i) => {
    const shown = p.shown[i];
    const names = path.nodes.map((n) => state.book ? (p.bookNames[n] || n) : n);
    const factors = el('div', { class: 'factors' });
    path.factors.forEach((f, k) => {
      const role = state.book ? f.book : f.role;
      factors.append(el('span', { class: 'factor' },
        el('span', { class: 'role ' + f.role, text: role }),
        el('span', { class: 'expr', text: shown.factors[k].text }),
        el('span', { class: 'num', text: shown.factors[k].valueText || '' })));
    });
    const row = el('tr', { class: 'path-row', 'data-nodes': JSON.stringify(path.nodes) },
      el('td', { text: String(i + 1) }), el('td', { class: 'route', text: names.join(' → ') }),
      el('td', {}, factors), el('td', { class: 'product', text: shown.valueText }));
    row.addEventListener('mouseenter', () => hoverPath(path.nodes, true));
    row.addEventListener('mouseleave', () => hoverPath(path.nodes, false));
    table.append(row);
  });
  box.append(table);
  if (p.value !== undefined && !p.truncated) {
    box.append(el('p', { class: 'plain', text: 'sum over ' + p.paths.length + (p.paths.length === 1 ? ' path' : ' paths') + ' = ' + (p.formula.valueText || '') }));
  }
}

function hoverPath(nodes, on) {
  for (let i = 0; i + 1 < nodes.length; i++) {
    const e = document.querySelector('#graph-svg path.edge[data-from="' + CSS.escape(nodes[i]) + '"][data-to="' + CSS.escape(nodes[i + 1]) + '"]');
    if (e) e.classList.toggle('path-hover', on);
  }
}

function renderGradient(r) {
  const box = $('gradient');
  box.textContent = '';
  if (r.layerForms) {
    $('gradient-title').textContent = 'Gradient by layers (grad)';
    box.append(el('pre', { id: 'layer-forms', text: r.layerForms }));
    return;
  }
  $('gradient-title').textContent = 'Gradient (grad)';
  if (!r.gradient) {
    box.append(el('p', { text: 'no numbers: ' + (r.missing_values || []).join(', ') + ' have no value' }));
    return;
  }
  const table = el('table', { id: 'gradient-table' });
  table.append(el('tr', {}, el('td', { text: r.loss }), el('td', { text: r.lossText })));
  for (const [name, [, text]] of Object.entries(r.gradient)) {
    const row = el('tr', { 'data-name': name }, el('td', { text: '∂' + r.loss + '/∂' + name }), el('td', { text }));
    row.addEventListener('click', () => follow(name));
    table.append(row);
  }
  box.append(table);
}

// ---- the flow chart: magnitudes per depth on a log scale ----

function flowChart(layers, title) {
  const W = 380, H = 240, L = 46, B = 48, T = 22;
  const s = svg('svg', { width: W, height: H, class: 'flowchart' });
  const series = [
    ['act', '#c15b00', '|액|'], ['weight', '#a07700', '|웨|'], ['product', '#7a4cc0', '|액·웨|'], ['accumulated', '#d1006b', 'accumulated'],
  ];
  const value = (l, key) => key === 'accumulated' ? l.accumulated : (l[key] ? l[key].median : null);
  const all = [];
  for (const l of layers) for (const [k] of series) { const v = value(l, k); if (v > 0) all.push(Math.log10(v)); }
  if (!all.length) { const t = svg('text', { x: 10, y: 20 }); t.textContent = 'no flow to show'; s.append(t); return s; }
  let lo = Math.floor(Math.min(...all)), hi = Math.ceil(Math.max(...all));
  if (hi === lo) { hi += 1; lo -= 1; }
  const x = (i) => L + (layers.length === 1 ? (W - L - 10) / 2 : i * (W - L - 20) / (layers.length - 1));
  const y = (v) => T + (hi - v) * (H - T - B) / (hi - lo);
  const head = svg('text', { x: L, y: 14, class: 'title' }); head.textContent = title; s.append(head);
  for (let e = lo; e <= hi; e++) {
    s.append(svg('line', { x1: L, x2: W - 8, y1: y(e), y2: y(e), stroke: '#e3e6ec' }));
    const t = svg('text', { x: 4, y: y(e) + 3 }); t.textContent = '1e' + e; s.append(t);
  }
  layers.forEach((l, i) => { const t = svg('text', { x: x(i) - 3, y: H - B + 14 }); t.textContent = String(l.depth); s.append(t); });
  const xt = svg('text', { x: W / 2 - 20, y: H - B + 26 }); xt.textContent = 'depth'; s.append(xt);
  series.forEach(([k, color, name], j) => {
    const pts = [];
    layers.forEach((l, i) => { const v = value(l, k); if (v > 0) pts.push([x(i), y(Math.log10(v))]); });
    if (pts.length) s.append(svg('polyline', { points: pts.map((p) => p.join(',')).join(' '), fill: 'none', stroke: color, 'stroke-width': 2 }));
    for (const p of pts) s.append(svg('circle', { cx: p[0], cy: p[1], r: 2.5, fill: color }));
    const t = svg('text', { x: L + j * 80, y: H - 5, fill: color }); t.textContent = name; t.setAttribute('style', 'fill:' + color); s.append(t);
  });
  return s;
}

function currentTitle() {
  const ex = $('examples');
  return ex.value ? ex.options[ex.selectedIndex].text : (state.start && state.start.file) || 'this network';
}

function renderFlow(r) {
  const box = $('flow');
  box.textContent = '';
  clearTimeout(state.flowTimer);
  if (r.flowDeferred) {
    // a large network: the flow (seconds at 784-128-10) is asked for after the formulas, and only
    // once the editing pauses, so that it does not take the server's time from the next edit
    box.append(el('p', { text: 'computing the flow…' }));
    const version = state.version + 1;
    state.flowTimer = setTimeout(() => {
      if (state.version !== version || state.pending || state.editStart !== null) return;
      fetch('/api/analyze?' + query({ part: 'flow' }), { method: 'POST', body: $('source').value })
        .then((response) => response.json())
        .then((answer) => {
          if (state.version !== version || !answer.flow) return;
          r.flow = answer.flow;
          box.textContent = '';
          box.append(flowChart(answer.flow.layers, currentTitle()));
        });
    }, FLOW_PAUSE_MS);
    return;
  }
  if (!r.flow) { box.append(el('p', { text: 'the flow needs every value' })); return; }
  box.append(flowChart(r.flow.layers, currentTitle()));
}

// ---- downloads, save, examples ----

async function download(path, extra, filename) {
  status('preparing ' + filename + ' …');
  const response = await fetch(path + '?' + query(extra), { method: 'POST', body: $('source').value });
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error; } catch (e) { /* not JSON */ }
    status(message, true);
    return;
  }
  const blob = await response.blob();
  const a = el('a', { href: URL.createObjectURL(blob), download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  status('downloaded ' + filename);
}

function baseName() {
  const file = (state.start && state.start.file) || ($('examples').value ? $('examples').value + '.nn' : 'network.nn');
  return file.replace(/^.*[\\/]/, '').replace(/\.nn$/, '');
}

async function save() {
  if (state.fromExample && !window.confirm('The editor holds an example; write it over ' + state.start.file + '?')) return;
  const response = await fetch('/api/save?' + query(), { method: 'POST', body: $('source').value });
  const answer = await response.json();
  if (!answer.ok) { status(answer.error, true); return; }
  setText(answer.text);
  state.fromExample = false;
  state.sets = {};
  state.seed = null;
  status('saved ' + answer.saved);
  changed();
}

function setText(text) {
  $('source').value = text;
  resizeEditor();
  renderGutter([]);
  renderBackdrop([]);
}

async function loadExample(id) {
  if (!id) return;
  const response = await fetch('/api/example?id=' + encodeURIComponent(id));
  setText(await response.text());
  state.sets = {};
  state.seed = null;
  state.wrt = null;
  state.fromExample = true;
  const example = state.start.examples.find((e) => e.id === id);
  state.name = example ? example.file : null;
  changed();
}

async function init() {
  const start = await (await fetch('/api/start')).json();
  state.start = start;
  for (const e of start.examples) $('examples').append(el('option', { value: e.id, text: e.title }));
  $('dl-pdf').hidden = !start.pdflatex;
  if (start.file) {
    $('filename').textContent = start.file;
    $('save').hidden = false;
  }
  if (start.error || start.note) status(start.error || start.note, !!start.error);
  const ta = $('source');
  ta.addEventListener('input', () => {
    // an edit starts here: the editor's own work counts in the time to updated formulas
    if (state.editStart === null) state.editStart = performance.now();
    resizeEditor();
    renderGutter(null);
    changed();
  });
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Tab') { e.preventDefault(); document.execCommand('insertText', false, '    '); }
  });
  $('examples').addEventListener('change', () => loadExample($('examples').value));
  $('book').addEventListener('change', () => { state.book = $('book').checked; changed(); });
  $('wrt').addEventListener('change', () => { if ($('wrt').value) follow($('wrt').value); });
  $('randomise').addEventListener('click', () => { state.seed = Math.floor(Math.random() * 1e9); state.sets = {}; changed(); });
  $('reset').addEventListener('click', () => { state.seed = null; state.sets = {}; changed(); });
  $('save').addEventListener('click', save);
  $('pin').addEventListener('click', () => {
    const pinned = $('pinned');
    pinned.textContent = '';
    if (state.result && state.result.flow) pinned.append(flowChart(state.result.flow.layers, 'pinned: ' + currentTitle()));
  });
  $('dl-tex').addEventListener('click', () => download('/api/latex', {}, baseName() + '.tex'));
  $('dl-pdf').addEventListener('click', () => download('/api/pdf', {}, baseName() + '.pdf'));
  $('dl-nn').addEventListener('click', () => download('/api/nn', {}, baseName() + '.nn'));
  $('dl-code').addEventListener('click', () => {
    const lang = $('dl-lang').value;
    download('/api/code', { lang }, lang === 'java' ? 'ChainruleGradient.java' : baseName() + (lang === 'c' ? '.c' : '.py'));
  });
  window.addEventListener('resize', resizeEditor);
  if (start.file) {
    setText(start.text || '');
    changed();
  } else {
    $('examples').value = 'mazur';
    loadExample('mazur');
  }
}

document.addEventListener('DOMContentLoaded', init);
