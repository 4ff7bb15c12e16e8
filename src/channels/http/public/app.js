// Staff console. Plain ES module, no build step and no CDN: the page works offline.
// Every piece of content comes from the API; this file only renders it.

import { $, el } from "./dom.js";
import { matchServices } from "./match.js";

const VERDICT = { eligible: "符合", conditional: "有条件符合", not_eligible: "不符合", unknown: "还不能确定" };
const CITY_KEY = "minsheng.city";

async function api(path, options = {}) {
  let res;
  try {
    res = await fetch(path, {
      ...options,
      headers: options.body ? { "content-type": "application/json" } : {},
    });
  } catch {
    throw new Error("连接服务失败，请检查网络或稍后再试。");
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data?.error?.message ?? `请求失败（${res.status}）`);
  return data;
}

function setStatus(id, text, error = false) {
  const s = $(id);
  s.textContent = text;
  s.classList.toggle("error", error);
}

/** Wrap the quote (found ignoring whitespace) inside the passage in <mark>. */
function highlight(passage, quote) {
  const container = el("p", { class: "passage" });
  const squashedQuote = quote.replace(/\s+/g, "");
  let squashed = "";
  const map = [];
  for (let i = 0; i < passage.length; i++) {
    if (!/\s/.test(passage[i])) {
      map.push(i);
      squashed += passage[i];
    }
  }
  const at = squashed.indexOf(squashedQuote);
  if (at < 0 || !squashedQuote) {
    container.textContent = passage;
    return container;
  }
  const start = map[at];
  const end = map[at + squashedQuote.length - 1] + 1;
  container.append(passage.slice(0, start), el("mark", { text: passage.slice(start, end) }), passage.slice(end));
  return container;
}

// ---- tabs and deep links -------------------------------------------------------------
const panels = ["ask", "check", "services", "figures"];
const loaded = new Set();

function showTab(name, focus = true) {
  for (const p of panels) {
    $(`#panel-${p}`).hidden = p !== name;
    const tab = document.querySelector(`.tab[data-tab="${p}"]`);
    if (p === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  if (name === "services" && !loaded.has(name)) loadServices();
  if (name === "figures" && !loaded.has(name)) loadFigures();
  if (name === "check" && !loaded.has(name)) loadCheckForm();
  if (focus && name === "ask") $("#question").focus();
}

for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    const name = tab.dataset.tab;
    history.replaceState(null, "", `#${name}`);
    showTab(name);
  });
}

// A link pasted into an open console (#check?…, #figures) only changes the hash: follow it.
window.addEventListener("hashchange", () => {
  const name = location.hash.slice(1).split("?")[0];
  if (!panels.includes(name)) return;
  showTab(name);
  if (name === "check" && factList.length) applyHash();
});

// ---- header: what the answers rest on ------------------------------------------------
async function loadInfo() {
  try {
    const info = await api("/api/index");
    $("#sources").textContent =
      "资料：" + info.documents.map((d) => `《${d.title}》（${d.statusLabel}）`).join("、") + `；索引 ${info.id}`;
  } catch (e) {
    $("#sources").textContent = e.message;
  }
}

// ---- ask: one call, several turns ----------------------------------------------------
// A call's turns are kept (in this tab, until 新来电 or Esc on an empty box) and sent as `history`,
// so "那淮南呢？" is read in the context of the earlier questions. What is kept is the question as
// the server echoed it: personal numbers already masked.
const CALL_KEY = "minsheng.call";
const HISTORY_SENT = 10;
const ASKS = {
  amount: "金额", count: "数量", percent: "比例", standard: "标准", area_size: "面积", duration: "时长",
  length: "长度", date: "时间", office: "办理部门", phone: "电话", materials: "所需材料", procedure: "办理流程",
  deadline: "截止时间", hours: "开放时间", cost: "是否收费", items: "具体有哪些", eligibility: "能不能享受",
  compare: "两市对比", list: "清单", figure: "数字", passage: "规划怎么说",
};
let lastAnswer = null;
let call = loadCall();

function loadCall() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(CALL_KEY) ?? "null");
    if (saved && Array.isArray(saved.turns) && saved.turns.every((t) => typeof t?.question === "string")) {
      return { turns: saved.turns, remembered: saved.remembered && typeof saved.remembered === "object" ? saved.remembered : {} };
    }
  } catch {
    // a damaged entry starts a new call
  }
  return { turns: [], remembered: {} };
}

