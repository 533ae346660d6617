// The officer's form: draws the catalogue's indicators for the chosen period,
// computes the ratios as figures are typed, flags what chisod would refuse
// with the message table's own texts (/api/messages: no copy here), saves
// through /api/save and follows delivery by polling /api/state.
"use strict";

let M = {};        // message code -> text, from the agent's table
let S = null;      // the last /api/state
let byCode = {};   // indicator code -> indicator
let poll = null;

// The text of code with its {parameters} put in.
function msg(code, params) {
  return (M[code] || code).replace(/\{(\w+)\}/g, (_, k) => (params && k in params ? params[k] : ""));
}

// A number typed the Vietnamese way (1.463; 89,52) or the plain way (1463; 89.52);
// null when empty, NaN when the browser cannot tell (the agent then says why).
function parseNum(text) {
  const s = text.replace(/^[^\d+-]*/, "").replace(/\s/g, ""); // "hơn 2000": the words qualify it
  if (s === "") return null;
  if (/^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$/.test(s)) return Number(s.replace(/\./g, "").replace(",", "."));
  if (/^[+-]?\d+,\d+$/.test(s)) return Number(s.replace(",", "."));
  if (/^[+-]?\d+(\.\d+)?$/.test(s)) return Number(s);
  return NaN;
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

// The figure of code for the checks: as typed, else as already sent.
function figure(code) {
  const i = input(code);
  const typed = i ? parseNum(i.value) : null;
  if (typed !== null) return { v: typed, typed: true };
  const sent = S.sent[code];
  if (sent && sent.state !== "state_refused") return { v: parseNum(sent.value), typed: false };
  return { v: null, typed: false };
}

function setError(code, text) {
  const i = input(code), e = document.getElementById("e." + code);
  if (!i || !e) return;
  e.textContent = text || "";
  i.setAttribute("aria-invalid", text ? "true" : "false");
}

// Recomputes every ratio and flags what chisod would refuse; the number of flags.
function check() {
  let flags = 0;
  const errors = {}, hints = {};
  for (const ind of S.indicators) {
    if (!ind.fits || ind.kind === "ratio") continue;
    const f = figure(ind.code);
    if (f.typed && f.v < 0 && (ind.kind === "count" || ind.kind === "amount"))
      errors[ind.code] = msg("negative_value", { indicator: ind.code, value: fmtAuto(f.v) });
  }
  for (const r of S.indicators) {
    if (!r.fits || r.kind !== "ratio") continue;
    const n = figure(r.numerator), d = figure(r.denominator);
    const out = document.getElementById("r." + r.code);
    const ok = n.v !== null && d.v !== null && !isNaN(n.v) && !isNaN(d.v) && d.v !== 0;
    if (out) out.textContent = ok ? fmt(n.v / d.v * r.factor, 2) + (r.factor === 100 ? " %" : "") : "";
    const ratio = "\"" + r.name + "\" (" + r.code + ")";
    if (ok && r.share && n.v > d.v && (n.typed || d.typed) && !errors[r.numerator]) {
      const typedNum = n.typed;
      const code = typedNum ? "numerator_exceeds_denominator" : "denominator_below_numerator";
      const here = typedNum ? r.numerator : r.denominator;
      const hv = typedNum ? n : d, ov = typedNum ? d : n;
      errors[here] = msg(code, {
        numerator: r.numerator, denominator: r.denominator, value: fmtAuto(hv.v), other: fmtAuto(ov.v),
        source: msg(ov.typed ? "source_this_commit" : "source_stored"), ratio: ratio,
      });
    }
    // Half a ratio: the province takes it, but the ratio waits for the other half.
    if (n.typed && d.v === null && input(r.denominator)) hints[r.denominator] = msg("value_empty");
    if (d.typed && n.v === null && input(r.numerator)) hints[r.numerator] = msg("value_empty");
  }
  for (const ind of S.indicators) {
    if (!ind.fits || ind.kind === "ratio") continue;
    setError(ind.code, errors[ind.code]);
    const h = document.getElementById("h." + ind.code);
    if (h) h.textContent = errors[ind.code] ? "" : hints[ind.code] || "";
    if (errors[ind.code]) flags++;
  }
  let missing = 0; // what the unit's tier reports and is not typed or sent yet
  for (const ind of S.indicators)
    if (ind.fits && ind.expected && ind.kind !== "ratio" && figure(ind.code).v === null) missing++;
  document.getElementById("missing").textContent =
    missing ? "Còn " + fmt(missing, 0) + " chỉ tiêu " + msg("state_missing") : "Đã nhập đủ các chỉ tiêu";
  return flags;
}

function stateCell(td, code) {
  td.textContent = "";
  const s = S.sent[code];
  if (!s) return;
  td.append(el("span", { class: "state-" + s.state }, s.label));
  if (s.reason) td.append(el("span", { class: "reason" }, s.reason));
}

function draw() {
  const body = document.getElementById("rows");
  const keep = {};
  for (const i of body.querySelectorAll("input")) keep[i.id] = i.value;
  body.textContent = "";
  let pillar = null;
  for (const ind of S.indicators) {
    if (!ind.fits) continue;
    if (ind.pillar_name !== pillar) {
      pillar = ind.pillar_name;
      const tr = el("tr", { class: "pillar" });
      tr.append(el("th", { colspan: "5", scope: "colgroup" }, pillar));
      body.append(tr);
    }
    const tr = el("tr");
    const name = el("td");
    const cell = el("td", { class: "num" });
    if (ind.kind === "ratio") {
      name.append(el("span", {}, ind.name));
      cell.append(el("output", { id: "r." + ind.code, "aria-live": "polite" }));
      tr.append(name, el("td", {}, "%"), cell, el("td"), el("td"));
    } else {
      name.append(el("label", { for: "v." + ind.code }, ind.name));
      const i = el("input", { id: "v." + ind.code, name: "v." + ind.code, inputmode: "decimal",
                              autocomplete: "off", "aria-describedby": "e." + ind.code + " h." + ind.code });
      i.value = keep["v." + ind.code] || "";
      cell.append(i, el("span", { class: "err", id: "e." + ind.code, role: "alert" }),
                  el("span", { class: "hint-row", id: "h." + ind.code }));
      const sent = S.sent[ind.code];
      const st = el("td", { id: "s." + ind.code });
      tr.append(name, el("td", {}, ind.measure), cell,
                el("td", { class: "num" }, sent ? shown(sent.value) : ""), st);
    }
    body.append(tr);
    if (ind.kind !== "ratio") stateCell(tr.lastChild, ind.code);
  }
  check();
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
  S = await r.json();
  byCode = {};
  for (const ind of S.indicators) byCode[ind.code] = ind;
  document.getElementById("who").textContent = S.unit
    ? "Đơn vị " + S.unit + " · máy thu thập " + S.collector + " · danh mục " + S.catalog_version
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

// What is sent for input i: as typed ("hơn 2000" included: the agent reads
// the words as the figure's qualifier), except that a count's or an amount's
// 1.463 is 1463, since such a figure has no decimals (for other kinds the
// agent asks which was meant).
function wire(i) {
  const ind = byCode[i.name.slice(2)], s = i.value.trim();
  const m = /^([^\d+-]*)([+-]?\d{1,3}(\.\d{3})+)$/.exec(s);
  if (ind && (ind.kind === "count" || ind.kind === "amount") && m) return m[1] + m[2].replace(/\./g, "");
  return s;
}

async function save(ev) {
  ev.preventDefault();
  const result = document.getElementById("result");
  if (check()) {
    result.textContent = "";
    const bad = document.querySelector("input[aria-invalid=true]");
    if (bad) bad.focus();
    return;
  }
  const data = new URLSearchParams();
  data.set("csrf", S.csrf);
  data.set("period", document.getElementById("period").value);
  for (const i of document.querySelectorAll("#rows input")) if (i.value.trim()) data.set(i.name, wire(i));
  result.textContent = "Đang lưu…";
  const r = await fetch("/api/save", { method: "POST", body: data,
    headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  const ans = await r.json().catch(() => ({ error: r.statusText }));
  if (r.ok) {
    result.textContent = ans.message;
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
  M = await (await fetch("/api/messages")).json();
  await load("", true);
  document.getElementById("rows").addEventListener("input", check);
  document.getElementById("period").addEventListener("change", (e) => load(e.target.value, true));
  document.getElementById("f").addEventListener("submit", save);
  if (following()) follow();
});
