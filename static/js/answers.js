/* The application form on the bid page: each answer is saved a moment after the
   applicant stops typing (applications/views/autosave.py), with "Saved 14:03"
   beside it; word counts and the budget's totals follow the typing. Answers not
   yet saved are kept in this browser (localStorage) until the server has them,
   so a dropped connection or a closed tab loses nothing: they are sent again when
   the connection is back or the page is opened again. Without this script, Save
   draft sends every answer. */
(function () {
  "use strict";
  var form = document.getElementById("bid-form");
  if (!form || !form.dataset.autosave || !window.fetch || !window.URLSearchParams) return;
  var url = form.dataset.autosave;
  var text = form.dataset;
  var storeKey = "zabuni-unsaved:" + url;
  var dirty = {};
  var timer = null;
  var retry = null;
  var inFlight = false;
  var again = false;
  var submitting = false;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }
  function question(id) { return form.querySelector("[data-question='" + id + "']"); }
  function status(id, message, failed) {
    var box = question(id);
    var line = box && box.querySelector(".autosave");
    if (!line) return;
    line.textContent = message;
    line.classList.toggle("autosave--failed", Boolean(failed));
  }
  function fields(box) {
    return Array.prototype.filter.call(box.querySelectorAll("input[name], textarea[name], select[name]"),
      function (el) { return el.type !== "file"; });
  }
  // The answers as a form post: every question's fields (the server saves what it is sent).
  function body() {
    var params = new URLSearchParams();
    params.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    params.append("answers_form", "1");
    form.querySelectorAll("[data-question]").forEach(function (box) {
      fields(box).forEach(function (el) {
        if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
        params.append(el.name, el.value);
      });
    });
    return params;
  }
  // What is not yet saved, kept in this browser until the server has it.
  function remember() {
    var kept = {};
    Object.keys(dirty).forEach(function (id) {
      var box = question(id);
      if (!box) return;
      kept[id] = fields(box).map(function (el) {
        return [el.name, el.value, el.type === "checkbox" || el.type === "radio" ? el.checked : null];
      });
    });
    try {
      if (Object.keys(kept).length) localStorage.setItem(storeKey, JSON.stringify(kept));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* private mode: the server copy is all there is */ }
  }
  function restore() {
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { kept = null; }
    if (!kept) return;
    Object.keys(kept).forEach(function (id) {
      var box = question(id);
      if (!box) return;
      var els = fields(box);
      kept[id].forEach(function (saved) {
        els.forEach(function (el) {
          if (el.name !== saved[0]) return;
          if (saved[2] === null) el.value = saved[1];
          else if (el.value === saved[1]) el.checked = saved[2];
        });
      });
      dirty[id] = true;
      status(id, text.textRestored);
      follow(box);
    });
    save();
  }

  function save() {
    clearTimeout(timer);
    var ids = Object.keys(dirty);
    if (!ids.length || submitting) return;
    if (inFlight) { again = true; return; }
    inFlight = true;
    dirty = {};
    ids.forEach(function (id) { status(id, text.textSaving); });
    fetch(url, {
      method: "POST",
      body: body(),
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
    }).then(function (response) {
      return response.text().then(function (raw) {
        var answer = null;
        try { answer = JSON.parse(raw); } catch (e) { answer = null; }
        if (answer === null && response.status >= 500) throw new Error("network");
        return { ok: response.ok, answer: answer || {} };
      });
    }).then(function (result) {
      inFlight = false;
      if (result.ok) {
        ids.forEach(function (id) { if (!dirty[id]) status(id, result.answer.message); });
      } else {
        // A refusal (the deadline, signed out): say why; the answers stay in this browser.
        ids.forEach(function (id) { dirty[id] = true; status(id, result.answer.message || text.textRefused, true); });
        remember();
        return;
      }
      remember();
      if (again) { again = false; save(); }
    }).catch(function () {
      inFlight = false;
      ids.forEach(function (id) { dirty[id] = true; status(id, text.textOffline, true); });
      remember();
      clearTimeout(retry);
      retry = setTimeout(save, 5000);
    });
  }

  function words(value) {
    var trimmed = value.trim();
    return trimmed ? trimmed.split(/\s+/).length : 0;
  }
  function money(currency, amount) {
    return currency + " " + amount.toLocaleString(document.documentElement.lang || undefined,
      { minimumFractionDigits: amount % 1 ? 2 : 0, maximumFractionDigits: 2 });
  }
  function number(value) {
    var cleaned = String(value).replace(/[,\s]/g, "");
    return cleaned !== "" && isFinite(cleaned) ? Number(cleaned) : null;
  }
  // Word counts and budget totals, as the page would show them after a save.
  function follow(box) {
    box.querySelectorAll("textarea").forEach(function (area) {
      var counter = document.getElementById(area.id + "_words");
      if (!counter) return;
      var count = words(area.value);
      var limit = area.dataset.wordLimit;
      counter.textContent = limit ? fill(text.textWordsOf, { count: count, limit: limit })
        : fill(count === 1 ? text.textWord : text.textWords, { count: count });
      counter.classList.toggle("word-count--over", Boolean(limit) && count > Number(limit));
      counter.hidden = false; // hidden while a sealed answer not shown here was kept
    });
    var table = box.querySelector(".budget-table");
    if (!table) return;
    var total = 0;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var inputs = row.querySelectorAll("input");
      var quantity = number(inputs[1].value);
      var cost = number(inputs[2].value);
      var cell = row.querySelector(".budget-table__line");
      if (quantity === null || cost === null) { cell.textContent = ""; return; }
      total += quantity * cost;
      cell.textContent = money(box.dataset.currency, quantity * cost);
    });
    table.querySelector(".budget-table__total").textContent = money(box.dataset.currency, total);
  }

  function changed(event) {
    var box = event.target.closest("[data-question]");
    if (!box || event.target.type === "file") return;
    dirty[box.dataset.question] = true;
    remember();
    follow(box);
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // Save draft and Submit send every answer themselves.
  form.addEventListener("submit", function () {
    submitting = true;
    clearTimeout(timer);
    dirty = {};
    try { localStorage.removeItem(storeKey); } catch (e) { /* nothing kept */ }
  });
  window.addEventListener("online", save);
  window.addEventListener("pagehide", remember);
  restore();
})();
