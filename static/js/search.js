// Search as you type: the best few results under the search box (no inline script: CSP).
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("search-suggestions");
  if (!input || !list) { return; }
  var timer = null;
  var last = "";
  function show(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;  // text only: never HTML from the server
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
  }
  function lookup() {
    var q = input.value;
    if (q.trim().length < 3 || q === last) { return; }
    last = q;
    fetch("/api/v1/search?limit=5&q=" + encodeURIComponent(q.slice(0, 200)),
          { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (page) { if (input.value === q) { show(page.items || []); } })
      .catch(function () { show([]); });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { show([]); }
  });
})();
