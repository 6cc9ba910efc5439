// Search as you type: the best few results under the search box.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("search-suggestions");
  if (!input || !list || !window.forumSuggest) { return; }
  window.forumSuggest(input, list, list, {
    minLength: 3, delay: 200, role: "option",
    url: function (q) { return "/api/v1/search?limit=5&q=" + encodeURIComponent(q.slice(0, 200)); },
    items: function (data) { return (data && data.items) || []; }
  });
})();
