// netviz serve's page: the host's picture, live. Hand-written, no
// framework, nothing fetched from anywhere but this server. Everything the
// model says (names, addresses) is put on the page as text, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const HIGHLIGHT_MS = 4000;
const LOG_MAX = 200;

// state is the page's; window.netviz exposes it to tests and the curious.
const state = {
  seq: 0,            // newest model the stream announced
  pictureSeq: 0,     // model the picture shows
  model: null,
  info: null,
  network: "",
  conn: "waiting",
  touched: new Map(),  // obj id -> expiry (ms)
  matches: new Set(),
  reachMarks: new Map(), // obj id -> "ok" | "no"
  selected: "",
  view: { k: 1, x: 0, y: 0 },
  fitted: true,      // the view fits each picture (until the user zooms or pans)
  inflight: false,
  pending: false,
  modelStale: false,
  // applied says when each model reached the picture (t), its change
  // event the page (ev), and the engine's first event behind it (engine).
  applied: [],
  eventAt: 0,
  engineAt: 0,
  violations: [],    // what the Content-Security-Policy blocked (nothing, we hope)
  snapshots: 0,
  firstPaint: 0,     // ms from navigation to the first picture's frame
  es: null,
  retry: 1000,
  index: new Map(),  // obj id -> elements of the current picture
};
window.netviz = state;

// el builds an element: attributes, then children (strings become text).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return e;
}

const fmtTime = (t) => new Date(t).toLocaleTimeString([], { hour12: false });
const addrOf = (p) => (p ? String(p).split("/")[0] : "");

// ---- the event stream ----------------------------------------------------

function setConn(s, text) {
  state.conn = s;
  $("conn").className = "conn " + s;
  $("conn-text").textContent = text || { live: "live", reconnecting: "reconnecting…", offline: "offline — retrying", waiting: "connecting…" }[s];
}

function connect() {
  if (state.es) state.es.close();
  setConn(state.snapshots ? "reconnecting" : "waiting");
  const es = new EventSource("api/events");
  state.es = es;
  es.addEventListener("snapshot", (e) => { state.retry = 1000; onSnapshot(JSON.parse(e.data)); });
  es.addEventListener("change", (e) => onChange(JSON.parse(e.data)));
  es.onopen = () => setConn("live");
  es.onerror = () => {
    if (es !== state.es) return;
    if (es.readyState === EventSource.CLOSED) {
      // The browser gave up (the server answered an error): try again
      // ourselves, backing off.
      setConn("offline");
      const wait = state.retry;
      state.retry = Math.min(state.retry * 2, 10000);
      setTimeout(() => { if (state.es === es) connect(); }, wait);
    } else {
      setConn("reconnecting");
    }
  };
}

function onSnapshot(s) {
  state.snapshots++;
  state.seq = s.seq;
  setModel(s.model);
  state.modelStale = false;
  renderLog(s.log || []);
  if (s.resync) {
    addLocalLog(s.resync === "overflow" ? "resynchronised: this page fell behind" : "reconnected: resynchronised from a fresh snapshot");
  }
  setConn("live");
  refresh();
}

function onChange(c) {
  if (c.seq <= state.seq && !c.resync) return;
  state.eventAt = Date.now();
  state.engineAt = c.eventTime ? Date.parse(c.eventTime) : 0;
  state.seq = c.seq;
  state.modelStale = true;
  const until = Date.now() + HIGHLIGHT_MS;
  for (const id of c.touched || []) state.touched.set(id, until);
  addLog(c);
  refresh();
}

