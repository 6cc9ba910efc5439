// Review photos start blurred (class is-blurred on figure[data-review-photo]). Without this script
// the "Show photo" link opens the photo itself; with it, the link shows the photo in place and
// becomes a button that blurs it again.
(function () {
  "use strict";
  document.querySelectorAll("figure[data-review-photo]").forEach(function (figure) {
    var link = figure.querySelector("a[data-show-photo]");
    if (!link) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary review-photo-show";
    button.setAttribute("aria-pressed", "false");
    button.textContent = "Show photo";
    button.addEventListener("click", function () {
      var blurred = figure.classList.toggle("is-blurred");
      button.textContent = blurred ? "Show photo" : "Blur photo";
      button.setAttribute("aria-pressed", blurred ? "false" : "true");
    });
    link.replaceWith(button);
  });
})();
