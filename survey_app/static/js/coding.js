// The coding page's shortcuts: a theme's key (shown beside it) ticks or unticks its box, as a
// click on its label does, and moves the focus there. Keys typed in a text box, or pressed
// with Ctrl, Alt or Meta, are left alone (Alt with the key is the box's accesskey, which works
// without JavaScript).
"use strict";
const boxes = new Map(
  [...document.querySelectorAll("input[data-shortcut]")].map((box) => [box.dataset.shortcut, box]),
);
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
  const target = event.target;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
  if (target instanceof HTMLInputElement && target.type !== "checkbox") return;
  const box = boxes.get(event.key.toLowerCase());
  if (!box) return;
  event.preventDefault();
  box.click();
  box.focus();
});
