// The support declaration: "Copy to all weekdays" copies a region's Monday hours to Tuesday to
// Friday in the page. Without this script the same button asks the server to do it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy-monday]");
  if (!button) {
    return;
  }
  event.preventDefault();
  var form = button.form;
  var region = button.getAttribute("data-copy-monday");
  ["open", "close"].forEach(function (edge) {
    var monday = form.elements[region + "-" + edge + "-0"];
    for (var day = 1; day <= 4; day++) {
      var field = form.elements[region + "-" + edge + "-" + day];
      if (monday && field) {
        field.value = monday.value;
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  });
});