function saveCall() {
  sessionStorage.setItem(CALL_KEY, JSON.stringify(call));
}

let factLabels = null;
/** Labels of the profile facts (for "记下的情况"), read once. */
async function labelsOfFacts() {
  factLabels ??= api("/api/facts").then(({ facts }) => facts).catch(() => []);
  return factLabels;
}

function factText(facts, name, value) {
  const fact = facts.find((f) => f.name === name);
  if (!fact) return `${name}：${value}`;
  const option = fact.options.find((o) => o.value === value);
  return `${fact.label}：${option ? option.label : value}`;
}

async function renderCall() {
  $("#call").hidden = call.turns.length === 0;
  $("#turns").replaceChildren(
    ...call.turns.map((t) =>
      el("li", {}, t.question, t.resolved && t.resolved !== t.question ? el("span", { class: "resolved", text: `（按“${t.resolved}”理解）` }) : null),
    ),
  );
  const entries = Object.entries(call.remembered);
  $("#remembered").hidden = entries.length === 0;
  if (entries.length) {
    const facts = await labelsOfFacts();
    $("#remembered").textContent = "来电人说到的情况：" + entries.map(([k, v]) => factText(facts, k, v)).join("；");
  }
}

function newCall() {
  call = { turns: [], remembered: {} };
  saveCall();
  renderCall();
  lastAnswer = null;
  $("#question").value = "";
  $("#answer").hidden = true;
  setStatus("#ask-status", "已开始新来电。");
  $("#question").focus();
}

function selectedCity() {
  return document.querySelector('input[name="city"]:checked')?.value ?? "";
}

const squash = (s) => s.replace(/\s+/g, "");

function citationCard(c, n, quotedAbove) {
  const body = el("div", { class: `card${quotedAbove ? " quoted" : ""}` });
  const expand = el("button", { type: "button", class: "secondary", "aria-expanded": "false", text: "展开全文" });
  const section = el("div", { class: "section", hidden: "" });
  expand.addEventListener("click", async () => {
    if (!section.hidden) {
      section.hidden = true;
      expand.setAttribute("aria-expanded", "false");
      expand.textContent = "展开全文";
      return;
    }
    expand.disabled = true;
    try {
      const view = await api(`/api/sources/${encodeURIComponent(c.chunkId)}`);
      section.replaceChildren(
        el("p", { class: "where", text: `${view.docTitle} › ${view.section.location}` }),
        ...view.section.paragraphs.map((p) => (p.cited ? highlightCited(p.text, c.quote) : el("p", { text: p.text }))),
      );
      section.hidden = false;
      expand.setAttribute("aria-expanded", "true");
      expand.textContent = "收起全文";
    } catch (e) {
      section.replaceChildren(el("p", { class: "status error", text: e.message }));
      section.hidden = false;
    } finally {
      expand.disabled = false;
    }
  });
  body.append(
    el("div", { class: "where", text: `[${n}] 《${c.docTitle}》（${c.docStatus}） › ${c.location}` }),
    // A quote the answer text already gives verbatim is not shown again: its source line and the
    // whole section (展开全文, the quote marked) are what the card adds.
    quotedAbove ? el("p", { class: "note", text: "回答已引用这里的原文；展开全文看上下文。" }) : highlight(c.chunkText, c.quote),
    expand,
    section,
  );
  return el("li", { id: `cite-${n}`, tabindex: "-1" }, body);
}

function highlightCited(text, quote) {
  const p = highlight(text, quote);
  p.classList.add("cited");
  return p;
}

/** The answer text with its [n] markers as links to the citation cards. */
function textWithRefs(text, count) {
  const nodes = [];
  let last = 0;
  for (const m of text.matchAll(/\[(\d+)\]/g)) {
    const n = Number(m[1]);
    if (n < 1 || n > count) continue;
    nodes.push(text.slice(last, m.index));
    const link = el("a", { href: `#cite-${n}`, class: "ref", "aria-label": `引用原文第${n}条`, text: `[${n}]` });
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const card = document.getElementById(`cite-${n}`);
      card?.scrollIntoView({ block: "center" });
      card?.focus({ preventScroll: true });
    });
    nodes.push(link);
    last = m.index + m[0].length;
  }
  nodes.push(text.slice(last));
  return nodes;
}

