// Forms that help: when a form comes back with problems, move focus to the error summary so a
// screen reader announces it and keyboard users start from the list of what to fix. Each link
// in the summary then moves focus to its field (the browser follows #id; we focus the control too).
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    target.scrollIntoView({ block: "center" });
    if (typeof target.focus === "function") { target.focus(); }
  });
})();
