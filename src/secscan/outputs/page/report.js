
"use strict";
(() => {
  const fail = (message) => {
    const banner = document.getElementById("script-error");
    banner.textContent = "The findings table could not be built: " + message;
    banner.hidden = false;
  };
  window.addEventListener("error", (event) => fail(String(event.message)));

  const RANK = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
  const STATUS = { new: 0, existing: 1, suppressed: 2 };
  const PAGE = 200;
  const COLUMNS = ["severity", "title", "location", "layer", "category", "status"];
  const FILTERS = ["severity", "layer", "category", "status"];
  const data = JSON.parse(document.getElementById("secscan-data").textContent);
  const findings = data.findings.map((finding, index) => Object.assign({ index }, finding));
  const state = { sort: "risk", descending: true, shown: PAGE, open: new Set(), text: "", filters: {} };

  const node = (tag, className, ...children) => {
    const element = document.createElement(tag);
    if (className) element.className = className;
    for (const child of children) {
      if (child === null || child === undefined) continue;
      element.append(child instanceof Node ? child : String(child));
    }
    return element;
  };

  const sortValue = {
    risk: (f) => -f.index,
    severity: (f) => RANK[f.severity],
    title: (f) => f.title.toLowerCase(),
    location: (f) => [f.where.toLowerCase(), f.line || 0],
    layer: (f) => f.layer,
    category: (f) => f.category,
    status: (f) => STATUS[f.status],
  };
  const compare = (a, b) => {
    const x = sortValue[state.sort](a);
    const y = sortValue[state.sort](b);
    const [p, q] = Array.isArray(x) ? [x, y] : [[x], [y]];
    for (let i = 0; i < p.length; i += 1) {
      if (p[i] < q[i]) return state.descending ? 1 : -1;
      if (p[i] > q[i]) return state.descending ? -1 : 1;
    }
    return a.index - b.index;
  };
  const matches = (f) => {
    for (const key of FILTERS) {
      if (state.filters[key] && f[key] !== state.filters[key]) return false;
    }
    return !state.text || f.search.includes(state.text);
  };
  for (const f of findings) {
    f.search = [f.title, f.rule_id, f.where, f.package, f.id, f.description, f.layer, f.category, f.triage]
      .filter(Boolean).join("\n").toLowerCase();
  }

  const link = (reference) => {  // reference.link: safe_url (outputs/safety.py) allowed it
    if (!reference.link) return node("span", "mono", reference.url);
    const anchor = node("a", null, reference.url);
    anchor.href = reference.url;
    anchor.rel = "noopener noreferrer";
    return anchor;
  };
  const detail = (f) => {
    const list = node("dl", "detail");
    const add = (label, value) => {
      if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return;
      list.append(node("dt", null, label));
      const dd = node("dd");
      if (value instanceof Node) dd.append(value); else dd.textContent = Array.isArray(value) ? value.join(", ") : String(value);
      list.append(dd);
    };
    add("Description", f.description);
    add("Fix", f.fix);
    if (f.references.length) {
      const refs = node("ul");
      for (const reference of f.references) refs.append(node("li", null, link(reference)));
      add("References", refs);
    }
    add("Location", f.where + (f.line ? ":" + f.line + (f.end_line && f.end_line !== f.line ? "-" + f.end_line : "") : ""));
    if (f.snippet) add("Code", node("pre", null, f.snippet));
    if (f.package) add("Package", [f.package, f.installed_version, f.fixed_version ? "fixed in " + f.fixed_version : "no fix yet"].filter(Boolean).join(" "));
    add("Image", f.target);
    add("Rule", f.rule_id);
    add("Finding id", node("code", null, f.id));
    add("Scanners", f.scanners);
    add("Scanner severity", f.scanner_severity);
    add("CWE", f.cwe);
    add("Commit", f.commit);
    if (f.in_head === false) add("In HEAD", "no (only in history)");
    if (f.in_head === null && f.category === "secret") add("In HEAD", "unknown");
    if (f.refs && f.refs.length) add("Branches", f.refs);
    if (f.sightings && f.sightings.length > 1) add("Seen", f.sightings.length + " times: " + f.sightings.slice(0, 10).join("; "));
    if (f.risk) add("Risk", f.risk);
    if (f.suppression) {
      const s = f.suppression;
      add("Suppressed", [s.reason, s.owner ? "owner " + s.owner : "", s.expires ? "until " + s.expires : "", s.source === "inline" ? "inline marker" : ""].filter(Boolean).join(" · "));
    }
    const cell = node("td");
    cell.colSpan = COLUMNS.length;
    cell.append(list);
    const row = node("tr", "detail", cell);
    row.dataset.detailFor = f.id;
    return row;
  };
  const row = (f) => {
    const title = node("td", null, node("div", null, f.title), node("div", "muted mono", f.rule_id),
      f.triage ? node("div", "muted triage", f.triage) : null);
    const tr = node("tr", "finding status-" + f.status,
      node("td", null, node("span", "badge sev-" + f.severity, f.severity)),
      title,
      node("td", "mono", f.where + (f.line ? ":" + f.line : ""),
        f.package ? node("div", "muted", [f.package, f.installed_version].filter(Boolean).join(" ")) : null),
      node("td", null, f.layer),
      node("td", null, f.category),
      node("td", null, f.status));
    tr.tabIndex = 0;
    tr.dataset.id = f.id;
    tr.setAttribute("aria-expanded", state.open.has(f.id) ? "true" : "false");
    const toggle = () => {
      if (state.open.has(f.id)) state.open.delete(f.id); else state.open.add(f.id);
      render();
    };
    tr.addEventListener("click", toggle);
    tr.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); }
    });
    return tr;
  };

  const render = () => {
    const visible = findings.filter(matches).sort(compare);
    const rows = [];
    for (const f of visible.slice(0, state.shown)) {
      rows.push(row(f));
      if (state.open.has(f.id)) rows.push(detail(f));
    }
    document.getElementById("findings-body").replaceChildren(...rows);
    const shown = Math.min(state.shown, visible.length);
    document.getElementById("findings-count").textContent =
      "Showing " + shown + " of " + visible.length + " matching findings (" + findings.length + " in total)";
    const more = document.getElementById("findings-more");
    more.hidden = visible.length <= state.shown;
    more.textContent = "Show " + Math.min(PAGE, visible.length - state.shown) + " more";
    for (const th of document.querySelectorAll("#findings-table th[data-sort]")) {
      const active = th.dataset.sort === state.sort;
      th.setAttribute("aria-sort", active ? (state.descending ? "descending" : "ascending") : "none");
    }
  };

  for (const key of FILTERS) {
    const select = document.getElementById("filter-" + key);
    const counts = new Map();
    for (const f of findings) counts.set(f[key], (counts.get(f[key]) || 0) + 1);
    const values = Array.from(counts.keys()).sort((a, b) =>
      key === "severity" ? RANK[b] - RANK[a] : key === "status" ? STATUS[a] - STATUS[b] : a < b ? -1 : a > b ? 1 : 0);
    for (const value of values) {
      const option = node("option", null, value + " (" + counts.get(value) + ")");
      option.value = value;
      select.append(option);
    }
    select.addEventListener("change", () => { state.filters[key] = select.value; state.shown = PAGE; render(); });
  }
  document.getElementById("filter-text").addEventListener("input", (event) => {
    state.text = event.target.value.trim().toLowerCase();
    state.shown = PAGE;
    render();
  });
  for (const th of document.querySelectorAll("#findings-table th[data-sort]")) {
    th.querySelector("button").addEventListener("click", () => {
      const key = th.dataset.sort;
      state.descending = state.sort === key ? !state.descending : key === "severity";
      state.sort = key;
      render();
    });
  }
  document.getElementById("findings-more").addEventListener("click", () => { state.shown += PAGE; render(); });

  render();
  document.body.dataset.ready = "true";
})();
