// Suggestions under a text box while it is typed: links fetched from the API, shown as text
// (never HTML from the server). Used by the ask form and the search box (no inline script: CSP).
(function () {
  "use strict";
  window.forumSuggest = function (input, box, list, options) {
    var timer = null;
    var last = "";
    function show(items) {
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        if (options.role) { li.setAttribute("role", options.role); }
        var a = document.createElement("a");
        a.href = item.url;
        a.textContent = item.title;
        li.appendChild(a);
        list.appendChild(li);
      });
      box.hidden = items.length === 0;
    }
    function lookup() {
      var text = input.value;
      if (text.trim().length < options.minLength || text === last) { return; }
      last = text;
      fetch(options.url(text), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (input.value === text) { show(options.items(data)); } })
        .catch(function () { show([]); });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, options.delay);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { show([]); }
    });
  };
})();
