// Research pages. A read-only address field is selected whole when it gets focus, ready to
// copy. Without JavaScript the field still works: Tab into it (browsers then select it) or
// click and press Ctrl+A.
"use strict";
for (const field of document.querySelectorAll("input[data-select-on-focus]")) {
  const selectAll = () => field.setSelectionRange(0, field.value.length);
  field.addEventListener("focus", selectAll);
  // A click places the caret after focusing; select again once the click is done.
  field.addEventListener("mouseup", (event) => { event.preventDefault(); selectAll(); });
}

// A long list of tick boxes (the case forms' local authorities): a box above it hides the
// entries that do not contain what is typed; ticked ones always stay in view. Without
// JavaScript the list shows whole, in columns.
const squash = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
for (const box of document.querySelectorAll("input[data-filter-for]")) {
  const list = document.getElementById(box.dataset.filterFor);
  const count = document.getElementById(box.getAttribute("aria-describedby"));
  if (!list || !count) continue;
  const options = [...list.querySelectorAll("label.option")];
  const headings = [...list.querySelectorAll(".list-heading")];
  const apply = () => {
    const wanted = squash(box.value);
    let shown = 0;
    for (const option of options) {
      const ticked = option.querySelector("input").checked;
      const show = !wanted || ticked || squash(option.textContent).includes(wanted);
      option.hidden = !show;
      if (show) shown += 1;
    }
    for (const heading of headings) heading.hidden = Boolean(wanted);
    count.textContent = wanted ? `${shown} of ${options.length} shown` : `${options.length} to choose from`;
  };
  box.closest(".list-filter").hidden = false;
  list.classList.add("filtering");
  // Enter in the box would send the page: keep it for finding.
  box.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
  box.addEventListener("input", apply);
  apply();
}
