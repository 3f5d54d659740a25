// Drag and drop onto the upload area: the dropped file goes into the form's file input,
// and the form is submitted.
(function () {
  const drop = document.getElementById("drop");
  const input = document.getElementById("image");
  const form = document.getElementById("search-form");
  if (!drop || !input || !form) return;
  const text = document.getElementById("drop-text");
  ["dragenter", "dragover"].forEach(e => drop.addEventListener(e, ev => {
    ev.preventDefault(); drop.classList.add("over");
  }));
  ["dragleave", "drop"].forEach(e => drop.addEventListener(e, ev => {
    ev.preventDefault(); drop.classList.remove("over");
  }));
  drop.addEventListener("drop", ev => {
    if (!ev.dataTransfer || !ev.dataTransfer.files.length) return;
    input.files = ev.dataTransfer.files;
    text.textContent = ev.dataTransfer.files[0].name;
    form.requestSubmit();
  });
  input.addEventListener("change", () => {
    if (input.files.length) text.textContent = input.files[0].name;
  });
})();
