/* The mediation pages' small behaviours. No inline scripts (CSP script-src 'self'). */
(function () {
  "use strict";

  // Repeated rows (departments seated, terms agreed): show the filled ones and one empty row;
  // "seat another department" / "add a term" reveals the next. Without this script every row
  // is simply shown.
  function rowIsEmpty(row) {
    var inputs = row.querySelectorAll("input, select, textarea");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].value && inputs[i].value.trim() !== "") return false;
    }
    return true;
  }

  function setUp(box) {
    var rows = box.querySelectorAll("[data-row]");
    var button = box.querySelector("[data-more-rows]");
    var shownEmpty = false;
    for (var i = 0; i < rows.length; i++) {
      var empty = rowIsEmpty(rows[i]) && !rows[i].querySelector(".has-error");
      if (empty && shownEmpty) rows[i].hidden = true;
      if (empty) shownEmpty = true;
    }
    if (!button) return;
    function update() {
      button.hidden = !box.querySelector("[data-row][hidden]");
    }
    button.addEventListener("click", function () {
      var next = box.querySelector("[data-row][hidden]");
      if (next) {
        next.hidden = false;
        var first = next.querySelector("select, input");
        if (first) first.focus();
      }
      update();
    });
    update();
  }

  // Signed scans: choosing the file sends it (the input hides in its label-button).
  function autoSubmit(form) {
    var input = form.querySelector("input[type=file]");
    if (!input) return;
    form.classList.add("m-js");
    input.addEventListener("change", function () {
      if (input.files && input.files.length) form.submit();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("[data-rows]");
    for (var i = 0; i < boxes.length; i++) setUp(boxes[i]);
    var scans = document.querySelectorAll("form[data-autosubmit]");
    for (var j = 0; j < scans.length; j++) autoSubmit(scans[j]);
  });
})();
