/* A review: the running total as the reviewer types; without JavaScript the page
   shows what was saved. */
(function () {
  "use strict";
  var form = document.getElementById("score-form"), out = document.getElementById("score-total");
  if (!form || !out) return;
  function sum() {
    var total = 0;
    form.querySelectorAll(".score-row__points input").forEach(function (input) {
      var value = parseFloat(String(input.value).replace(",", "."));
      if (!isNaN(value)) total += Math.round(value * 100);
    });
    out.textContent = (total / 100).toFixed(2);
  }
  form.addEventListener("input", sum);
  sum();
})();
