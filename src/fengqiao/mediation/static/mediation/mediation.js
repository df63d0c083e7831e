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

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("[data-rows]");
    for (var i = 0; i < boxes.length; i++) setUp(boxes[i]);
  });
})();
