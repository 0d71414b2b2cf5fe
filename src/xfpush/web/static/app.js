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
  document.addEventListener("click", function (event) {
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
