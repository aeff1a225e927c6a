"use strict";
// Submit the findings filter and the header's source/scan/account selector as soon as a select changes;
// the pages themselves are rendered by the server (the forms also work without this script).
document.addEventListener("DOMContentLoaded", function () {
  ["filters", "context"].forEach(function (id) {
    const form = document.getElementById(id);
    if (!form) return;
    form.querySelectorAll("select").forEach(function (s) {
      s.addEventListener("change", function () {
        // a new source or account has its own scans: let the server pick the newest of them
        if (id === "context" && s.name !== "scan" && form.elements.scan) form.elements.scan.value = "";
        form.submit();
      });
    });
  });
});
