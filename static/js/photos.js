// Members' photos (questions, reviews: templates/_macros/photos.html) are blurred until the reader asks: each "Show photo" button (hidden without
// JavaScript, when the link to the full photo still works) toggles the blur of its picture.
(function () {
  "use strict";
  var buttons = document.querySelectorAll(".show-photo");
  Array.prototype.forEach.call(buttons, function (button) {
    var image = document.getElementById(button.getAttribute("aria-controls"));
    if (!image) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var shown = image.classList.toggle("is-blurred") === false;
      button.textContent = shown ? "Blur photo" : "Show photo";
    });
  });
})();
