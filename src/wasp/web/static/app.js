"use strict";
// Submit the findings filter and the header's source/scan/account selector as soon as a select changes;
// the pages themselves are rendered by the server (the forms also work without this script).
// A keyboard user moving through a closed select with the arrow keys changes its value at every key press:
// submitting then would leave the page at the first step (WCAG 3.2.2, on input), so a select changed from the
// keyboard submits on Enter, or with the form's button, and one changed with the mouse submits at once.
document.addEventListener("DOMContentLoaded", function () {
  ["filters", "context"].forEach(function (id) {
    const form = document.getElementById(id);
    if (!form) return;
    const submit = function (s) {
      // a new source or account has its own scans: let the server pick the newest of them
      if (id === "context" && s.name !== "scan" && form.elements.scan) form.elements.scan.value = "";
      form.submit();
    };
    form.querySelectorAll("select").forEach(function (s) {
      let keyboard = false;
      s.addEventListener("pointerdown", function () { keyboard = false; });
      s.addEventListener("keydown", function (e) {
        if (e.key === "Enter") {
          e.preventDefault();
          submit(s);
        } else if (e.key !== "Tab") {
          keyboard = true;
        }
      });
      s.addEventListener("change", function () {
        if (!keyboard) submit(s);
      });
    });
  });
});

// A table frame that scrolls sideways (a wide table on a narrow screen) must be reachable from the keyboard to be
// scrolled (WCAG 2.1.1): when it overflows and holds nothing focusable, it becomes a named, focusable region.
function markScrollRegions() {
  document.querySelectorAll(".table-wrap, .scroll").forEach(function (frame) {
    const overflows = frame.scrollWidth > frame.clientWidth + 1;
    const focusable = frame.querySelector("a[href], button, input, select, textarea, [tabindex]");
    if (overflows && !focusable && !frame.hasAttribute("tabindex")) {
      const caption = frame.querySelector("caption");
      frame.setAttribute("tabindex", "0");
      frame.setAttribute("role", "region");
      frame.setAttribute("aria-label", (caption ? caption.textContent.trim() : "Table") + " (scrolls sideways)");
      frame.dataset.scrollRegion = "1";
    } else if (!overflows && frame.dataset.scrollRegion) {
      ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (a) { frame.removeAttribute(a); });
    }
  });
}
document.addEventListener("DOMContentLoaded", markScrollRegions);
window.addEventListener("resize", markScrollRegions);
