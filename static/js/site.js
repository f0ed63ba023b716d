/* Small behaviours of every portal page, kept out of the pages themselves: the
   Content-Security-Policy runs no inline script or handler (portal/settings/security.py).
   - a button with data-print prints the page;
   - a link with data-back goes back in the browser's history when there is one,
     and otherwise follows its href;
   - a form with data-confirm asks that question before it is sent;
   - what is folded away (details) is printed open: a receipt's proof, say;
   - a call page's "Apply before" bar (on a phone) steps aside while the apply panel
     it leads to is in view. */
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
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (folded) {
      folded.setAttribute("open", "");
      folded.setAttribute("data-printed-open", "");
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-printed-open]").forEach(function (folded) {
      folded.removeAttribute("open");
      folded.removeAttribute("data-printed-open");
    });
  });
  var bar = document.querySelector("[data-apply-bar]");
  var panel = document.getElementById("apply");
  if (bar && panel && window.IntersectionObserver) {
    new IntersectionObserver(function (entries) {
      bar.classList.toggle("apply-bar--away", entries[0].isIntersecting);
    }).observe(panel);
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
