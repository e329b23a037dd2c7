// The portal's only script of its own: no inline handlers, so the Content-Security-Policy
// can forbid inline scripts. A select marked data-submit-on-change submits its form.
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-submit-on-change]")) {
    event.target.form.submit();
  }
});
