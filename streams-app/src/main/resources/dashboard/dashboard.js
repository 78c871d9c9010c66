// Retina dashboard: renders the snapshot, then applies live Server-Sent Events. No libraries, no external requests.
'use strict';
(function () {
  const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#4b5563', '#ea580c'];
  const state = { thumbnails: 48, images: [], ticks: [], dlqCounts: {}, dlqLatest: [], model: null, instance: null,
                  windows: [], statsStatus: '', statsTopic: '' };
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    if (attrs) { for (const k of Object.keys(attrs)) { e.setAttribute(k, attrs[k]); } }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function fmt(n, digits) { return (n === null || n === undefined || Number.isNaN(n)) ? '–' : Number(n).toFixed(digits); }
  function time(ms) { return new Date(ms).toLocaleTimeString(); }

  // ---- snapshot and events ----
  function applySnapshot(s) {
    state.thumbnails = s.thumbnails;
    state.images = s.images.slice();
    state.ticks = s.ticks.slice();
    state.dlqCounts = s.deadLetters.counts;
    state.dlqLatest = s.deadLetters.latest.slice();
    state.model = s.model;
    state.instance = s.instance;
    state.windows = s.stats.windows.slice();
    state.statsStatus = s.stats.status;
    state.statsTopic = s.stats.topic;
    renderAll();
  }
  // Events can arrive hundreds of times a second: panels are redrawn at most once per animation frame (and not
  // at all while the tab is hidden, when browsers pause animation frames; the state stays bounded meanwhile).
  const dirty = new Set();
  let frameRequested = false;
  function later(render) {
    dirty.add(render);
    if (!frameRequested) {
      frameRequested = true;
      requestAnimationFrame(() => {
        frameRequested = false;
        const renders = Array.from(dirty);
        dirty.clear();
        renders.forEach((r) => r());
      });
    }
  }
  function renderAll() { renderImages(); renderTicks(); renderDeadLetters(); renderModel(); renderInstance(); renderStats(); }

  function onImage(card) {
    state.images.push(card);
    while (state.images.length > state.thumbnails) { state.images.shift(); }
    later(renderImages);
  }
  function onTick(t) {
    state.ticks.push(t);
    while (state.ticks.length > 300) { state.ticks.shift(); }
    later(renderTicks);
  }
  function onDeadLetter(d) {
    state.dlqCounts = d.counts;
    for (const e of d.latest) { state.dlqLatest.push(e); }
    while (state.dlqLatest.length > 20) { state.dlqLatest.shift(); }
    later(renderDeadLetters);
  }
  function onStats(s) {
    state.statsStatus = s.status;
    state.statsTopic = s.topic;
    for (const w of s.windows) {
      state.windows = state.windows.filter((x) => !(x.windowStart === w.windowStart && x.modelVersion === w.modelVersion && x.modelName === w.modelName));
      state.windows.push(w);
    }
    state.windows.sort((a, b) => a.windowStart - b.windowStart || (a.modelVersion < b.modelVersion ? -1 : 1));
    while (state.windows.length > 60) { state.windows.shift(); }
    later(renderStats);
  }

  // ---- panels ----
  function renderImages() {
    const box = $('images');
    box.replaceChildren();
    for (let i = state.images.length - 1; i >= 0; i--) {
      const c = state.images[i];
      const wrong = c.groundTruth && c.label && c.groundTruth !== c.label;
      const card = el('div', { class: 'image-card' + (wrong ? ' wrong' : ''), 'data-image-id': c.imageId, 'data-version': c.modelVersion });
      if (c.thumbnail) {
        card.appendChild(el('img', { src: c.thumbnail, alt: c.label || 'image', width: '96', height: '96' }));
      } else {
        card.appendChild(el('div', { class: 'no-thumb', title: c.thumbError || '' }, 'no thumbnail'));
      }
      card.appendChild(el('div', { class: 'label', title: c.label }, c.label));
      card.appendChild(el('div', { class: 'meta' }, fmt(c.score * 100, 1) + '% · v' + c.modelVersion));
      card.appendChild(el('div', { class: 'meta' }, fmt(c.endToEndMillis, 0) + ' ms' + (c.groundTruth ? ' · truth ' + c.groundTruth : '')));
      card.title = c.imageId + ' (partition ' + c.partition + ', offset ' + c.offset + ')';
      box.appendChild(card);
    }
  }

  function renderTicks() {
    const t = state.ticks;
    const last = t.length ? t[t.length - 1] : null;
    $('rate').textContent = last ? fmt(last.imagesPerSecond, 1) + ' img/s' : '–';
    lineChart($('chart-throughput'), t.map((x) => x.at), [t.map((x) => x.imagesPerSecond)], { unit: 'img/s' });
    lineChart($('chart-latency'), t.map((x) => x.at),
      [t.map((x) => x.p50Millis), t.map((x) => x.p99Millis), t.map((x) => x.inferenceP50Millis)], { unit: 'ms' });
  }

  function renderDeadLetters() {
    const body = $('dlq-counts').tBodies[0];
    body.replaceChildren();
    const reasons = Object.keys(state.dlqCounts).sort();
    if (!reasons.length) {
      const tr = el('tr'); tr.appendChild(el('td', { class: 'muted' }, 'none so far')); body.appendChild(tr);
    }
    for (const r of reasons) {
      const tr = el('tr', { 'data-reason': r });
      tr.appendChild(el('td', { class: 'reason' }, r));
      tr.appendChild(el('td', { class: 'count' }, state.dlqCounts[r]));
      body.appendChild(tr);
    }
    const list = $('dlq-latest');
    list.replaceChildren();
    for (let i = state.dlqLatest.length - 1; i >= 0; i--) {
      const d = state.dlqLatest[i];
      const li = el('li', { 'data-reason': d.reason });
      li.appendChild(el('span', { class: 'reason' }, d.reason));
      li.appendChild(el('span', { class: 'where' }, d.topic + '/' + d.partition + '@' + d.offset + ' · ' + d.stage + ' · ' + time(d.failedAt) + ' '));
      li.appendChild(el('div', null, d.message));
      list.appendChild(li);
    }
  }

  function renderModel() {
    const m = state.model;
    if (!m) { return; }
    $('model-version').textContent = m.version ? m.name + ':' + m.version : 'no model';
    const s = $('model-summary');
    s.replaceChildren();
    s.appendChild(el('div', { class: 'big', id: 'model-active' }, m.version ? m.name + ' version ' + m.version : 'no model loaded'));
    s.appendChild(el('div', { class: 'muted' }, (m.sha256 ? 'sha256 ' + m.sha256.substring(0, 16) + '… · ' : '')
      + (m.reloading ? 'hot reload on' : 'fixed model (model.dir)') + (m.pinned ? ' · pinned to ' + m.pinned : '')));
    const body = $('model-history').tBodies[0];
    body.replaceChildren();
    for (let i = m.history.length - 1; i >= 0; i--) {
      const e = m.history[i];
      const tr = el('tr', { 'data-outcome': e.outcome });
      tr.appendChild(el('td', null, time(e.at)));
      tr.appendChild(el('td', null, e.version || '–'));
      tr.appendChild(el('td', { class: 'outcome-' + e.outcome }, e.outcome + (e.reason ? ' (' + e.reason + ')' : '')));
      tr.appendChild(el('td', null, e.message + (e.origin ? ' — ' + e.origin : '')));
      body.appendChild(tr);
    }
  }

  function renderInstance() {
    const i = state.instance;
    if (!i) { return; }
    $('instance-id').textContent = i.instanceId;
    const s = $('instance-summary');
    s.replaceChildren(el('div', null, 'instance ' + i.instanceId + ' of application ' + i.applicationId + ' · Kafka Streams ' + i.streamsState));
    // Internal topics (repartition, changelog) are named after the application id: listed as a count only.
    const internal = (p) => p.startsWith(i.applicationId + '-');
    const describe = (parts) => {
      const inputs = parts.filter((p) => !internal(p));
      const others = parts.length - inputs.length;
      return (inputs.join(', ') || 'no input partitions') + (others ? ' (+ ' + others + ' internal)' : '');
    };
    const threads = $('instance-threads');
    threads.replaceChildren();
    for (const t of i.threads) {
      const d = el('div', { class: 'thread' });
      d.appendChild(el('code', null, t.name));
      d.appendChild(document.createTextNode(' ' + t.state + ' · active: ' + describe(t.activePartitions)
        + (t.standbyPartitions.length ? ' · standby: ' + describe(t.standbyPartitions) : '')));
      threads.appendChild(d);
    }
    const members = $('instance-members');
    members.replaceChildren();
    for (const m of i.members) {
      const d = el('div', { class: 'member' });
      d.appendChild(el('code', null, m.clientId));
      d.appendChild(document.createTextNode(' ' + m.host + ' · ' + describe(m.partitions)));
      members.appendChild(d);
    }
    if (i.groupNote) { members.appendChild(el('div', { class: 'muted' }, i.groupNote)); }
  }

  function renderStats() {
    $('stats-status').textContent = state.statsTopic + ': ' + state.statsStatus;
    const w = state.windows;
    const labels = [];
    for (const x of w) { for (const l of Object.keys(x.classCounts)) { if (!labels.includes(l)) { labels.push(l); } } }
    labels.sort();
    stackedBars($('chart-classes'), w, labels);
    const legend = $('classes-legend');
    legend.replaceChildren();
    labels.forEach((l, k) => { legend.appendChild(el('span', { class: 'swatch', style: 'background:' + COLORS[k % COLORS.length] })); legend.appendChild(document.createTextNode(l)); });
    const xs = w.map((x) => x.windowStart);
    const drift = w.map((x) => x.drift);
    lineChart($('chart-confidence'), xs, [w.map((x) => x.confidenceMean), w.map((x) => x.confidenceP50), w.map((x) => x.confidenceP95)], { min: 0, max: 1, drift: drift });
    lineChart($('chart-accuracy'), xs, [w.map((x) => x.accuracy)], { min: 0, max: 1, drift: drift });
    const body = $('stats-windows').tBodies[0];
    body.replaceChildren();
    for (let i = w.length - 1; i >= Math.max(0, w.length - 12); i--) {
      const x = w[i];
      const top = Object.keys(x.classCounts)[0];
      const tr = el('tr', { class: x.drift ? 'drift' : '', 'data-drift': String(x.drift) });
      tr.appendChild(el('td', null, time(x.windowStart) + '–' + time(x.windowEnd)));
      tr.appendChild(el('td', null, x.modelName + ':' + x.modelVersion));
      tr.appendChild(el('td', null, x.count));
      tr.appendChild(el('td', null, top ? top + ' (' + x.classCounts[top] + ')' : '–'));
      tr.appendChild(el('td', null, fmt(x.confidenceMean, 3)));
      tr.appendChild(el('td', null, x.accuracy === null ? '–' : fmt(x.accuracy * 100, 1) + '%'));
      tr.appendChild(el('td', null, fmt(x.psiClass, 3)));
      tr.appendChild(el('td', { class: x.drift ? 'drift-flag' : '' }, x.drift ? 'DRIFT' : (x.psiClass === null ? 'no reference' : 'ok')));
      body.appendChild(tr);
    }
  }

  // ---- charts (canvas) ----
  function frame(canvas) {
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.font = '11px system-ui, sans-serif';
    return ctx;
  }
  function lineChart(canvas, xs, series, opts) {
    const ctx = frame(canvas);
    const W = canvas.width, H = canvas.height, L = 46, R = 8, T = 8, B = 18;
    const values = [];
    for (const s of series) { for (const v of s) { if (v !== null && Number.isFinite(v)) { values.push(v); } } }
    const min = opts.min !== undefined ? opts.min : 0;
    let max = opts.max !== undefined ? opts.max : Math.max(1e-9, ...values) * 1.1;
    if (!(max > min)) { max = min + 1; }
    const n = xs.length;
    const x = (i) => L + (n <= 1 ? (W - L - R) / 2 : i * (W - L - R) / (n - 1));
    const y = (v) => T + (H - T - B) * (1 - (v - min) / (max - min));
    if (opts.drift) {
      ctx.fillStyle = 'rgba(220, 38, 38, 0.15)';
      const half = n <= 1 ? 10 : (W - L - R) / (n - 1) / 2;
      opts.drift.forEach((d, i) => { if (d) { ctx.fillRect(x(i) - half, T, 2 * half, H - T - B); } });
    }
    ctx.strokeStyle = '#e3e6eb'; ctx.fillStyle = '#6b7280'; ctx.lineWidth = 1;
    for (let k = 0; k <= 4; k++) {
      const v = min + (max - min) * k / 4;
      ctx.beginPath(); ctx.moveTo(L, y(v)); ctx.lineTo(W - R, y(v)); ctx.stroke();
      ctx.fillText(fmt(v, max - min < 10 ? 2 : 0), 2, y(v) + 4);
    }
    if (n) {
      ctx.fillText(time(xs[0]), L, H - 4);
      const lastLabel = time(xs[n - 1]);
      ctx.fillText(lastLabel, W - R - ctx.measureText(lastLabel).width, H - 4);
    } else {
      ctx.fillText('no data yet', L + 8, T + 16);
    }
    series.forEach((s, k) => {
      ctx.strokeStyle = COLORS[k % COLORS.length]; ctx.lineWidth = 1.6; ctx.beginPath();
      let pen = false;
      s.forEach((v, i) => {
        if (v === null || !Number.isFinite(v)) { pen = false; return; }
        if (pen) { ctx.lineTo(x(i), y(v)); } else { ctx.moveTo(x(i), y(v)); pen = true; }
        if (n <= 2) { ctx.fillStyle = COLORS[k % COLORS.length]; ctx.fillRect(x(i) - 2, y(v) - 2, 4, 4); }
      });
      ctx.stroke();
    });
  }
  function stackedBars(canvas, windows, labels) {
    const ctx = frame(canvas);
    const W = canvas.width, H = canvas.height, L = 8, R = 8, T = 8, B = 18;
    if (!windows.length) { ctx.fillStyle = '#6b7280'; ctx.fillText('no windows yet', L + 8, T + 16); return; }
    const slot = (W - L - R) / windows.length;
    const bw = Math.max(2, slot * 0.8);
    windows.forEach((w, i) => {
      const total = Math.max(1, w.count);
      let top = H - B;
      const x0 = L + i * slot + (slot - bw) / 2;
      labels.forEach((l, k) => {
        const c = w.classCounts[l] || 0;
        const h = (H - T - B) * c / total;
        ctx.fillStyle = COLORS[k % COLORS.length];
        ctx.fillRect(x0, top - h, bw, h);
        top -= h;
      });
      if (w.drift) { ctx.strokeStyle = '#c81e1e'; ctx.lineWidth = 2; ctx.strokeRect(x0 - 1, T, bw + 2, H - T - B); }
    });
    ctx.fillStyle = '#6b7280';
    ctx.fillText(time(windows[0].windowStart), L, H - 4);
  }

  // ---- connection ----
  function connected(on, text) {
    $('connection').className = 'dot ' + (on ? 'on' : 'off');
    $('connection-text').textContent = text;
  }
  let source = null;
  let streamed = false;
  function connect() {
    source = new EventSource('/events');
    source.addEventListener('open', () => connected(true, 'live'));
    source.addEventListener('snapshot', (e) => { streamed = true; applySnapshot(JSON.parse(e.data)); });
    source.addEventListener('image', (e) => onImage(JSON.parse(e.data)));
    source.addEventListener('tick', (e) => onTick(JSON.parse(e.data)));
    source.addEventListener('dead-letter', (e) => onDeadLetter(JSON.parse(e.data)));
    source.addEventListener('model', (e) => { state.model = JSON.parse(e.data); later(renderModel); });
    source.addEventListener('instance', (e) => { state.instance = JSON.parse(e.data); later(renderInstance); });
    source.addEventListener('stats', (e) => onStats(JSON.parse(e.data)));
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        // Refused (client limit) or the server is gone: try again later; the browser retries by itself otherwise.
        connected(false, 'disconnected, retrying');
        source.close();
        setTimeout(connect, 5000);
      } else {
        connected(false, 'reconnecting');
      }
    });
  }
  // A first render from the snapshot endpoint, so the page is filled even before the stream opens.
  fetch('/api/state').then((r) => r.ok ? r.json() : null).then((s) => { if (s && !streamed) { applySnapshot(s); } })
    .catch(() => connected(false, 'snapshot unavailable'));
  window.retinaDashboard = { state: state, reconnect: () => { if (source) { source.close(); } connect(); } };
  connect();
}());