// refresh brings the picture (and the model, if stale) up to the newest
// model; changes arriving meanwhile are folded into one more round.
async function refresh() {
  if (state.inflight) { state.pending = true; return; }
  state.inflight = true;
  try {
    do {
      state.pending = false;
      const wantModel = state.modelStale;
      state.modelStale = false;
      const [svgRes, modelRes] = await Promise.all([
        fetch("api/svg" + netQuery(), { cache: "no-cache" }),
        wantModel ? fetch("api/model", { cache: "no-cache" }) : null,
      ]);
      if (modelRes) {
        if (!modelRes.ok) throw new Error("model: " + (await modelRes.text()));
        setModel(await modelRes.json());
      }
      if (!svgRes.ok) {
        const msg = await svgRes.text();
        if (svgRes.status === 404 && state.network) { // the network went
          state.network = "";
          $("network").value = "";
          updateDownloads();
          state.pending = true;
          continue;
        }
        throw new Error("picture: " + msg);
      }
      applySVG(await svgRes.text(), Number(svgRes.headers.get("X-Netviz-Seq")) || state.seq);
    } while (state.pending);
    $("banner").hidden = !bannerText();
  } catch (err) {
    showBanner(String(err.message || err));
    state.modelStale = true;
  } finally {
    state.inflight = false;
  }
}

function netQuery() { return state.network ? "?network=" + encodeURIComponent(state.network) : ""; }

// ---- the picture ---------------------------------------------------------

function applySVG(text, seq) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  if (doc.getElementsByTagName("parsererror").length) throw new Error("the picture is not well-formed SVG");
  const svg = document.importNode(doc.documentElement, true);
  svg.id = "picture";
  $("stage").replaceChildren(svg);
  state.index = new Map();
  for (const e of svg.querySelectorAll("[data-obj]")) {
    const id = e.getAttribute("data-obj");
    if (!state.index.has(id)) state.index.set(id, []);
    state.index.get(id).push(e);
  }
  if (state.fitted) fit(); else applyView();
  decorate();
  state.pictureSeq = seq;
  if (!state.firstPaint) requestAnimationFrame(() => { state.firstPaint = performance.now(); });
  state.applied.push({ seq, t: Date.now(), ev: state.eventAt, engine: state.engineAt });
  if (state.applied.length > 1000) state.applied.splice(0, 500);
  document.body.dataset.seq = String(seq);
  $("seq").textContent = "model #" + seq + " · " + fmtTime(Date.now());
}

function svgSize() {
  const svg = $("picture");
  if (!svg) return null;
  return { w: svg.width.baseVal.value || 1, h: svg.height.baseVal.value || 1 };
}

function fit() {
  const size = svgSize();
  if (!size) return;
  const st = $("stage");
  const k = Math.min(st.clientWidth / size.w, st.clientHeight / size.h) * 0.98;
  state.view = { k, x: (st.clientWidth - size.w * k) / 2, y: Math.max(0, (st.clientHeight - size.h * k) / 2) };
  state.fitted = true;
  applyView();
}

function applyView() {
  const svg = $("picture");
  if (svg) svg.style.transform = `translate(${state.view.x}px, ${state.view.y}px) scale(${state.view.k})`;
}

// elementsFor finds what the picture draws for a model ID: the object
// itself, and for a container the box of the namespace it lives in.
function elementsFor(id) {
  const out = [...(state.index.get(id) || [])];
  if (id.startsWith("ctr:") && state.model) {
    const c = (state.model.containers || []).find((c) => c.id === id);
    if (c && c.namespace && state.index.has(c.namespace)) out.push(...state.index.get(c.namespace));
  }
  return out;
}

// decorate puts the page's marks on the current picture.
function decorate() {
  const svg = $("picture");
  if (!svg) return;
  for (const cls of ["nv-touched", "nv-match", "nv-selected", "nv-reach-ok", "nv-reach-no"]) {
    for (const e of svg.querySelectorAll("." + cls)) e.classList.remove(cls);
  }
  const now = Date.now();
  let next = Infinity;
  for (const [id, until] of state.touched) {
    if (until <= now) { state.touched.delete(id); continue; }
    next = Math.min(next, until);
    for (const e of elementsFor(id)) e.classList.add("nv-touched");
  }
  for (const id of state.matches) for (const e of elementsFor(id)) e.classList.add("nv-match");
  for (const [id, how] of state.reachMarks) for (const e of elementsFor(id)) e.classList.add("nv-reach-" + how);
  if (state.selected) for (const e of elementsFor(state.selected)) e.classList.add("nv-selected");
  clearTimeout(state.decorateTimer);
  if (next < Infinity) state.decorateTimer = setTimeout(decorate, next - now + 20);
}

