// Offer the browser's time zone where a member has not chosen one yet: the server marks such
// fields (a hidden input or a select) with data-browser-time-zone. Without JavaScript, UTC.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  var marked = document.querySelectorAll("[data-browser-time-zone]");
  Array.prototype.forEach.call(marked, function (element) {
    var control = /^(INPUT|SELECT)$/.test(element.tagName) ? element : element.querySelector("select, input");
    if (!control) { return; }
    if (control.tagName === "SELECT") {
      var known = Array.prototype.some.call(control.options, function (o) { return o.value === zone; });
      if (known) { control.value = zone; }
    } else {
      control.value = zone;
    }
  });
})();
