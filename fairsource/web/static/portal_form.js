// The portal's web form, with a script: a conditional question whose condition is answered on the same page is
// hidden while it is not needed, and shown again as soon as it is. Without the script every question shows, with
// a note saying whether the answers so far need it (the page works the same).
(function () {
  "use strict";
  var form = document.querySelector("form.answer-form");
  if (!form) { return; }
  function answer(id) {
    var boxes = form.querySelectorAll('input[name="a-' + id + '"]');
    if (!boxes.length) { return null; }  // asked on another page: the server's note stands
    var picked = [];
    boxes.forEach(function (box) { if ((box.type !== "radio" && box.type !== "checkbox") || box.checked) { picked.push(box.value); } });
    return picked;
  }
  function update() {
    form.querySelectorAll("fieldset[data-when]").forEach(function (set) {
      var value = answer(set.dataset.when);
      if (value === null) { return; }
      var holds = set.dataset.equals !== undefined ? value.length === 1 && value[0] === set.dataset.equals
        : set.dataset.oneOf !== undefined ? value.length === 1 && JSON.parse(set.dataset.oneOf).indexOf(value[0]) >= 0
        : value.indexOf(set.dataset.includes) >= 0;
      var known = value.length > 0 && value[0] !== "";
      set.hidden = known && !set.querySelector(".field-error") && (set.dataset.kind === "required_if" ? !holds : holds);
    });
  }
  form.addEventListener("change", update);
  update();
}());
