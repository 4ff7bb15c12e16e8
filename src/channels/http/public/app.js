// Staff console. Plain ES module, no build step and no CDN: the page works offline.
// Every piece of content comes from the API; this file only renders it.

const $ = (sel) => document.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
};
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

// ---- ask -----------------------------------------------------------------------------
let lastAnswer = null;

function selectedCity() {
  return document.querySelector('input[name="city"]:checked')?.value ?? "";
}

function citationCard(c, n) {
  const body = el("div", { class: "card" });
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
    highlight(c.chunkText, c.quote),
    expand,
    section,
  );
  return el("li", {}, body);
}

function highlightCited(text, quote) {
  const p = highlight(text, quote);
  p.classList.add("cited");
  return p;
}

function resultCard(r, numberOf) {
  const card = el("div", { class: "result" });
  card.append(
    el("h4", {}, el("span", { class: `badge ${r.verdict}`, text: VERDICT[r.verdict] }), `${r.city} · ${r.title}`),
    el("ul", {}, ...r.reasons.map((x) => el("li", { text: x }))),
    ...r.citations.map((c) => el("p", { class: "where", text: `${numberOf ? `[${numberOf(c)}] ` : ""}“${c.quote}”（${c.location}）` })),
  );
  return card;
}

function renderAnswer(a) {
  lastAnswer = a;
  $("#answer").hidden = false;
  const titles = { out_of_scope: "规划未涉及", not_stated: "规划未写明", clarify: "需要补充" };
  $("#answer-title").textContent = titles[a.kind] ?? "回答";
  $("#answer-text").textContent = a.text;
  // Eligibility answers read better as cards; the plain text stays available through 复制答案.
  $("#answer-text").hidden = (a.eligibility ?? []).length > 0;
  const numberOf = (c) => a.citations.findIndex((x) => x.chunkId === c.chunkId && x.quote === c.quote) + 1;
  $("#eligibility").replaceChildren(...(a.eligibility ?? []).map((r) => resultCard(r, numberOf)));
  $("#citations").replaceChildren(...a.citations.map((c, i) => citationCard(c, i + 1)));
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
  try {
    const answer = await api("/api/ask", { method: "POST", body: JSON.stringify({ question, ...(city ? { city } : {}) }) });
    renderAnswer(answer);
    setStatus("#ask-status", `用时 ${answer.timingsMs.total} 毫秒`);
  } catch (e) {
    setStatus("#ask-status", e.message, true);
  }
});

$("#question").addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    $("#question").value = "";
    $("#answer").hidden = true;
    setStatus("#ask-status", "");
  }
});

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
let factList = [];

async function loadCheckForm() {
  loaded.add("check");
  setStatus("#check-status", "正在读取表单…");
  try {
    const { cities, facts } = await api("/api/facts");
    factList = facts;
    for (const c of cities) $("#check-city").append(el("option", { value: c, text: c }));
    const groups = new Map();
    for (const f of facts) {
      if (!groups.has(f.group)) groups.set(f.group, el("fieldset", {}, el("legend", { text: f.group })));
      const id = `fact-${f.name}`;
      const control =
        f.type === "number"
          ? el("input", { id, name: f.name, type: "number", inputmode: "numeric", placeholder: "不知道" })
          : el(
              "select",
              { id, name: f.name },
              el("option", { value: "", text: "不知道" }),
              ...f.options.map((o) => el("option", { value: String(o.value), text: o.label })),
            );
      groups.get(f.group).append(el("label", { for: id, text: f.label }), control);
    }
    $("#check-fields").replaceChildren(...groups.values());
    setStatus("#check-status", "");
    applyHash();
  } catch (e) {
    setStatus("#check-status", e.message, true);
  }
}

function readProfile() {
  const profile = {};
  const city = $("#check-city").value;
  if (city) profile.city = city;
  for (const f of factList) {
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
  if ($("#check-topic").value.trim()) params.set("topic", $("#check-topic").value.trim());
  for (const f of factList) {
    const v = $(`#fact-${f.name}`).value;
    if (v !== "") params.set(f.name, v);
  }
  return params;
}

async function runCheck() {
  const params = formParams();
  const link = `#check?${params}`;
  $("#check-link").setAttribute("href", link);
  history.replaceState(null, "", link);
  setStatus("#check-status", "正在核对…");
  try {
    const topic = $("#check-topic").value.trim();
    const { results } = await api("/api/check", {
      method: "POST",
      body: JSON.stringify({ profile: readProfile(), ...(topic ? { topic } : {}) }),
    });
    $("#check-results").replaceChildren(...results.map((r) => resultCard(r)));
    setStatus("#check-status", results.length ? `共 ${results.length} 条规则。` : "没有找到相关规则，换个服务名称试试。");
  } catch (e) {
    setStatus("#check-status", e.message, true);
  }
}

$("#check-form").addEventListener("submit", (event) => {
  event.preventDefault();
  runCheck();
});
$("#check-reset").addEventListener("click", () => {
  $("#check-form").reset();
  $("#check-results").replaceChildren();
  history.replaceState(null, "", "#check");
});

function applyHash() {
  const [name, query] = location.hash.slice(1).split("?");
  if (name !== "check" || !query) return;
  const params = new URLSearchParams(query);
  if (params.has("city")) $("#check-city").value = params.get("city");
  if (params.has("topic")) $("#check-topic").value = params.get("topic");
  for (const f of factList) if (params.has(f.name)) $(`#fact-${f.name}`).value = params.get(f.name);
  runCheck();
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
          if (!entry) return el("td", { text: "（未列出）" });
          return el(
            "td",
            {},
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
      el("td", { text: r.city }),
      el("td", { text: r.category }),
      el("td", { text: r.indicatorText }),
      el("td", { text: Object.entries(r.values).map(([k, v]) => `${k}：${v}`).join("；") }),
      el("td", { text: r.attribute ?? "" }),
      el("td", { text: r.table }),
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
const start = location.hash.slice(1).split("?")[0];
showTab(panels.includes(start) ? start : "ask");
