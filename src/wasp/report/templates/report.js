"use strict";
// wasp report: renders the findings browser from the embedded JSON, one page at a time.
// Only textContent and createElement are used: no string ever becomes markup.
(function () {
  const DATA = JSON.parse(document.getElementById("wasp-data").textContent);
  const STATUS = ["FAIL", "UNKNOWN", "PASS"];
  const K = DATA.kinds, R = DATA.resources, F = DATA.findings;
  const $ = (id) => document.getElementById(id);
  const byResource = new Map();
  F.forEach((f, i) => { const l = byResource.get(f[4]); if (l) l.push(i); else byResource.set(f[4], [i]); });
  let haystack = null;  // lower-cased search text per finding, built on first search
  let matches = F.map((_, i) => i);
  let page = 0;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function statusOf(f) { return f[3] ? "MUTED" : STATUS[f[2]]; }
  function label(r) { return r[6] ? r[2] + " @ " + r[6] : r[2]; }

  function filters() {
    return {
      text: $("f-text").value.trim().toLowerCase(), status: $("f-status").value, severity: $("f-severity").value,
      area: $("f-area").value, question: $("f-question").value, resp: $("f-resp").value, muted: $("f-muted").value,
      practice: $("f-practice").value,
    };
  }

  function apply() {
    const q = filters();
    if (q.text && haystack === null) {
      haystack = F.map((f) => {
        const k = K[f[1]], r = R[f[4]];
        return [k[0], k[1], r[0], r[1], r[2], r[3], r[6], f[5], f[0]].join("\n").toLowerCase();
      });
    }
    const qp = q.question ? q.question + "-" : "";
    matches = [];
    for (let i = 0; i < F.length; i++) {
      const f = F[i], k = K[f[1]];
      if (q.status && STATUS[f[2]] !== q.status) continue;
      if (q.severity && k[2] !== q.severity) continue;
      if (q.area && k[3] !== q.area) continue;
      if (q.resp && k[7] !== q.resp) continue;
      if (q.muted === "0" && f[3]) continue;
      if (q.muted === "1" && !f[3]) continue;
      if (q.practice && k[4].indexOf(q.practice) < 0) continue;
      if (qp && !k[4].some((bp) => bp.startsWith(qp))) continue;
      if (q.text && haystack[i].indexOf(q.text) < 0) continue;
      matches.push(i);
    }
    page = 0;
    draw();
  }

  function pageSize() { return parseInt($("page-size").value, 10) || 50; }

  function draw() {
    const size = pageSize();
    const pages = Math.max(1, Math.ceil(matches.length / size));
    if (page >= pages) page = pages - 1;
    const start = page * size, end = Math.min(matches.length, start + size);
    const body = $("rows");
    const frag = document.createDocumentFragment();
    for (let j = start; j < end; j++) {
      const i = matches[j], f = F[i], k = K[f[1]], r = R[f[4]];
      const tr = el("tr");
      tr.dataset.index = String(i);
      const st = statusOf(f);
      tr.append(el("td", st, "st-" + st), el("td", k[2], "sev-" + k[2]), el("td", k[0]),
                el("td", label(r)), el("td", r[5] || "global"), el("td", f[5]));
      frag.append(tr);
    }
    body.replaceChildren(frag);
    $("count").textContent = matches.length.toLocaleString() + " of " + F.length.toLocaleString() + " results" +
      (matches.length ? " (showing " + (start + 1).toLocaleString() + "–" + end.toLocaleString() + ")" : "");
    $("page").textContent = "page " + (page + 1) + " of " + pages;
    $("prev").disabled = page === 0;
    $("next").disabled = page >= pages - 1;
  }

  function pair(dl, term, value) {
    if (value === undefined || value === null || value === "") return;
    dl.append(el("dt", term), el("dd", value));
  }

  function show(i) {
    const f = F[i], k = K[f[1]], r = R[f[4]], rem = k[8] || {};
    $("d-title").textContent = k[1];
    const d = $("d-finding"); d.replaceChildren();
    pair(d, "status", statusOf(f) + (f[3] ? " (" + STATUS[f[2]] + ")" : ""));
    pair(d, "mute reason", f[6]);
    pair(d, "severity", k[2]); pair(d, "check", k[0]); pair(d, "finding id", f[0]);
    pair(d, "reason", f[5]); pair(d, "area", k[3]); pair(d, "best practices", k[4].join(", "));
    pair(d, "CIS", k[5].join(", ")); pair(d, "FSBP", k[6].join(", "));
    pair(d, "responsibility", k[7]); pair(d, "source", k[9]);
    const rd = $("d-resource"); rd.replaceChildren();
    pair(rd, "type", r[0]); pair(rd, "id", r[1]); pair(rd, "name", r[2]); pair(rd, "ARN", r[3]);
    pair(rd, "account", r[4]); pair(rd, "region", r[5] || "global"); pair(rd, "location", r[6]);
    Object.keys(r[7] || {}).sort().forEach((t) => pair(rd, "tag " + t, r[7][t]));
    const rm = $("d-remediation"); rm.replaceChildren();
    rm.append(el("p", rem.text || "-"));
    [["AWS CLI", rem.cli], ["CloudFormation", rem.cloudformation], ["Terraform", rem.terraform],
     ["wasp respond playbook", rem.playbook]].forEach(([name, snippet]) => {
      if (snippet) { rm.append(el("h5", name), el("pre", snippet)); }
    });
    if (rem.url) {
      const p = el("p", "Documentation: ");
      if (/^https:\/\//.test(rem.url)) {
        const a = el("a", rem.url); a.href = rem.url; a.rel = "noopener noreferrer"; a.target = "_blank"; p.append(a);
      } else { p.append(el("span", rem.url)); }
      rm.append(p);
    }
    let evidence = f[7] || "none recorded";
    try { evidence = JSON.stringify(JSON.parse(f[7]), null, 1); } catch (e) { /* truncated: shown as is */ }
    $("d-evidence").textContent = evidence;
    const rel = $("d-related"); rel.replaceChildren();
    (byResource.get(f[4]) || []).forEach((j) => {
      const g = F[j], gk = K[g[1]], st = statusOf(g);
      const tr = el("tr"); tr.dataset.index = String(j);
      tr.append(el("td", st, "st-" + st), el("td", gk[0]), el("td", g[5]));
      rel.append(tr);
    });
    $("detail").hidden = false;
  }

  let timer = 0;
  $("f-text").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(apply, 150); });
  ["f-status", "f-severity", "f-area", "f-question", "f-resp", "f-muted"].forEach((id) =>
    $(id).addEventListener("change", () => { $("f-practice").value = ""; apply(); }));
  $("filters").addEventListener("reset", () => { $("f-practice").value = ""; setTimeout(apply, 0); });
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); apply(); });
  $("page-size").addEventListener("change", draw);
  $("prev").addEventListener("click", () => { page = Math.max(0, page - 1); draw(); });
  $("next").addEventListener("click", () => { page += 1; draw(); });
  $("close").addEventListener("click", () => { $("detail").hidden = true; });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") $("detail").hidden = true; });
  function rowClick(e) {
    const tr = e.target.closest("tr[data-index]");
    if (tr) show(parseInt(tr.dataset.index, 10));
  }
  $("rows").addEventListener("click", rowClick);
  $("d-related").addEventListener("click", rowClick);
  document.querySelectorAll("[data-filter-area]").forEach((a) => a.addEventListener("click", () => {
    $("filters").reset(); $("f-area").value = a.dataset.filterArea; setTimeout(apply, 0);
  }));
  document.querySelectorAll("[data-filter-practice]").forEach((a) => a.addEventListener("click", () => {
    $("filters").reset(); setTimeout(() => { $("f-practice").value = a.dataset.filterPractice; apply(); }, 0);
  }));
  draw();
})();
