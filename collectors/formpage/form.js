// The officer's form: draws the catalogue's indicators for the chosen period,
// asks the agent to check the figures as they are typed (/api/check: the
// checks of `chiso-agent submit`, the ratios computed there, the message
// table's texts; no rule of its own here), saves through /api/save and
// follows delivery by polling /api/state.  Every text shown comes from the
// agent's message table (/api/messages).
"use strict";

let M = {};        // message code -> text, from the agent's table
let S = null;      // the last /api/state
let byCode = {};   // indicator code -> indicator
let poll = null;
let C = { fields: {}, ratios: {} }; // the last /api/check answer
let asked = 0, timer = null;         // the newest /api/check sent; its debounce
let tried = false;                   // Save was pressed: empty fields are flagged too

// The text of code with its {parameters} put in.
function msg(code, params) {
  return (M[code] || code).replace(/\{(\w+)\}/g, (_, k) => (params && k in params ? params[k] : ''));
}

// v written the Vietnamese way with d decimals: 1.463; 60,87.
function fmt(v, d) {
  const [i, f] = Math.abs(v).toFixed(d).split(".");
  const g = i.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  return (v < 0 ? "-" : "") + g + (f ? "," + f : "");
}

// v with the decimals it has, the Vietnamese way (as num_vi writes it in chisod's messages).
function fmtAuto(v) {
  const f = String(v).split(".")[1];
  return fmt(v, f ? f.length : 0);
}

// A figure as sent (1463, 89.52), written the Vietnamese way (1.463; 89,52).
function shown(text) {
  const v = /^[+-]?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  return isNaN(v) ? text : fmtAuto(v);
}

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}

function input(code) { return document.getElementById("v." + code); }

function setError(code, text) {
  const i = input(code), e = document.getElementById("e." + code);
  if (!i || !e) return;
  e.textContent = text || "";
  i.setAttribute("aria-invalid", text ? "true" : "false");
}

// What the officer typed, every input (the empty ones too: the agent says which must be filled).
function typed() {
  const data = new URLSearchParams();
  data.set("csrf", S.csrf);
  data.set("period", document.getElementById("period").value);
  for (const i of document.querySelectorAll("#rows input")) data.set(i.name, i.value.trim());
  return data;
}

function expected(code) {
  const ind = byCode[code];
  return !ind || ind.expected !== false; // until the state says otherwise, every figure is
}

// The fields the agent flags that Save does not refuse (an expected figure left
// empty, half a ratio), as [code, message].
function gaps() {
  return Object.entries(C.fields)
    .filter(([code, f]) => f.blocking === false && (f.code !== "form_required_empty" || expected(code)))
    .map(([code, f]) => [code, f.message]);
}

// Shows the last answer of /api/check: refusals, gaps, the ratios, what is missing.
function show() {
  const gap = Object.fromEntries(gaps());
  for (const ind of S.indicators) {
    if (!ind.fits) continue;
    if (ind.kind === "ratio") {
      const out = document.getElementById("r." + ind.code), r = C.ratios[ind.code];
      if (out) out.textContent = r ? r.percent : "";
      continue;
    }
    const f = C.fields[ind.code];
    setError(ind.code, f && f.blocking ? f.message : "");
    const h = document.getElementById("h." + ind.code);
    const g = gap[ind.code];
    // An empty field is flagged once Save was pressed; half a ratio as soon as it is typed.
    if (h) h.textContent = g && (tried || C.fields[ind.code].code !== "form_required_empty") ? g : "";
  }
  const missing = Object.entries(C.fields)
    .filter(([code, f]) => f.code === "form_required_empty" && expected(code)).length;
  document.getElementById("missing").textContent =
    missing ? msg("form_missing", { count: new Intl.NumberFormat("vi-VN").format(missing) }) : msg("form_complete");
}

