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
  function megabytes(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }
  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function json(response) {
    return response.json().then(function (body) { body.status = response.status; return body; });
  }

  // One piece, with its progress (fetch cannot report upload progress; XHR can).
  function sendPiece(url, blob, offset, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.setRequestHeader("Upload-Offset", String(offset));
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = function (event) { onProgress(event.loaded); };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { reject(new Error("network")); return; }
        body.status = xhr.status;
        if (xhr.status >= 500) reject(new Error("server")); else resolve(body);
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
    input.after(bar); bar.after(status);
    status.textContent = fill(text.textSending, { percent: "0%", size: megabytes(file.size) });
    input.disabled = true;
    var requirement = input.name.replace(/^document_/, "");

    function done(message, ok) {
      input.disabled = false;
      status.textContent = message;
      status.classList.toggle("upload-status--error", !ok);
      if (ok) { input.value = ""; bar.value = bar.max; } else { bar.hidden = true; }
    }

    fetch(form.dataset.uploadStart, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Content-Type": "application/json" },
      body: JSON.stringify({ requirement: requirement, name: file.name, size: file.size })
    }).then(json).then(function (started) {
      if (started.status !== 201) { done(started.message || text.textFailed, false); return; }
      var url = started.url, pieceSize = started.piece, offset = started.offset, delay = 1000;
      function next() {
        if (offset >= file.size) return Promise.resolve();
        var end = Math.min(offset + pieceSize, file.size);
        return sendPiece(url, file.slice(offset, end), offset, function (loaded) {
          bar.value = offset + loaded;
          status.textContent = fill(text.textSending, {
            percent: Math.floor((offset + loaded) * 100 / file.size) + "%", size: megabytes(file.size)
          });
        }).then(function (answer) {
          delay = 1000;
          if (answer.status === 409 && typeof answer.offset === "number") { offset = answer.offset; return next(); }
          if (answer.status !== 200) { done(answer.message || text.textFailed, false); return null; }
          offset = answer.offset;
          if (answer.done) {
            if (answer.message) done(answer.message, false);
            else done(fill(text.textKept, { name: answer.file.name, size: megabytes(answer.file.size), sha256: answer.file.sha256 }), true);
            return null;
          }
          return next();
        }, function () {
          // The connection dropped: wait, ask where the upload stands, go on from there.
          status.textContent = text.textResuming;
          return wait(delay).then(function () {
            delay = Math.min(delay * 2, 30000);
            return fetch(url, { credentials: "same-origin" }).then(json).then(function (state) {
              if (state.status === 200) offset = state.offset;
              return next();
            }, next);
          });
        });
      }
      return next();
    }, function () { done(text.textFailed, false); });
  }

  form.querySelectorAll(".doc-row input[type=file]").forEach(function (input) {
    input.addEventListener("change", function () { upload(input); });
  });
})();
