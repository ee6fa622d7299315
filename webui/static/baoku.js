// 报库: the only script. Served from 'self' so the CSP needs no inline script.
"use strict";

// Copy the citation line. The button is hidden until this script runs, so it never shows dead.
function setUpCopyButtons() {
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = target.textContent.trim();
      var done = function () {
        button.textContent = "已复制";
        button.classList.add("done");
        setTimeout(function () { button.textContent = "复制"; button.classList.remove("done"); }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { selectText(target); });
      } else {
        selectText(target);
        try { if (document.execCommand("copy")) done(); } catch (e) { /* the text stays selected */ }
      }
    });
  });
}

function selectText(element) {
  var range = document.createRange();
  range.selectNodeContents(element);
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

// Keep permalinks short: empty date fields are not sent as "from=&to=".
function setUpSearchForms() {
  document.querySelectorAll("form.searchform").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[name]").forEach(function (input) {
        if (input.value === "") input.disabled = true;
      });
    });
  });
}

// Coming back through the history cache, the fields must be usable again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form.searchform input[disabled]").forEach(function (input) {
    input.disabled = false;
  });
});

document.addEventListener("DOMContentLoaded", function () {
  setUpCopyButtons();
  setUpSearchForms();
});
