/* Each document uploads on its own as soon as it is chosen, a piece at a time, and
   goes on from where it stopped when the connection drops (applications/services/
   resumable.py). Without this script, the form sends the files with Save draft. */
(function () {
  "use strict";
  var form = document.getElementById("bid-form");
  if (!form || !form.dataset.uploadStart || !window.fetch || !window.Blob || !Blob.prototype.slice) return;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var text = form.dataset;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }
  // As the page writes sizes (Django's filesizeformat): "341 bytes", "586.6 KB", "9.0 MB".
  function megabytes(bytes) {
    if (bytes < 1024) return fill(text.textBytes || "{n} bytes", { n: bytes });
    return bytes < 1048576 ? (bytes / 1024).toFixed(1) + " KB" : (bytes / 1048576).toFixed(1) + " MB";
  }
  // Save draft and Submit wait while a file is on its way, and say so beside them.
  var inFlight = 0;
  var waiting = document.createElement("p");
  waiting.className = "form-actions__waiting";
  waiting.setAttribute("role", "status");
  waiting.hidden = true;
  var actions = form.querySelector(".form-actions");
  if (actions) actions.after(waiting);
  function busy(change) {
    inFlight += change;
    form.querySelectorAll("button[name=action]").forEach(function (button) { button.disabled = inFlight > 0; });
    waiting.hidden = inFlight === 0;
    waiting.textContent = inFlight === 1 ? text.textWaitingOne : fill(text.textWaitingMany || "", { count: inFlight });
  }
  // A row with a kept file offers to replace it; a row without one, to choose one.
  function refreshPick(row) {
    var pick = row.querySelector(".file-pick");
    if (!pick) return;
    var kept = Boolean(row.querySelector(".doc-row__file"));
    pick.classList.toggle("file-pick--replace", kept);
    pick.querySelector(".file-pick__button").textContent = kept ? text.textReplaceButton : text.textChoose;
    var chosen = pick.querySelector(".file-pick__name");
    chosen.hidden = kept && chosen.textContent === text.textNone;
  }
  // The row shows the file now kept, as the page would after a reload.
  function showKept(row, input, file) {
    // A new file replaces the row's block of its kind: the draft's file, or the
    // replacement waiting for Resubmit (a submitted bid's file stays until then).
    row.querySelectorAll(".doc-row__file").forEach(function (old) {
      if (old.classList.contains("notice") === Boolean(file.pending)) old.remove();
    });
    var block = document.createElement("div");
    block.className = "doc-row__file" + (file.pending ? " notice notice--warning" : "");
    var label = document.createElement("span");
    label.className = "doc-row__label";
    label.textContent = text.textFileLabel;
    // As the page writes it (applications/includes/file_line.html): the name, "Sealed"
    // when it is, then its size and SHA-256.
    var name = document.createElement("span");
    name.className = "file-sealed";
    name.textContent = file.name;
    var note = document.createElement("span");
    note.className = "cell-note";
    note.textContent = megabytes(file.size) + " · SHA-256 ";
    var sha = document.createElement("span");
    sha.className = "ref sha";
    sha.textContent = file.sha256;
    note.appendChild(sha);
    block.appendChild(label);
    block.appendChild(document.createTextNode(" "));
    block.appendChild(name);
    if (file.sealed) {
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = text.textSealed;
      block.appendChild(document.createTextNode(" "));
      block.appendChild(tag);
    }
    block.appendChild(document.createTextNode("\n"));
    block.appendChild(note);
    row.querySelector("legend").after(block);
    var labelFor = row.querySelector("label[for='" + input.id + "']");
    if (labelFor && labelFor.firstChild) labelFor.firstChild.textContent = text.textReplace;
    refreshPick(row);
  }
  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // The server answers in JSON, with a message on refusal. Any 4xx that is not
  // (a proxy's own page) is still a refusal, without a message: the upload stops.
  // Anything else that is not JSON is taken as a dropped connection: it is retried.
  function readAnswer(status, text) {
    var body = null;
    try { body = JSON.parse(text); } catch (e) { body = null; }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      if (status >= 400 && status < 500) body = {};
      else throw new Error("network");
    }
    body.status = status;
    return body;
  }
  function json(response) {
    return response.text().then(function (text) { return readAnswer(response.status, text); });
  }

  // One piece, with its progress (fetch cannot report upload progress; XHR can).
  function sendPiece(url, key, blob, offset, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.setRequestHeader("Upload-Offset", String(offset));
      // The key of this upload's encrypted pieces: only this page holds it.
      xhr.setRequestHeader("Upload-Key", key);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = function (event) { onProgress(event.loaded); };
      xhr.onload = function () {
        if (xhr.status >= 500) { reject(new Error("server")); return; }
        try { resolve(readAnswer(xhr.status, xhr.responseText)); } catch (e) { reject(e); }
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { reject(new Error("network")); };
      xhr.send(blob);
    });
  }

  function upload(input) {
    var file = input.files[0];
    if (!file) return;
    var row = input.closest(".doc-row");
    var bar = row.querySelector(".upload-progress") || document.createElement("progress");
    var status = row.querySelector(".upload-status") || document.createElement("p");
    bar.className = "upload-progress"; bar.max = file.size; bar.value = 0; bar.hidden = false;
    status.className = "upload-status"; status.setAttribute("role", "status");
    (row.querySelector(".file-pick") || input).after(bar); bar.after(status);
    status.textContent = fill(text.textSending, { percent: "0%", size: megabytes(file.size) });
    input.disabled = true;
    busy(1);
    var requirement = input.name.replace(/^document_/, "");

    function done(message, ok) {
      input.disabled = false;
      busy(-1);
      status.textContent = message;
      status.classList.toggle("upload-status--error", !ok);
      // Kept: the file's own line says so; the message stays for screen readers.
      status.classList.toggle("visually-hidden", ok);
      bar.hidden = true;
      if (ok) {
        input.value = "";
        var chosen = row.querySelector(".file-pick__name");
        if (chosen) chosen.textContent = text.textNone;
        refreshPick(row);
      }
    }

    fetch(form.dataset.uploadStart, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Content-Type": "application/json" },
      body: JSON.stringify({ requirement: requirement, name: file.name, size: file.size })
    }).then(json).then(function (started) {
      if (started.status !== 201) { done(started.message || text.textFailed, false); return; }
      var url = started.url, key = started.key, pieceSize = started.piece, offset = started.offset, delay = 1000;
      // How the upload ended: the file kept, or refused with the reason.
      function ended(state) {
        if (state.kept && state.file) { showKept(row, input, state.file); done(text.textKept, true); }
        else done(state.message || text.textFailed, false);
        return null;
      }
      // The next piece; at the end of the file, no bytes: the server then says how
      // the upload ended, finishing it if the answer to the last piece was lost.
      function next() {
        var end = Math.min(offset + pieceSize, file.size);
        return sendPiece(url, key, file.slice(offset, end), offset, function (loaded) {
          bar.value = offset + loaded;
          status.textContent = fill(text.textSending, {
            percent: Math.floor((offset + loaded) * 100 / file.size) + "%", size: megabytes(file.size)
          });
        }).then(function (answer) {
          delay = 1000;
          if (answer.done) return ended(answer);
          if (answer.status === 409 && typeof answer.offset === "number") { offset = answer.offset; return next(); }
          // Any other refusal says what to do (sign in, reload, choose again): stop.
          if (answer.status !== 200) { done(answer.message || text.textFailed, false); return null; }
          offset = answer.offset;
          return next();
        }, function () {
          // The connection dropped: wait, ask where the upload stands, go on from there.
          status.textContent = text.textResuming;
          return wait(delay).then(function () {
            delay = Math.min(delay * 2, 30000);
            return fetch(url, { credentials: "same-origin" }).then(json).then(function (state) {
              if (state.done) return ended(state);
              if (state.status !== 200) { done(state.message || text.textFailed, false); return null; }
              offset = state.offset;
              return next();
            }, next);
          });
        });
      }
      return next();
    }, function () { done(text.textFailed, false); });
  }

  // The browser's own file control speaks the browser's language ("Choose File"),
  // whatever the page's: this one speaks the page's, and is big enough to tap. The
  // native control stays in place (keyboard, screen readers, and the plain form).
  form.querySelectorAll(".doc-row input[type=file]").forEach(function (input) {
    var pick = document.createElement("label");
    pick.className = "file-pick";
    pick.htmlFor = input.id;
    var button = document.createElement("span");
    button.className = "file-pick__button";
    button.textContent = text.textChoose;
    var chosen = document.createElement("span");
    chosen.className = "file-pick__name";
    chosen.textContent = text.textNone;
    pick.appendChild(button);
    pick.appendChild(chosen);
    input.after(pick);
    input.closest(".doc-row").classList.add("doc-row--enhanced");
    refreshPick(input.closest(".doc-row"));
    input.addEventListener("change", function () {
      chosen.textContent = input.files[0] ? input.files[0].name : text.textNone;
      chosen.hidden = false;
      upload(input);
    });
  });
})();