function setupStage() {
  const st = $("stage");
  let drag = null;
  st.addEventListener("wheel", (e) => {
    if (!$("picture")) return;
    e.preventDefault();
    const r = st.getBoundingClientRect();
    const cx = e.clientX - r.left, cy = e.clientY - r.top;
    const v = state.view;
    const k = Math.min(20, Math.max(0.05, v.k * Math.exp(-e.deltaY * 0.0015)));
    state.view = { k, x: cx - (cx - v.x) * (k / v.k), y: cy - (cy - v.y) * (k / v.k) };
    state.fitted = false;
    applyView();
  }, { passive: false });
  st.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, vx: state.view.x, vy: state.view.y, moved: false, target: e.target };
  });
  window.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) { drag.moved = true; state.fitted = false; st.classList.add("dragging"); }
    state.view.x = drag.vx + dx;
    state.view.y = drag.vy + dy;
    applyView();
  });
  window.addEventListener("pointerup", () => {
    if (!drag) return;
    const d = drag;
    drag = null;
    st.classList.remove("dragging");
    if (!d.moved) clickObject(d.target);
  });
  window.addEventListener("resize", () => { if (state.fitted) fit(); });
  $("fit").addEventListener("click", fit);
}

// ---- the model: filter, search, panel ------------------------------------

function setModel(m) {
  state.model = m;
  $("host").textContent = m.host ? m.host.name + (m.source === "sim" ? " (simulated)" : "") : "";
  const sel = $("network");
  const names = (m.networks || []).map((n) => n.name).sort();
  const keep = state.network;
  sel.replaceChildren(el("option", { value: "" }, "all networks"), ...names.map((n) => el("option", { value: n }, n)));
  sel.value = names.includes(keep) ? keep : "";
  runSearch();
  if (state.selected) renderSelected();
  const warn = (m.warnings || []).length;
  state.warnings = warn ? m.warnings : [];
  $("banner").hidden = !bannerText();
}

function bannerText() {
  const parts = [];
  if (state.warnings && state.warnings.length) parts.push("warnings: " + state.warnings.join(" · "));
  const b = $("banner");
  b.textContent = parts.join(" — ");
  return parts.length > 0;
}

function showBanner(msg) {
  const b = $("banner");
  b.textContent = msg;
  b.hidden = false;
}

function containerByObj(obj) {
  const cs = (state.model && state.model.containers) || [];
  if (obj.startsWith("ctr:")) return cs.find((c) => c.id === obj);
  if (obj.startsWith("ns:") && !obj.includes("/")) {
    // The box of a namespace: its owner, else a member.
    return cs.find((c) => c.namespace === obj && "ns:" + c.name === obj) || cs.find((c) => c.namespace === obj);
  }
  return null;
}

function clickObject(target) {
  const svg = $("picture");
  if (!svg || !svg.contains(target)) return;
  const g = target.closest("[data-obj]");
  if (!g) return;
  selectObject(g.getAttribute("data-obj"));
}

function selectObject(obj) {
  state.selected = obj;
  state.reachMarks.clear();
  $("result").replaceChildren();
  renderSelected();
  decorate();
}

function renderSelected() {
  const obj = state.selected;
  const m = state.model;
  const panel = $("panel");
  if (!m || !obj) return;
  const c = containerByObj(obj);
  if (c) { panel.replaceChildren(containerPanel(c)); return; }
  const netID = obj.startsWith("net:") ? "net:" + obj.slice(4).split(":")[0] : "";
  const n = netID && (m.networks || []).find((n) => n.id === netID);
  if (n) { panel.replaceChildren(networkPanel(n)); return; }
  const i = (m.interfaces || []).find((i) => i.id === obj);
  if (i) { panel.replaceChildren(interfacePanel(i)); return; }
  const d = (m.names || []).find((d) => d.id === obj);
  if (d) { panel.replaceChildren(el("div", {}, el("h2", {}, d.name), el("p", {}, "DNS name (" + d.source + ") on " + d.scope))); return; }
  panel.replaceChildren(el("p", { class: "muted" }, obj.replace(/^(ns|ctr|net):/, "") + " is no longer on the host"));
  state.reachMarks.clear();
  $("result").replaceChildren();
}

