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
