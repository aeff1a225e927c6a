"use strict";
// Submit the findings filter as soon as a select changes; the page itself is rendered by the server.
document.addEventListener("DOMContentLoaded", function () {
  const form = document.getElementById("filters");
  if (!form) return;
  form.querySelectorAll("select").forEach(function (s) {
    s.addEventListener("change", function () { form.submit(); });
  });
});
