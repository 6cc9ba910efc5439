// The header menu is a <details>: it works without this script. Browsers that cannot style
// ::details-content keep a closed <details> hidden even on wide screens, so there the menu is
// opened whenever the screen is wide enough to show the nav inline (CSS hides the summary).
(function () {
  "use strict";
  if (window.CSS && CSS.supports && CSS.supports("selector(::details-content)")) return;
  var menu = document.querySelector("details.menu");
  if (!menu || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 48rem)");
  function sync() { if (wide.matches) menu.open = true; }
  sync();
  if (wide.addEventListener) wide.addEventListener("change", sync);
})();
