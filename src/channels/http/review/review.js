// Review view. Plain ES module, no build step; every text comes from prompts/review.zh.yaml (the
// page embeds it as JSON data) and every datum from the review API. The session is an HttpOnly
// cookie: this script never sees the token after the login form sends it.

import { $, el } from "/dom.js";

const T = JSON.parse($("#texts").textContent);
const fill = (template, vars) => template.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, options = {}) {
  let res;
  try {
    res = await fetch(path, {
      ...options,
      credentials: "same-origin",
      headers: options.body ? { "content-type": "application/json" } : {},
    });
  } catch {
    throw new ApiError(0, "连接服务失败，请检查网络或稍后再试。");
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data?.error?.message ?? `请求失败（${res.status}）`);
  return data;
}

function setStatus(node, text, kind = "") {
  node.textContent = text;
  node.classList.toggle("error", kind === "error");
  node.classList.toggle("ok", kind === "ok");
}

function show(view) {
  $("#login").hidden = view !== "login";
  $("#review").hidden = view !== "review";
  if (view === "login") $("#token").focus();
}

// ---- login ---------------------------------------------------------------------------------
$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = $("#login-status");
  setStatus(status, T.login_checking);
  try {
    await api("/api/review/login", { method: "POST", body: JSON.stringify({ token: $("#token").value }) });
    $("#token").value = "";
    setStatus(status, "");
    show("review");
    await loadGroups();
  } catch (error) {
    setStatus(status, error.message, "error");
  }
});

$("#logout").addEventListener("click", async () => {
  await api("/api/review/logout", { method: "POST" }).catch(() => undefined);
  $("#groups").replaceChildren();
  show("login");
});

// ---- groups --------------------------------------------------------------------------------
function query() {
  const params = new URLSearchParams({ since: $("#since").value });
  if ($("#linked").checked) params.set("linked", "1");
  return params;
}

function channelName(c) {
  return T[`channel_${c}`] ?? c;
}

let cities = [];

function renderGroup(group, index) {
  const id = `g${index}`;
  const statuses = ["refused", "not_stated", "down"]
    .filter((s) => group.statuses[s] > 0)
    .map((s) => fill(T[`status_${s}`], { count: group.statuses[s] }));
  const meta = el(
    "p",
    { class: "meta" },
    el("span", { text: fill(T.group_count, { count: group.count }) }),
    el("span", { text: fill(T.group_dates, { first: group.firstAsked, last: group.lastAsked }) }),
    el("span", { text: statuses.join("，") }),
    group.cities.length ? el("span", { text: fill(T.group_cities, { cities: group.cities.join("、") }) }) : null,
    el("span", { text: fill(T.group_channels, { channels: group.channels.map(channelName).join("、") }) }),
    group.topics.length ? el("span", { text: fill(T.group_topics, { topics: group.topics.join("、") }) }) : null,
    group.linked.length ? el("span", { text: fill(T.group_linked, { passages: group.linked.join("、") }) }) : null,
  );
  const questions = el("fieldset", { class: "questions" }, el("legend", { text: T.questions_legend }));
  group.questions.forEach((q, i) => {
    const box = el("input", { type: "checkbox", id: `${id}-q${i}`, value: q.text });
    box.checked = true;
    questions.append(el("label", { for: `${id}-q${i}` }, box, ` ${q.text}`, el("span", { class: "count", text: `×${q.count}` })));
  });
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" });
  const results = el("ol", { class: "passages", "aria-label": T.passages_label });
  const input = el("input", { type: "search", id: `${id}-search`, value: group.label });
  const city = el("select", { id: `${id}-city` }, el("option", { value: "", text: T.search_city_all }), ...cities.map((c) => el("option", { value: c, text: c })));
  if (group.cities.length === 1) city.value = group.cities[0];
  const search = el(
    "form",
    { class: "search", role: "search" },
    el("label", { for: `${id}-search`, text: T.search_label }),
    input,
    el("label", { for: `${id}-city`, text: T.search_city_label }),
    city,
    el("button", { type: "submit", text: T.search_button }),
  );
  const article = el("article", { class: "group", "aria-labelledby": `${id}-h`, "data-key": group.key }, el("h3", { id: `${id}-h`, text: group.label }), meta, questions, search, status, results);

  search.addEventListener("submit", async (event) => {
    event.preventDefault();
    setStatus(status, T.searching);
    results.replaceChildren();
    try {
      const scope = city.value ? `&city=${encodeURIComponent(city.value)}` : "";
      const data = await api(`/api/review/passages?q=${encodeURIComponent(input.value)}${scope}`);
      setStatus(status, data.passages.length ? "" : T.no_passages);
      for (const p of data.passages) {
        const button = el("button", { type: "button", class: "link", text: T.link_button });
        button.addEventListener("click", () => link(group, p, questions, status));
        results.append(
          el(
            "li",
            { class: "passage", "data-chunk": p.chunkId },
            el("p", { class: "where", text: `${p.docTitle} › ${p.location}` }),
            el("p", { class: "text", text: p.text }),
            button,
          ),
        );
      }
    } catch (error) {
      handle(error, status);
    }
  });
  return article;
}

async function link(group, passage, questions, status) {
  const chosen = [...questions.querySelectorAll("input:checked")].map((b) => b.value);
  if (chosen.length === 0) {
    setStatus(status, T.pick_question, "error");
    return;
  }
  setStatus(status, T.linking);
  try {
    const result = await api("/api/review/link", {
      method: "POST",
      body: JSON.stringify({ chunkId: passage.chunkId, version: passage.version, questions: chosen, ids: group.ids }),
    });
    setStatus(status, result.message, "ok");
    $("#summary").textContent = result.message;
    await loadGroups(result.message);
  } catch (error) {
    handle(error, status);
  }
}

function handle(error, status) {
  if (error.status === 401) {
    show("login");
    setStatus($("#login-status"), error.message, "error");
    return;
  }
  setStatus(status, error.message, "error");
}

async function loadGroups(notice = "") {
  const summary = $("#summary");
  setStatus(summary, T.loading);
  const params = query();
  $("#export").setAttribute("href", `/api/review/export.csv?since=${encodeURIComponent(params.get("since"))}`);
  try {
    const data = await api(`/api/review/groups?${params}`);
    cities = data.cities;
    const list = $("#groups");
    list.replaceChildren(...data.groups.map(renderGroup));
    const line = data.total
      ? fill(T.summary, { total: data.total, groups: data.groups.length, ...data.statuses })
      : T.summary_empty;
    setStatus(summary, [notice, line, data.omitted ? fill(T.omitted, { count: data.omitted }) : ""].filter(Boolean).join(" "));
  } catch (error) {
    handle(error, summary);
  }
}

$("#filters").addEventListener("submit", (event) => {
  event.preventDefault();
  void loadGroups();
});

// ---- start: the review if the session cookie is still valid, else the login form ----------
try {
  await api("/api/review/session");
  show("review");
  await loadGroups();
} catch (error) {
  show("login");
  if (error.status !== 401) setStatus($("#login-status"), error.message, "error");
}
