// Suggest similar existing questions while the title is typed (no inline script: CSP).
(function () {
  "use strict";
  var input = document.getElementById("title");
  var box = document.getElementById("similar");
  if (!input || !box) { return; }
  var list = box.querySelector("ul");
  var timer = null;
  var last = "";
  function show(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;  // text only: never HTML from the server
      li.appendChild(a);
      list.appendChild(li);
    });
    box.hidden = items.length === 0;
  }
  function lookup() {
    var title = input.value.trim();
    if (title.length < 4 || title === last) { return; }
    last = title;
    fetch("/api/v1/questions/similar?title=" + encodeURIComponent(title.slice(0, 150)),
          { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(show)
      .catch(function () { show([]); });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 250);
  });
})();