/**
 * A verdict card. In an answer the text already gives the first verdict's reasons and basis: the card
 * is a summary line, its reasons folded and its quotes as the citation cards' numbers. In the form
 * (no text) reasons and quotes are shown.
 */
function resultCard(r, numberOf) {
  const card = el("div", { class: "result" });
  const title = el("h4", {}, el("span", { class: `badge ${r.verdict}`, text: VERDICT[r.verdict] }), `${r.city} · ${r.title}`);
  const reasons = el("ul", {}, ...r.reasons.map((x) => el("li", { text: x })));
  if (numberOf) {
    const refs = [...new Set(r.citations.map(numberOf).filter((n) => n > 0))].map((n) => `[${n}]`).join("");
    if (refs) title.append(el("span", { class: "refs", text: ` ${refs}` }));
    card.append(title, el("details", {}, el("summary", { text: "理由" }), reasons));
  } else {
    card.append(title, reasons, ...r.citations.map((c) => el("p", { class: "where", text: `“${c.quote}”（${c.location}）` })));
  }
  return card;
}

const VERDICT_ORDER = ["eligible", "conditional", "unknown", "not_eligible"];
/** Verdict cards, eligible and conditional first; the rules one does not meet folded into one line. */
function resultCards(results, numberOf) {
  const sorted = [...results].sort((a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict));
  const shown = sorted.filter((r) => r.verdict !== "not_eligible");
  const folded = sorted.filter((r) => r.verdict === "not_eligible");
  const nodes = shown.map((r) => resultCard(r, numberOf));
  if (folded.length) {
    const summary = shown.length ? `另有 ${folded.length} 项不符合（点此查看）` : `${folded.length} 项都不符合（点此查看）`;
    nodes.push(el("details", { class: "folded" }, el("summary", { text: summary }), ...folded.map((r) => resultCard(r, numberOf))));
  }
  return nodes;
}

function renderAnswer(a) {
  lastAnswer = a;
  $("#answer").hidden = false;
  const titles = { out_of_scope: "规划未涉及", not_stated: "规划未写明", clarify: "需要补充" };
  $("#answer-title").textContent = titles[a.kind] ?? "回答";
  const i = a.interpretation;
  $("#interpretation").hidden = !i;
  $("#interpretation").replaceChildren();
  if (i) {
    $("#interpretation").replaceChildren(
      el("strong", { text: "我理解您问的是：" }),
      `“${i.question}”`,
      el("span", { class: "facets", text: ` · 主题：${i.topic} · 问的是：${ASKS[i.asks] ?? i.asks}${i.followUp ? " · 接着前文问" : ""}` }),
    );
  }
  $("#answer-text").replaceChildren(...textWithRefs(a.text, a.citations.length));
  const numberOf = (c) => a.citations.findIndex((x) => x.chunkId === c.chunkId && x.quote === c.quote) + 1;
  $("#eligibility").replaceChildren(...resultCards(a.eligibility ?? [], numberOf));
  const text = squash(a.text);
  $("#citations").replaceChildren(...a.citations.map((c, n) => citationCard(c, n + 1, text.includes(squash(c.quote)))));
  $("#cites-title").hidden = a.citations.length === 0;
}

$("#ask-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const question = $("#question").value.trim();
  if (!question) {
    setStatus("#ask-status", "请输入问题。", true);
    return;
  }
  setStatus("#ask-status", "正在查询…");
  const city = selectedCity();
  const history = call.turns.slice(-HISTORY_SENT).map((t) => t.question);
  try {
    const answer = await api("/api/ask", {
      method: "POST",
      body: JSON.stringify({ question, ...(city ? { city } : {}), ...(history.length ? { history } : {}) }),
    });
    const i = answer.interpretation;
    call.turns.push({ question: answer.question || question, ...(i?.followUp ? { resolved: i.question } : {}) });
    Object.assign(call.remembered, answer.remember ?? {});
    saveCall();
    renderAnswer(answer);
    renderCall();
    setStatus("#ask-status", `用时 ${answer.timingsMs.total} 毫秒`);
    $("#question").select();
  } catch (e) {
    setStatus("#ask-status", e.message, true);
  }
});

