// Progressive enhancement only: a "select all" box for the inbox's bulk actions.
(function () {
  "use strict";
  var table = document.querySelector(".inbox-table");
  if (!table) { return; }
  var cell = table.querySelector("thead th");
  var boxes = table.querySelectorAll("tbody input[name="bulk-ids"]");
  if (!cell || !boxes.length) { return; }
  var all = document.createElement("input");
  all.type = "checkbox";
  all.setAttribute("aria-label", document.documentElement.lang === "en" ? "Select all" : "Chọn tất cả");
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
  cell.appendChild(all);
})();