// Asks the agent to check what is typed now; resolves once its answer is shown
// (an answer overtaken by a newer question is dropped).
async function check() {
  const mine = ++asked;
  const r = await fetch("/api/check", { method: "POST", body: typed(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  const ans = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(ans.error);
  if (mine !== asked) return false;
  C = ans;
  show();
  return true;
}

// Typing asks again once the officer pauses (150 ms; the agent is on this PC).
function later() {
  clearTimeout(timer);
  document.getElementById("confirm").hidden = true;
  timer = setTimeout(() => check().catch(() => {}), 150);
}

function stateCell(td, code) {
  td.textContent = "";
  const s = S.sent[code];
  if (!s) return;
  td.append(el("span", { class: "state-" + s.state }, s.label));
  if (s.reason) td.append(el("span", { class: "reason" }, s.reason));
}

// Draws the rows, keeping what was typed, then shows the agent's checks of it.
function draw() {
  const body = document.getElementById("rows");
  const keep = {};
  for (const i of body.querySelectorAll("input")) keep[i.id] = i.value;
  // Built aside and put in at once: the page lays the table out once, not per row.
  const rows = document.createDocumentFragment();
  let pillar = null;
  for (const ind of S.indicators) {
    if (!ind.fits) continue;
    if (ind.pillar_name !== pillar) {
      pillar = ind.pillar_name;
      const tr = el("tr", { class: "pillar" });
      tr.append(el("th", { colspan: "5", scope: "colgroup" }, pillar));
      rows.append(tr);
    }
    const tr = el("tr");
    const name = el("td");
    const cell = el("td", { class: "num" });
    if (ind.kind === "ratio") {
      name.append(el("span", {}, ind.name));
      cell.append(el("output", { id: "r." + ind.code, "aria-live": "polite" }));
      // The catalogue's unit of measure; "%" only for a ratio out of 100 (a rate per
      // 1 000 people is not a percentage).
      tr.append(name, el("td", {}, ind.measure || (ind.factor === 100 ? "%" : "")), cell, el("td"), el("td"));
    } else {
      name.append(el("label", { for: "v." + ind.code }, ind.name));
      const i = el("input", { id: "v." + ind.code, name: "v." + ind.code, inputmode: "decimal",
                              autocomplete: "off", "aria-describedby": "e." + ind.code + " h." + ind.code });
      i.value = keep["v." + ind.code] || "";
      // The note is out of the Tab order, which goes from figure to figure: F2 goes to it and back.
      const note = el("input", { id: "n." + ind.code, name: "n." + ind.code, class: "note", tabindex: "-1",
                                 autocomplete: "off", placeholder: msg("form_note_placeholder"),
                                 "aria-label": msg("form_note_label", { indicator: ind.name }) });
      note.value = keep["n." + ind.code] || "";
      cell.append(i, note, el("span", { class: "err", id: "e." + ind.code, role: "alert" }),
                  el("span", { class: "hint-row", id: "h." + ind.code }));
      const sent = S.sent[ind.code];
      const st = el("td", { id: "s." + ind.code });
      tr.append(name, el("td", {}, ind.measure), cell,
                el("td", { class: "num" }, sent ? shown(sent.value) : ""), st);
    }
    rows.append(tr);
    if (ind.kind !== "ratio") stateCell(tr.lastChild, ind.code);
  }
  body.replaceChildren(rows);
}

// Only the state column changes while the page follows delivery.
function refreshStates() {
  for (const ind of S.indicators) {
    const td = document.getElementById("s." + ind.code);
    if (td) stateCell(td, ind.code);
  }
}

async function load(period, full) {
  const r = await fetch("/api/state?period=" + encodeURIComponent(period || ""), { cache: "no-store" });
  if (!r.ok) throw new Error(await r.text());
  show_state(await r.json(), full);
  // A period chosen with figures still on their way is followed too, not only
  // the one the page opened with.
  if (following() && !poll) follow();
  if (full) await check();
}

// Shows a /api/state answer: the whole page (full) or the states only.
function show_state(state, full = true) {
  S = state;
  byCode = {};
  for (const ind of S.indicators) byCode[ind.code] = ind;
  document.getElementById("who").textContent = S.unit
    ? msg("form_who", { unit: S.unit, collector: S.collector, catalog: S.catalog_version })
    : "";
  document.getElementById("notice").textContent = S.notice || S.period_error || "";
  const sel = document.getElementById("period");
  if (!sel.options.length) {
    for (const p of S.periods) sel.append(el("option", { value: p.id }, p.id + " — " + p.words));
    sel.value = S.period;
  }
  const p = S.periods.find((x) => x.id === S.period);
  const due = p && p.deadline ? p.deadline.split("-").reverse().join("/") : "";
  document.getElementById("deadline").textContent = due
    ? msg("form_deadline", { date: due }) + (p.overdue ? " (" + msg("form_overdue") + ")" : "") : "";
  if (full) draw(); else refreshStates();
}

function following() {
  return Object.values(S.sent).some((s) => s.state === "state_waiting");
}

function follow() {
  if (poll) clearInterval(poll);
  poll = setInterval(async () => {
    try { await load(document.getElementById("period").value, false); } catch (e) { return; }
    if (!following()) { clearInterval(poll); poll = null; }
  }, 1000);
}

// Save: the agent checks what is typed first.  A refused figure stops it; an
// expected figure left empty or half a ratio asks the officer to confirm that
// what was typed is all there is for now (the button below, reached with Tab).
async function save(ev) {
  ev.preventDefault();
  const result = document.getElementById("result"), confirm = document.getElementById("confirm");
  clearTimeout(timer);
  tried = true;
  try {
    while (!(await check())); // the answer for what is typed now
  } catch (e) {
    result.textContent = e.message;
    return;
  }
  const bad = document.querySelector("input[aria-invalid=true]");
  if (bad) {
    result.textContent = "";
    bad.focus();
    return;
  }
  const open = gaps();
  if (open.length) {
    result.textContent = "";
    document.getElementById("confirm-text").textContent =
      msg("form_confirm_partial", { count: new Intl.NumberFormat("vi-VN").format(open.length) });
    confirm.hidden = false;
    document.getElementById("confirm-yes").focus();
    return;
  }
  await send();
}

// Sends what was typed to /api/save.
async function send() {
  const result = document.getElementById("result");
  document.getElementById("confirm").hidden = true;
  const data = new URLSearchParams();
  data.set("csrf", S.csrf);
  data.set("period", document.getElementById("period").value);
  for (const i of document.querySelectorAll("#rows input")) if (i.value.trim()) data.set(i.name, i.value.trim());
  result.textContent = msg("form_saving");
  const r = await fetch("/api/save", { method: "POST", body: data,
    headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  const ans = await r.json().catch(() => ({ error: r.statusText }));
  if (r.ok) {
    result.textContent = ans.message;
    tried = false;
    for (const i of document.querySelectorAll("#rows input")) i.value = "";
    await load(document.getElementById("period").value, true);
    follow();
    return;
  }
  result.textContent = ans.error || "";
  for (const e of ans.errors || []) setError(e.indicator, e.message);
  const bad = document.querySelector("input[aria-invalid=true]");
  if (bad) bad.focus();
}

document.addEventListener("DOMContentLoaded", async () => {
  // The messages and the state at once: the page waits for the slower of the two.
  // (the same requests as the page's preload links, so that they take the preloaded answers)
  const [m, st] = await Promise.all([fetch("/api/messages"), fetch("/api/state?period=")]);
  M = await m.json();
  const state = await st.json();
  performance.mark("state"); // the agent's part of the load ends here, the page's draw begins
  show_state(state);
  document.getElementById("confirm-yes").textContent = msg("form_confirm_button");
  document.getElementById("rows").addEventListener("input", later);
  document.getElementById("rows").addEventListener("keydown", (e) => {
    const m = /^([vn])\.(.+)$/.exec(e.target.id || "");
    const other = m && e.key === "F2" && document.getElementById((m[1] === "v" ? "n." : "v.") + m[2]);
    if (other) {
      e.preventDefault();
      other.focus();
    }
  });
  document.getElementById("period").addEventListener("change", (e) => load(e.target.value, true));
  document.getElementById("f").addEventListener("submit", save);
  document.getElementById("confirm-yes").addEventListener("click", () => send());
  // The page is ready: every indicator of the catalogue drawn with what was sent
  // (form_browser.py measures the navigation to this mark).  The ratios of the
  // figures already sent follow with the agent's first check.
  performance.mark("ready");
  if (following()) follow();
  await check();
});