$("#question").addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  event.preventDefault();
  if ($("#question").value !== "") {
    $("#question").value = "";
    setStatus("#ask-status", call.turns.length ? "已清空输入；再按 Esc 开始新来电。" : "");
  } else newCall();
});
$("#new-call").addEventListener("click", newCall);

for (const radio of document.querySelectorAll('input[name="city"]')) {
  radio.addEventListener("change", () => localStorage.setItem(CITY_KEY, radio.value));
}

function plainText(a) {
  const lines = [a.text];
  if (a.citations.length) {
    lines.push("", "引用原文：");
    a.citations.forEach((c, i) => lines.push(`[${i + 1}] 《${c.docTitle}》（${c.docStatus}） ${c.location}`, `“${c.quote}”`));
  }
  return lines.join("\n");
}

$("#copy").addEventListener("click", async () => {
  if (!lastAnswer) return;
  const text = plainText(lastAnswer);
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = el("textarea", { "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  setStatus("#ask-status", "已复制答案和引用原文。");
});

// ---- eligibility check ---------------------------------------------------------------
// The service is picked from the rule catalog (typed, chosen from the list, or a typo of a name or
// an everyday word for it); the form then shows only the facts that service's rules need.
let factList = [];
let shownFacts = [];
let catalog = [];
let chosenService = "";
const formValues = {};

function servicesInCity() {
  const city = $("#check-city").value;
  return city ? catalog.filter((s) => s.cities.includes(city)) : catalog;
}

/** Resolve the service box against the catalog and say what will be checked. */
function resolveService() {
  const typed = $("#check-service").value.trim();
  const matches = matchServices(typed, servicesInCity());
  const box = $("#service-match");
  if (!typed) {
    chosenService = "";
    box.replaceChildren();
    return;
  }
  if (!matches.length) {
    chosenService = "";
    box.replaceChildren(el("p", { class: "status error", text: `没有找到“${typed}”这项服务${$("#check-city").value ? `（${$("#check-city").value}）` : ""}，请从列表中选择。` }));
    return;
  }
  const [best, ...rest] = matches;
  chosenService = best.service.name;
  const others = rest.filter((m) => m.score < best.score + 3).slice(0, 4);
  box.replaceChildren(
    el("p", {}, best.exact ? "按服务" : `没有叫“${typed}”的服务，按最接近的`, el("strong", { text: `“${best.service.name}”` }), `核对（${best.service.area} · ${best.service.cities.join("、")}）。`),
    ...(others.length
      ? [
          el(
            "p",
            { class: "others" },
            "也可以核对：",
            ...others.map((m) =>
              el("button", { type: "button", class: "link", onclick: () => chooseService(m.service.name) }, m.service.name),
            ),
          ),
        ]
      : []),
  );
}

function chooseService(name) {
  $("#check-service").value = name;
  return updateService();
}

let serviceTimer;
$("#check-service").addEventListener("input", () => {
  clearTimeout(serviceTimer);
  serviceTimer = setTimeout(updateService, 250);
});
$("#check-city").addEventListener("change", () => updateService());

/** Re-resolve the service and show the facts its rules need (all facts without a service). */
async function updateService() {
  clearTimeout(serviceTimer);
  const before = chosenService;
  resolveService();
  if (chosenService === before && shownFacts.length) return;
  await renderFields();
}

async function renderFields() {
  for (const f of shownFacts) {
    const node = document.getElementById(`fact-${f.name}`);
    if (node) formValues[f.name] = node.value;
  }
  let facts = factList;
  let note = null;
  if (chosenService) {
    const city = $("#check-city").value;
    const query = new URLSearchParams({ service: chosenService, ...(city ? { city } : {}) });
    try {
      const data = await api(`/api/facts?${query}`);
      facts = data.facts;
      note = data.facts.length ? `这项服务的 ${data.rules} 条规则用到的情况（最常用的在前）` : "这项服务的规则不需要填写个人情况";
    } catch (e) {
      setStatus("#check-status", e.message, true);
      return;
    }
  }
  shownFacts = facts;
  const control = (f) => {
    const id = `fact-${f.name}`;
    return f.type === "number"
      ? el("input", { id, name: f.name, type: "number", inputmode: "numeric", placeholder: "不知道" })
      : el("select", { id, name: f.name }, el("option", { value: "", text: "不知道" }), ...f.options.map((o) => el("option", { value: String(o.value), text: o.label })));
  };
  const groups = new Map();
  if (note !== null) groups.set(note, el("fieldset", {}, el("legend", { text: note })));
  for (const f of facts) {
    const group = note ?? f.group;
    if (!groups.has(group)) groups.set(group, el("fieldset", {}, el("legend", { text: group })));
    groups.get(group).append(el("label", { for: `fact-${f.name}`, text: f.label }), control(f));
  }
  $("#check-fields").replaceChildren(...groups.values());
  $("#check-fields").classList.toggle("few", note !== null);
  for (const f of facts) if (formValues[f.name] !== undefined) $(`#fact-${f.name}`).value = formValues[f.name];
}

async function loadCheckForm() {
  loaded.add("check");
  setStatus("#check-status", "正在读取表单…");
  try {
    const [{ cities, facts }, { services }] = await Promise.all([api("/api/facts"), api("/api/check/services")]);
    factList = facts;
    catalog = services;
    for (const c of cities) $("#check-city").append(el("option", { value: c, text: c }));
    $("#service-list").replaceChildren(...services.map((s) => el("option", { value: s.name, label: `${s.area} · ${s.cities.join("、")}` })));
    setStatus("#check-status", "");
    if (!(await applyHash())) await renderFields();
  } catch (e) {
    setStatus("#check-status", e.message, true);
  }
}

function readProfile() {
  const profile = {};
  const city = $("#check-city").value;
  if (city) profile.city = city;
  for (const f of shownFacts) {
    const raw = $(`#fact-${f.name}`).value;
    if (raw === "") continue;
    if (f.type === "number") profile[f.name] = Number(raw);
    else {
      const option = f.options.find((o) => String(o.value) === raw);
      if (option) profile[f.name] = option.value;
    }
  }
  return profile;
}

function formParams() {
  const params = new URLSearchParams();
  if ($("#check-city").value) params.set("city", $("#check-city").value);
  if (chosenService) params.set("service", chosenService);
  for (const f of shownFacts) {
    const v = $(`#fact-${f.name}`).value;
    if (v !== "") params.set(f.name, v);
  }
  return params;
}

async function runCheck() {
  await updateService();
  if ($("#check-service").value.trim() && !chosenService) {
    setStatus("#check-status", "请先选一项服务（或清空服务框，按全部规则核对）。", true);
    return;
  }
  const params = formParams();
  const link = `#check?${params}`;
  $("#check-link").setAttribute("href", link);
  history.replaceState(null, "", link);
  setStatus("#check-status", "正在核对…");
  try {
    const { results } = await api("/api/check", {
      method: "POST",
      body: JSON.stringify({ profile: readProfile(), ...(chosenService ? { service: chosenService } : {}) }),
    });
    $("#check-results").replaceChildren(...resultCards(results));
    const counts = VERDICT_ORDER.map((v) => [v, results.filter((r) => r.verdict === v).length]).filter(([, n]) => n > 0);
    setStatus(
      "#check-status",
      results.length
        ? `${chosenService ? `“${chosenService}”` : "全部服务"}共 ${results.length} 条规则：${counts.map(([v, n]) => `${VERDICT[v]} ${n}`).join("，")}。`
        : "这个城市没有这项服务的规则。",
    );
    const top = $("#check-out").getBoundingClientRect().top;
    if (top > window.innerHeight * 0.8) $("#check-out").scrollIntoView({ block: "start" });
  } catch (e) {
    setStatus("#check-status", e.message, true);
  }
}

$("#check-form").addEventListener("submit", (event) => {
  event.preventDefault();
  runCheck();
});
$("#check-reset").addEventListener("click", async () => {
  $("#check-form").reset();
  for (const k of Object.keys(formValues)) delete formValues[k];
  chosenService = "";
  $("#service-match").replaceChildren();
  $("#check-results").replaceChildren();
  setStatus("#check-status", "");
  history.replaceState(null, "", "#check");
  await renderFields();
});

/** Fill the form from a shared link (#check?city=…&service=…&fact=…) and run it; false without one. */
async function applyHash() {
  const [name, query] = location.hash.slice(1).split("?");
  if (name !== "check" || !query) return false;
  const params = new URLSearchParams(query);
  if (params.has("city")) $("#check-city").value = params.get("city");
  // Links made before the catalog carried the service as free text (topic=).
  $("#check-service").value = params.get("service") ?? params.get("topic") ?? "";
  for (const f of factList) if (params.has(f.name)) formValues[f.name] = params.get(f.name);
  resolveService();
  await renderFields();
  await runCheck();
  return true;
}

// ---- service lists -------------------------------------------------------------------
async function loadServices() {
  loaded.add("services");
  setStatus("#services-status", "正在读取清单…");
  try {
    const data = await api("/api/services");
    const head = el("tr", {}, el("th", { scope: "col", text: "服务领域" }), ...data.cities.map((c) => el("th", { scope: "col", text: c })));
    const rows = data.areas.map((a) =>
      el(
        "tr",
        {},
        el("th", { scope: "row", text: a.area }),
        ...data.cities.map((c) => {
          const entry = a.byCity[c];
          if (!entry) return el("td", { "data-label": c, text: "（未列出）" });
          return el(
            "td",
            { "data-label": c },
            el("div", { class: "where", text: `共计${entry.declaredCount}项 · ${entry.table}` }),
            el("ul", {}, ...entry.items.map((i) => el("li", {}, a.differing.includes(i) ? el("mark", { class: "diff", text: i }) : i))),
          );
        }),
      ),
    );
    $("#services").replaceChildren(el("table", {}, el("caption", { class: "visually-hidden", text: "两市基本公共服务项目清单对照" }), el("thead", {}, head), el("tbody", {}, ...rows)));
    setStatus("#services-status", "");
  } catch (e) {
    setStatus("#services-status", e.message, true);
  }
}

// ---- figures -------------------------------------------------------------------------
let figureData = [];

async function loadFigures() {
  loaded.add("figures");
  setStatus("#figures-status", "正在读取指标…");
  try {
    figureData = await api("/api/figures");
    const cities = [...new Set(figureData.map((r) => r.city))];
    for (const c of cities) $("#figures-city").append(el("option", { value: c, text: c }));
    renderFigures();
    setStatus("#figures-status", "");
  } catch (e) {
    setStatus("#figures-status", e.message, true);
  }
}

function renderFigures() {
  const q = $("#figures-q").value.trim();
  const city = $("#figures-city").value;
  const rows = figureData.filter(
    (r) => (!city || r.city === city) && (!q || `${r.table}${r.category}${r.indicatorText}`.includes(q)),
  );
  const head = el("tr", {}, ...["城市", "类别", "指标", "数值", "属性", "出处"].map((t) => el("th", { scope: "col", text: t })));
  const body = rows.map((r) =>
    el(
      "tr",
      {},
      el("td", { "data-label": "城市", text: r.city }),
      el("td", { "data-label": "类别", text: r.category }),
      el("td", { "data-label": "指标", text: r.indicatorText }),
      el("td", { "data-label": "数值", text: Object.entries(r.values).map(([k, v]) => `${k}：${v}`).join("；") }),
      el("td", { "data-label": "属性", text: r.attribute ?? "" }),
      el("td", { "data-label": "出处", text: r.table }),
    ),
  );
  $("#figures").replaceChildren(el("table", {}, el("caption", { class: "visually-hidden", text: "规划指标表" }), el("thead", {}, head), el("tbody", {}, ...body)));
  setStatus("#figures-status", `${rows.length} 项指标`);
}
$("#figures-q").addEventListener("input", renderFigures);
$("#figures-city").addEventListener("change", renderFigures);
$("#figures-form").addEventListener("submit", (e) => e.preventDefault());

// ---- start ---------------------------------------------------------------------------
const saved = localStorage.getItem(CITY_KEY);
if (saved !== null) {
  const radio = document.querySelector(`input[name="city"][value="${saved}"]`);
  if (radio) radio.checked = true;
}
loadInfo();
renderCall();
const start = location.hash.slice(1).split("?")[0];
showTab(panels.includes(start) ? start : "ask");
