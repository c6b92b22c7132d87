// The countdown of the section under way: the issue page's live bar and
// present mode both show it. `deskCountdown(element)` reads the section's
// start, its budget and the server's clock from the element's data
// attributes; the box #countdown then counts down each second, on the
// server's time (the browser's clock may be off by minutes).
(function () {
  "use strict";

  var clock = { offset: 0, started: null, budget: null };

  function two(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function tick() {
    var box = document.getElementById("countdown");
    if (!box || clock.started === null || clock.budget === null) {
      return;
    }
    var left = clock.started + clock.budget - (Date.now() + clock.offset);
    var over = left < 0;
    var seconds = Math.floor(Math.abs(left) / 1000);
    var text = two(Math.floor(seconds / 60)) + ":" + two(seconds % 60);
    box.textContent = over ? "+" + text + " " + box.dataset.over : text + " " + box.dataset.left;
    box.classList.toggle("is-over", over);
  }

  window.deskCountdown = function (element) {
    var data = element.dataset;
    clock.offset = data.now ? Date.parse(data.now) - Date.now() : 0;
    clock.started = data.started ? Date.parse(data.started) : null;
    clock.budget = data.budget ? Number(data.budget) * 60000 : null;
    tick();
  };

  setInterval(tick, 1000);
})();
