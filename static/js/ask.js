// Suggest similar existing questions while the title is typed.
(function () {
  "use strict";
  var input = document.getElementById("title");
  var box = document.getElementById("similar");
  if (!input || !box || !window.forumSuggest) { return; }
  window.forumSuggest(input, box, box.querySelector("ul"), {
    minLength: 4, delay: 250,
    url: function (title) { return "/api/v1/questions/similar?title=" + encodeURIComponent(title.trim().slice(0, 150)); },
    items: function (data) { return data || []; }
  });
})();
