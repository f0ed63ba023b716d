/* Small behaviours of every portal page, kept out of the pages themselves: the
   Content-Security-Policy runs no inline script or handler (portal/settings/security.py).
   - a button with data-print prints the page;
   - a link with data-back goes back in the browser's history when there is one,
     and otherwise follows its href;
   - a form with data-confirm asks that question before it is sent. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : null;
    if (!target) return;
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    if (target.closest("a[data-back]") && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