function networkName(id) {
  const n = ((state.model && state.model.networks) || []).find((n) => n.id === id);
  return n ? n.name : String(id).replace(/^net:/, "");
}

function containerPanel(c) {
  const m = state.model;
  const running = c.state === "running";
  const shares = (m.containers || []).filter((o) => o.namespace && o.namespace === c.namespace && o.id !== c.id).map((o) => o.name);
  const macOf = (ep) => ep.mac || ((m.interfaces || []).find((i) => i.id === ep.interface) || {}).mac || "";
  const anyMAC = (c.endpoints || []).some((ep) => macOf(ep));
  const eps = (c.endpoints || []).map((ep) => el("tr", {},
    el("td", {}, networkName(ep.network)),
    el("td", { class: "nowrap" }, ep.ipv4 || "", ep.ipv6 ? el("br") : null, ep.ipv6 || ""),
    anyMAC ? el("td", { class: "nowrap" }, macOf(ep)) : null,
    el("td", {}, (ep.aliases || []).join(", "), (ep.links || []).map((l) => " link " + l.target + ":" + l.alias).join(""))));
  const ports = (m.ports || []).filter((p) => p.container === c.id).map((p) =>
    el("li", {}, `${p.hostIP && p.hostIP !== "0.0.0.0" ? p.hostIP : "*"}:${p.hostPort} → ${p.containerPort}/${p.proto}`));
  const links = (c.links || []).map((l) => el("li", {}, `--link ${l.target}:${l.alias}`));
  const names = new Set();
  for (const ep of c.endpoints || []) for (const a of ep.aliases || []) names.add(a);
  for (const n of m.names || []) names.add(n.name);
  for (const o of m.containers || []) names.add(o.name);
  const list = el("datalist", { id: "probe-names" }, [...names].sort().map((n) => el("option", { value: n })));
  const target = el("input", { id: "probe-target", type: "text", list: "probe-names", placeholder: "name or IP", spellcheck: "false" });
  const probesOn = state.info && state.info.probes && state.info.probes.available;
  const offNote = state.info && state.info.probes && !state.info.probes.available
    ? el("p", { class: "note" }, "Measurements are off: " + state.info.probes.reason + ". Reach shows what the model predicts.") : null;
  return el("div", {},
    el("h2", {}, c.name),
    el("p", {}, [c.image || "", " · ", c.state, " · --net ", c.networkMode].join("")),
    shares.length ? el("p", { class: "muted" }, "shares its network namespace with " + shares.join(", ")) : null,
    c.sharesWith ? el("p", { class: "muted" }, "uses the namespace of " + String(c.sharesWith).replace(/^ctr:/, "")) : null,
    el("h3", {}, "endpoints"),
    eps.length ? el("table", {}, el("tr", {}, el("th", {}, "network"), el("th", {}, "address"), anyMAC ? el("th", {}, "MAC") : null, el("th", {}, "aliases")), eps)
      : el("p", { class: "muted" }, "none"),
    el("h3", {}, "published ports"),
    ports.length ? el("ul", {}, ports) : el("p", { class: "muted" }, "none"),
    links.length ? el("h3", {}, "links") : null, links.length ? el("ul", {}, links) : null,
    offNote,
    el("div", { class: "buttons" },
      el("button", { id: "btn-reach-to", type: "button", disabled: !running, onclick: () => runReach("to", c.name) }, "who can reach me"),
      el("button", { id: "btn-reach-from", type: "button", disabled: !running, onclick: () => runReach("from", c.name) }, "whom can I reach")),
    el("div", { class: "buttons" },
      list, target,
      el("button", { id: "btn-probe-from", type: "button", disabled: !running || !probesOn,
        onclick: () => { if (target.value.trim()) runProbe(target.value.trim(), c.name); } }, "probe from " + c.name),
      el("button", { id: "btn-probe-me", type: "button", disabled: !running || !probesOn, onclick: () => runProbe(c.name, "") }, "probe " + c.name)));
}

