// Recording a moment: "Select all" ticks every student; once a moment is recorded the form
// is cleared for the next one.
(function () {
  "use strict";

  function setUp() {
    var form = document.getElementById("record-moment");
    if (!form) { return; }
    var all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("change", function () {
        form.querySelectorAll("input[name=students]").forEach(function (box) {
          box.checked = all.checked;
        });
      });
    }
    form.addEventListener("htmx:afterRequest", function (event) {
      if (!event.detail.successful || !form.querySelector("#record-result .ok")) { return; }
      form.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
      var note = form.querySelector("textarea");
      if (note) { note.value = ""; }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
}());
