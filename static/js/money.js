/* Money as people write it (applications/money_fields.py): the digits of an amount are
   grouped as they are typed ("1,450,000"), and the amount is read back in words under
   it, in the page's language, before anything is sent: "one million four hundred and
   fifty thousand Kenyan shillings"; in Swahili "shilingi za Kenya milioni moja, elfu
   mia nne na hamsini". The server takes the amount with or without the commas. */
(function () {
  "use strict";
  var swahili = (document.documentElement.lang || "").slice(0, 2) === "sw";

  var EN_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
  var EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
  var EN_SCALES = [[1e12, "trillion"], [1e9, "billion"], [1e6, "million"], [1e3, "thousand"]];

  function enBelow1000(n) {
    var words = [];
    if (n >= 100) { words.push(EN_ONES[Math.floor(n / 100)] + " hundred"); n %= 100; if (n) words.push("and"); }
    if (n >= 20) { words.push(EN_TENS[Math.floor(n / 10)] + (n % 10 ? "-" + EN_ONES[n % 10] : "")); }
    else if (n) { words.push(EN_ONES[n]); }
    return words.join(" ");
  }
  function english(n) {
    if (n === 0) return "zero";
    var parts = [];
    EN_SCALES.forEach(function (scale) {
      if (n >= scale[0]) { parts.push(enBelow1000(Math.floor(n / scale[0])) + " " + scale[1]); n %= scale[0]; }
    });
    if (n) parts.push((parts.length && n < 100 ? "and " : "") + enBelow1000(n));
    return parts.join(" ");
  }

  var SW_ONES = ["sifuri", "moja", "mbili", "tatu", "nne", "tano", "sita", "saba", "nane", "tisa"];
  var SW_TENS = ["", "kumi", "ishirini", "thelathini", "arobaini", "hamsini", "sitini", "sabini", "themanini", "tisini"];
  var SW_SCALES = [[1e12, "trilioni"], [1e9, "bilioni"], [1e6, "milioni"], [1e3, "elfu"]];

  function swBelow1000(n) {
    var words = [];
    if (n >= 100) { words.push("mia " + SW_ONES[Math.floor(n / 100)]); n %= 100; }
    if (n >= 10) { words.push(SW_TENS[Math.floor(n / 10)] + (n % 10 ? " na " + SW_ONES[n % 10] : "")); }
    else if (n) { words.push(SW_ONES[n]); }
    return words.join(" na ");
  }
  function swahiliWords(n) {
    if (n === 0) return "sifuri";
    var parts = [];
    SW_SCALES.forEach(function (scale) {
      if (n >= scale[0]) { parts.push(scale[1] + " " + swBelow1000(Math.floor(n / scale[0]))); n %= scale[0]; }
    });
    if (n) parts.push((parts.length ? "na " : "") + swBelow1000(n));
    return parts.join(", ").replace(", na ", " na ");
  }

  function digits(text) { return text.replace(/[,\s\u00a0\u202f'_]/g, ""); }
  function grouped(plain) {
    var match = /^(\d*)(\.\d*)?$/.exec(plain);
    if (!match) return null;
    return match[1].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (match[2] || "");
  }
  function words(plain, currency) {
    if (!/^\d+(\.\d{1,2})?$/.test(plain) || plain.split(".")[0].length > 15) return "";
    var whole = Number(plain.split(".")[0]);
    var cents = plain.indexOf(".") >= 0 ? Number((plain.split(".")[1] + "0").slice(0, 2)) : 0;
    if (swahili) {
      return currency + " " + swahiliWords(whole) + (cents ? " na senti " + swahiliWords(cents) : "");
    }
    return english(whole) + " " + currency + (cents ? " and " + english(cents) + " cents" : "");
  }

  document.querySelectorAll(".money__input").forEach(function (input) {
    var said = input.closest(".field").querySelector("[data-money-words]");
    function readBack() {
      if (!said) return;
      var text = words(digits(input.value), said.dataset.moneyWords);
      said.textContent = text;
      said.hidden = !text;
    }
    input.addEventListener("input", function () {
      var plain = digits(input.value);
      var shown = grouped(plain);
      if (shown !== null && shown !== input.value) {
        // The caret stays after the same digit it followed.
        var before = digits(input.value.slice(0, input.selectionStart || 0)).length;
        input.value = shown;
        var seen = 0, caret = 0;
        while (caret < shown.length && seen < before) { if (shown[caret] !== ",") seen++; caret++; }
        input.setSelectionRange(caret, caret);
      }
      readBack();
    });
    readBack();
  });
})();
