// The weekly composer: starters fill the sentence being written; Tab and Ctrl+Enter move on
// to the next student (leaving a field saves it: the row posts on "change").
(function () {
  "use strict";
  var form = document.getElementById("weekly-form");
  if (!form) { return; }
  var fields = Array.prototype.slice.call(form.querySelectorAll("textarea[data-name]"));
  var current = fields[0] || null;

  fields.forEach(function (field, index) {
    field.addEventListener("focus", function () { current = field; });
    field.addEventListener("keydown", function (event) {
      var next = fields[index + 1];
      var ctrlEnter = event.key === "Enter" && (event.ctrlKey || event.metaKey);
      var tab = event.key === "Tab" && !event.shiftKey && !event.altKey;
      if ((ctrlEnter || tab) && next) {
        event.preventDefault();
        next.focus();
      } else if (ctrlEnter) {
        event.preventDefault();
        field.blur();
      }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("button.starter"), function (button) {
    button.addEventListener("click", function () {
      if (!current) { return; }
      var text = button.getAttribute("data-text").replace("{name}", current.getAttribute("data-name"));
      current.value = current.value.trim() ? current.value.trim() + " " + text : text;
      var row = current.closest("li");
      var radio = row.querySelector("input[type=radio][value=" + button.getAttribute("data-framing") + "]");
      if (radio) { radio.checked = true; }
      current.focus();
      current.setSelectionRange(current.value.length, current.value.length);
      current.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
}());