function networkPanel(n) {
  const m = state.model;
  const members = (m.containers || []).filter((c) => (c.endpoints || []).some((ep) => ep.network === n.id));
  return el("div", {},
    el("h2", {}, n.name),
    el("p", {}, [n.driver, n.internal ? "internal" : "", n.icc === false ? "ICC off" : "", n.default ? "default bridge" : ""].filter(Boolean).join(" · ")),
    el("p", {}, (n.subnets || []).map((s) => s.subnet + (s.gateway ? " gw " + s.gateway : "")).join(", ")),
    n.bridgeName ? el("p", {}, "bridge " + n.bridgeName) : null,
    el("h3", {}, members.length + " containers"),
    el("ul", {}, members.map((c) => el("li", {}, el("a", { href: "#", onclick: (e) => { e.preventDefault(); selectObject(c.id); } }, c.name)))));
}

function interfacePanel(i) {
  return el("div", {},
    el("h2", {}, i.name),
    el("p", {}, [i.kind, i.type, i.state].filter(Boolean).join(" · ")),
    el("p", {}, "in " + i.namespace),
    i.mac ? el("p", {}, "MAC " + i.mac) : null,
    (i.addrs || []).length ? el("p", {}, i.addrs.join(", ")) : null);
}

// runSearch marks what matches the search box: containers by name, alias,
// address or MAC; networks by name or subnet; interfaces by name or
// address.
function runSearch() {
  const q = $("search").value.trim().toLowerCase();
  state.matches = new Set();
  const m = state.model;
  if (q && m) {
    const has = (s) => s && String(s).toLowerCase().includes(q);
    for (const c of m.containers || []) {
      if (has(c.name) || (c.endpoints || []).some((ep) => has(addrOf(ep.ipv4)) || has(addrOf(ep.ipv6)) || has(ep.mac) || (ep.aliases || []).some(has))) {
        state.matches.add(c.id);
      }
    }
    for (const n of m.networks || []) if (has(n.name) || (n.subnets || []).some((s) => has(s.subnet))) state.matches.add(n.id);
    for (const i of m.interfaces || []) if (has(i.name) || (i.addrs || []).some((a) => has(addrOf(a)))) state.matches.add(i.id);
  }
  $("matches").textContent = q ? state.matches.size + (state.matches.size === 1 ? " match" : " matches") : "";
  decorate();
}

// ---- measurements ---------------------------------------------------------

function containerID(name) { return "ctr:" + name; }

async function runReach(dir, name) {
  const out = $("result");
  out.replaceChildren(el("p", { class: "muted" }, dir === "to" ? `measuring who can reach ${name}…` : `measuring whom ${name} can reach…`));
  let res;
  try {
    const r = await fetch(`api/reach?${dir}=${encodeURIComponent(name)}`);
    if (!r.ok) { out.replaceChildren(el("p", { class: "error" }, await r.text())); return; }
    res = await r.json();
  } catch (err) {
    out.replaceChildren(el("p", { class: "error" }, String(err)));
    return;
  }
  const cells = (res.matrix && res.matrix.cells) || [];
  state.reachMarks.clear();
  const rows = cells.map((c) => {
    const other = dir === "to" ? c.client : c.target;
    const ok = c.measured.outcome === "reached" || (!res.measured && c.expected.reachable);
    const prev = state.reachMarks.get(containerID(other));
    if (other !== name) state.reachMarks.set(containerID(other), prev === "ok" || ok ? "ok" : "no");
    const rtt = c.measured.rttNs ? (c.measured.rttNs / 1e6).toFixed(2) + " ms" : "";
    return el("tr", { class: c.agrees ? "" : "unexpected" },
      el("td", {}, dir === "to" ? c.client : `${c.target}@${c.network}`),
      el("td", { class: "nowrap" }, c.addr),
      el("td", { class: "nowrap outcome-" + c.measured.outcome }, res.measured ? c.measured.outcome : (c.expected.reachable ? "reachable" : "blocked"), rtt ? " " + rtt : ""),
      el("td", {}, c.agrees ? "" : "UNEXPECTED (model: " + (c.expected.reachable ? "reachable" : "blocked") + ") ", c.expected.detail,
        c.measured.detail && res.measured && c.measured.outcome !== "not-measured" ? " [" + c.measured.detail + "]" : ""));
  });
  out.replaceChildren(
    el("h3", {}, dir === "to" ? `who can reach ${name}` : `whom ${name} can reach`),
    res.measured ? el("p", { class: "muted" }, `measured: ${cells.length} pairs in ${((res.matrix.elapsedNs || 0) / 1e6).toFixed(0)} ms`)
      : el("p", { class: "note" }, "predicted only (not measured): " + res.note),
    el("table", { id: "reach-table" }, el("tr", {}, el("th", {}, dir === "to" ? "from" : "to"), el("th", {}, "address"), el("th", {}, "result"), el("th", {}, "why")), rows));
  decorate();
}

