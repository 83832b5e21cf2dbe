// Behaviour that used to sit in on*= attributes, which the Content-Security-Policy forbids.
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-kc-print]")) { window.print(); }
});
document.addEventListener("change", function (e) {
  var el = e.target.closest("[data-kc-autosubmit]");
  if (el && el.form) { el.form.submit(); }
});
