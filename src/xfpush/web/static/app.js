/* xfpush workbench: the small behaviour htmx does not cover (tips and hotlines lists). No eval, no inline script. */
(function () {
  "use strict";
  function form() { return document.getElementById("compose-form"); }
  function changed() {
    var f = form();
    if (f) { f.dispatchEvent(new Event("xf-changed", { bubbles: true })); }
  }
  function renumber() {
    var rows = document.querySelectorAll("#tips .tip-row");
    rows.forEach(function (row, i) {
      var label = row.querySelector("label");
      var input = row.querySelector("input");
      input.id = "tip-" + (i + 1);
      label.htmlFor = input.id;
      label.textContent = "提示 " + (i + 1);
    });
  }
  function addFrom(templateId, listId) {
    var template = document.getElementById(templateId);
    var list = document.getElementById(listId);
    var node = template.content.firstElementChild.cloneNode(true);
    list.appendChild(node);
    return node;
  }
  // Recording a spoken asset: MediaRecorder → POST /compose/take → the fragment holding the take.
  var active = null;
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"]; } catch (e) { return ""; }
  }
  function recordState(profile, text) {
    var el = document.querySelector('.take[data-profile="' + profile + '"] .record-state');
    if (el) { el.textContent = text; }
  }
  function uploadTake(profile, blob) {
    var data = new FormData();
    data.append("profile", profile);
    data.append("take", blob, "take");
    recordState(profile, "正在处理录音…");
    fetch("/compose/take", { method: "POST", body: data, credentials: "same-origin",
                             headers: { "X-CSRF-Token": csrf(), "HX-Request": "true" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var target = document.getElementById("take-" + profile);
        target.innerHTML = html;
        if (window.htmx) { window.htmx.process(target); }
        recordState(profile, "");
        changed();
      })
      .catch(function () { recordState(profile, "上传失败，请重试"); });
  }
  function stopRecording() {
    if (!active) { return; }
    active.button.textContent = "录音";
    active.button.classList.remove("recording");
    active.recorder.stop();
    active = null;
  }
  function startRecording(button) {
    var profile = button.getAttribute("data-record");
    if (!window.isSecureContext || !navigator.mediaDevices || !window.MediaRecorder) {
      recordState(profile, "这个地址或浏览器不能录音（需本机 127.0.0.1 或 https）；请选择录好的文件");
      return;
    }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var recorder = new MediaRecorder(stream);
      var chunks = [];
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) { chunks.push(e.data); } };
      recorder.onstop = function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        uploadTake(profile, new Blob(chunks, { type: recorder.mimeType || "audio/webm" }));
      };
      recorder.start();
      active = { recorder: recorder, button: button };
      button.textContent = "停止";
      button.classList.add("recording");
      recordState(profile, "正在录音，念完请点“停止”");
    }).catch(function () {
      recordState(profile, "没有麦克风权限：请在浏览器中允许使用麦克风，或选择录好的文件");
    });
  }
  // Pictograms: ticking one switches to "自己挑选" and puts it after the ones already ticked,
  // so the order of ticking is the order on the page (the form posts them in grid order).
  // Capture phase: this runs before htmx posts the form for the live preview on "change".
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[name=icons]")) { return; }
    var chosen = document.querySelector("input[name=icons_mode][value=chosen]");
    if (chosen && box.checked) { chosen.checked = true; }
    var grid = document.getElementById("icon-grid");
    var label = box.closest(".icon-choice");
    var ticked = Array.prototype.filter.call(grid.querySelectorAll(".icon-choice"), function (node) {
      return node !== label && node.querySelector("input").checked;
    });
    var after = ticked.length ? ticked[ticked.length - 1].nextSibling : grid.firstChild;
    grid.insertBefore(label, after);
  }, true);
  document.addEventListener("click", function (event) {
    var record = event.target.closest("[data-record]");
    if (record) {
      var again = active && active.button === record;
      stopRecording();
      if (!again) { startRecording(record); }
      return;
    }
    var dropTake = event.target.closest("[data-take-remove]");
    if (dropTake) {
      dropTake.closest(".take-row").remove();
      changed();
      return;
    }
    var remove = event.target.closest("[data-image-remove]");
    if (remove) {
      remove.closest(".image-row").remove();
      changed();
      return;
    }
    var button = event.target.closest("[data-tip], [data-hotline]");
    if (!button) { return; }
    var action = button.getAttribute("data-tip") || button.getAttribute("data-hotline");
    var row = button.closest(".tip-row, .hotline-row");
    if (button.hasAttribute("data-tip")) {
      if (action === "add") {
        var node = addFrom("tip-template", "tips");
        renumber();
        node.querySelector("input").focus();
        return;
      }
      if (action === "remove") { row.remove(); }
      if (action === "up" && row.previousElementSibling) { row.parentNode.insertBefore(row, row.previousElementSibling); }
      if (action === "down" && row.nextElementSibling) { row.parentNode.insertBefore(row.nextElementSibling, row); }
      renumber();
      button.focus();
    } else {
      if (action === "add") { addFrom("hotline-template", "hotlines").querySelector("input").focus(); return; }
      if (action === "remove") { row.remove(); }
    }
    changed();
  });
})();
