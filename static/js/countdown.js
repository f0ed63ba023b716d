/* The bid page: the time left before the deadline, in days until its last day, then
   in hours and minutes, and to the second in the last hour, in the reader's language (the words come from the element's data-countdown-* attributes;
   each language orders its own units, "siku 2, saa 3, ..." in Swahili), a warning in
   the last hour, and the bid form's buttons disabled once it is sent. */
(function () {
  "use strict";
  var form = document.getElementById("bid-form");
  if (form) form.addEventListener("submit", function () {
    setTimeout(function () { form.querySelectorAll("button").forEach(function (b) { b.disabled = true; }); }, 0);
  });
  var el = document.querySelector("[data-countdown]");
  if (!el) return;
  var words = el.dataset;
  var end = new Date(words.countdown).getTime();
  function tick() {
    var left = Math.floor((end - Date.now()) / 1000);
    if (left <= 0) { el.textContent = words.countdownPassed; return; }
    var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
    // Days until the last day, then hours and minutes; seconds only in the last hour.
    var shape = d > 1 ? words.countdownDays : d === 1 ? words.countdownDay : h ? words.countdownHours : words.countdownMinutes;
    if (!h && !d && !words.countdownMinutes) shape = words.countdownHours;
    el.textContent = words.countdownPrefix + " " + shape.replace("{d}", d).replace("{h}", h).replace("{m}", m).replace("{s}", s);
    if (left < 3600) {
      var warning = document.getElementById("last-hour");
      if (warning) warning.hidden = false;
      el.className = "relative relative--urgent";
    }
    setTimeout(tick, 1000);
  }
  tick();
})();