async function runProbe(target, from) {
  state.reachMarks.clear();
  decorate();
  const out = $("result");
  const lines = el("pre", { id: "probe-progress" });
  out.replaceChildren(el("h3", {}, from ? `probe ${target} from ${from}` : `probe ${target}`), lines);
  const q = "target=" + encodeURIComponent(target) + (from ? "&from=" + encodeURIComponent(from) : "");
  let r;
  try {
    r = await fetch("api/probe?" + q);
  } catch (err) {
    out.append(el("p", { class: "error" }, String(err)));
    return;
  }
  if (!r.ok) { out.append(el("p", { class: "error" }, await r.text())); return; }
  // The stream is read by hand (not EventSource): a probe that ended must
  // not be started again by a reconnect.
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  const onEvent = (name, data) => {
    const v = JSON.parse(data);
    if (name === "progress") lines.append(`${(v.elapsedMs / 1000).toFixed(1)}s ${v.text}\n`);
    else if (name === "error") out.append(el("p", { class: "error" }, v.message));
    else if (name === "result") {
      out.append(el("pre", { id: "probe-text" }, v.text));
      if (v.svg) {
        const doc = new DOMParser().parseFromString(v.svg, "image/svg+xml");
        if (!doc.getElementsByTagName("parsererror").length) out.append(el("div", { id: "probe-pic" }, document.importNode(doc.documentElement, true)));
      }
    }
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let name = "message", data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      if (data.length) onEvent(name, data.join("\n"));
    }
  }
}

// ---- the event log -------------------------------------------------------

function logItem(c) {
  return el("li", { value: c.seq, "data-seq": c.seq, onclick: () => {
    const until = Date.now() + HIGHLIGHT_MS;
    for (const id of c.touched || []) state.touched.set(id, until);
    decorate();
  } },
  el("span", { class: "time" }, fmtTime(c.time)),
  (c.events && c.events.length ? c.events : ["(model " + c.seq + ")"]).map((l) => el("span", { class: "line" }, l)),
  c.more ? el("span", { class: "line muted" }, `… and ${c.more} more`) : null);
}

function renderLog(list) {
  $("log").replaceChildren(...list.slice().reverse().map(logItem));
}

function addLog(c) {
  const log = $("log");
  log.prepend(logItem(c));
  while (log.children.length > LOG_MAX) log.lastChild.remove();
}

function addLocalLog(text) {
  addLog({ seq: state.seq, time: Date.now(), events: [text], touched: [] });
}

// ---- start ---------------------------------------------------------------

function updateDownloads() {
  const n = state.network ? "&network=" + encodeURIComponent(state.network) : "";
  $("dl-svg").href = "api/svg?download=1" + n;
  $("dl-png").href = "api/png?download=1" + n;
  $("dl-json").href = "api/model?download=1" + n;
}

async function start() {
  document.addEventListener("securitypolicyviolation", (e) => state.violations.push(e.violatedDirective + " " + e.blockedURI));
  setupStage();
  $("network").addEventListener("change", (e) => {
    state.network = e.target.value;
    state.fitted = true;
    updateDownloads();
    refresh();
  });
  let t = 0;
  $("search").addEventListener("input", () => { clearTimeout(t); t = setTimeout(runSearch, 120); });
  try {
    const r = await fetch("api/info");
    if (r.ok) state.info = await r.json();
  } catch (err) { /* the stream will say */ }
  connect();
}

start();
