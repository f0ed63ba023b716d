/* A scoring sheet being assembled: its progress, asked for every 1.5 s, and the page
   reloaded once it is ready or has failed. Without JavaScript the page refreshes itself. */
(function () {
  "use strict";
  var bar = document.querySelector("[data-sheet-progress-url]"); if (!bar) return;
  var percent = document.querySelector("[data-sheet-percent]");
  var status = document.querySelector("[data-sheet-status]");
  function poll() {
    fetch(bar.getAttribute("data-sheet-progress-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { setTimeout(poll, 5000); return; }
        bar.value = data.progress; percent.textContent = data.progress; status.textContent = data.status_label;
        if (data.pending && !data.error) { setTimeout(poll, 1500); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
