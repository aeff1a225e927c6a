"use strict";
// The IAM principal graph: Cytoscape.js over the elements the server laid out (a preset layout, so 150
// principals appear at once). Labels show on hover, focus or selection only; a search box centres a
// principal; a click opens the principal's page, its href built by the server with the page's context.
// Runs under the dashboard's CSP: the data comes from a non-executable JSON block, and the page carries the
// element id Cytoscape checks before injecting its one inline stylesheet (so it injects none).
(function () {
  const container = document.getElementById("graph-canvas");
  const source = document.getElementById("graph-data");
  if (!container || !source || typeof cytoscape !== "function") return;
  const data = JSON.parse(source.textContent);
  const info = document.getElementById("graph-info");
  const RED = "#c62828", ORANGE = "#ef6c00", BLUE = "#1565c0", PURPLE = "#6a1b9a", GREY = "#78909c";

  const cy = cytoscape({
    container: container,
    elements: data.elements,
    layout: { name: "preset", fit: true, padding: 24 },
    minZoom: 0.1,
    maxZoom: 4,
    boxSelectionEnabled: false,
    autoungrabify: true,
    style: [
      { selector: "node", style: { "label": "", "font-size": 12, "text-valign": "bottom", "text-margin-y": 4,
        "text-background-color": "#fff", "text-background-opacity": 0.9, "text-background-padding": 2,
        "width": 22, "height": 22, "background-color": "#90caf9", "border-width": 1, "border-color": "#37474f" } },
      { selector: "node.cluster", style: { "label": "data(label)", "text-valign": "top", "text-halign": "center",
        "font-size": 13, "font-weight": "bold", "background-color": "#eceff1", "background-opacity": 0.5,
        "border-color": "#b0bec5", "border-style": "solid", "padding": 14, "shape": "round-rectangle",
        "text-background-opacity": 0 } },
      { selector: "node.account", style: { "background-color": "#fafafa", "border-width": 2, "font-size": 15 } },
      { selector: "node.user", style: { "shape": "ellipse" } },
      { selector: "node.role", style: { "shape": "round-rectangle", "background-color": "#a5d6a7" } },
      { selector: "node.group", style: { "shape": "hexagon", "background-color": "#ffe082" } },
      { selector: "node.external", style: { "shape": "diamond", "background-color": "#ce93d8" } },
      { selector: "node.onpath", style: { "border-width": 4, "border-color": ORANGE } },
      { selector: "node.admin", style: { "shape": "octagon", "width": 30, "height": 30, "background-color": "#ef9a9a",
        "border-width": 6, "border-style": "double", "border-color": RED } },
      { selector: "node.equivalent", style: { "border-style": "dashed", "border-width": 4 } },
      { selector: "node.administrator", style: { "shape": "star", "width": 40, "height": 40, "label": "data(label)",
        "background-color": RED, "border-color": "#000" } },
      { selector: "edge", style: { "width": 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle",
        "arrow-scale": 0.9, "line-color": GREY, "target-arrow-color": GREY, "opacity": 0.8 } },
      { selector: "edge.member", style: { "line-style": "dotted", "target-arrow-shape": "none" } },
      { selector: "edge.trust", style: { "line-style": "dashed", "line-color": BLUE, "target-arrow-color": BLUE } },
      { selector: "edge.cross", style: { "line-style": "dashed", "line-dash-pattern": [10, 4, 2, 4],
        "line-color": PURPLE, "target-arrow-color": PURPLE, "width": 2 } },
      { selector: "edge.escalation", style: { "width": 4, "line-color": RED, "target-arrow-color": RED,
        "target-arrow-shape": "triangle-backcurve", "opacity": 1 } },
      { selector: "node.hover, node:selected, node.found", style: { "label": "data(label)", "z-index": 10 } },
      { selector: "node:selected, node.found", style: { "overlay-color": BLUE, "overlay-opacity": 0.2,
        "overlay-padding": 6 } },
      { selector: "edge.hover, edge:selected", style: { "label": "data(label)", "font-size": 11,
        "text-background-color": "#fff", "text-background-opacity": 0.9 } },
    ],
  });
  container._cy = cy; // for the browser tests

  function describe(node) {
    const d = node.data();
    const admin = d.admin === "full" ? ", administrator" : d.admin === "equivalent" ? ", admin-equivalent" : "";
    const name = d.kind === d.label ? d.label : d.kind + " " + d.label;
    return name + admin + (d.title && d.title !== d.label ? " (" + d.title + ")" : "");
  }
  function show(text) { if (info) info.textContent = text; }

  cy.on("mouseover", "node.principal, node.administrator", function (e) {
    e.target.addClass("hover");
    show(describe(e.target));
  });
  cy.on("mouseout", "node", function (e) { e.target.removeClass("hover"); });
  cy.on("mouseover", "edge", function (e) {
    e.target.addClass("hover");
    const d = e.target.data();
    show(d.kind + ": " + cy.getElementById(d.source).data("label") + " → " + cy.getElementById(d.target).data("label") +
         (d.label ? " [" + d.label + "]" : ""));
  });
  cy.on("mouseout", "edge", function (e) { e.target.removeClass("hover"); });
  cy.on("tap", "node.principal", function (e) {
    const href = e.target.data("href");
    if (href) window.location.assign(href);
  });

  function find(query) {
    const q = query.trim().toLowerCase();
    cy.nodes(".found").removeClass("found");
    if (!q) return null;
    const nodes = cy.nodes(".principal, .administrator");
    const exact = nodes.filter(function (n) {
      return n.data("label").toLowerCase() === q || String(n.data("title") || "").toLowerCase() === q;
    });
    const hits = exact.length ? exact : nodes.filter(function (n) {
      return (n.data("label") + " " + (n.data("title") || "")).toLowerCase().indexOf(q) >= 0;
    });
    if (!hits.length) { show("No principal matches \u201c" + query + "\u201d."); return null; }
    const node = hits[0];
    node.addClass("found");
    cy.zoom({ level: Math.max(cy.zoom(), 1.2), position: node.position() });
    cy.center(node);
    container.setAttribute("data-found", node.id());
    show(describe(node) + (hits.length > 1 ? " (first of " + hits.length + " matches)" : ""));
    return node;
  }
  const form = document.getElementById("graph-search");
  if (form) {
    form.addEventListener("submit", function (e) { e.preventDefault(); find(form.elements.find.value); });
  }
  const fit = document.getElementById("graph-fit");
  if (fit) fit.addEventListener("click", function () { cy.nodes(".found").removeClass("found"); cy.fit(undefined, 24); });

  // the keyboard: arrows pan, + and - zoom around the centre, Enter opens the principal found or selected
  container.addEventListener("keydown", function (e) {
    const step = 60;
    const pans = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const centre = { x: container.clientWidth / 2, y: container.clientHeight / 2 };
    if (pans[e.key]) {
      cy.panBy({ x: pans[e.key][0], y: pans[e.key][1] });
    } else if (e.key === "+" || e.key === "=") {
      cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: centre });
    } else if (e.key === "-") {
      cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: centre });
    } else if (e.key === "Enter") {
      const node = cy.nodes(".found, :selected").filter(".principal")[0];
      if (!node || !node.data("href")) return;
      window.location.assign(node.data("href"));
    } else {
      return;
    }
    e.preventDefault();
  });

  cy.ready(function () {
    // data-ready: milliseconds from navigation start to the first drawn frame after layout (read by the tests)
    window.requestAnimationFrame(function () {
      container.setAttribute("data-ready", String(Math.round(window.performance.now())));
    });
  });
})();
