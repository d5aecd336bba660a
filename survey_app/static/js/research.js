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

// A long list of tick boxes (the case forms' local authorities): the box above it is a
// combobox (the ARIA pattern's list autocomplete): typing hides the entries that do not
// contain what is typed (ticked ones always stay in view), Down and Up move through those
// shown (aria-activedescendant names the one in hand), Enter ticks or unticks it, Escape
// lets go. The tick boxes stay reachable with Tab too. Without JavaScript the list shows
// whole, in columns.
const squash = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
for (const box of document.querySelectorAll("input[data-filter-for]")) {
  const list = document.getElementById(box.dataset.filterFor);
  const count = document.getElementById(box.getAttribute("aria-describedby"));
  if (!list || !count) continue;
  const options = [...list.querySelectorAll("label.option")];
  const headings = [...list.querySelectorAll(".list-heading")];
  let active = null;
  const shown = () => options.filter((option) => !option.hidden);
  const summary = () => {
    const wanted = squash(box.value);
    const visible = shown().length;
    return wanted ? `${visible} of ${options.length} shown` : `${options.length} to choose from`;
  };
  const activate = (option) => {
    if (active) active.classList.remove("active");
    active = option;
    if (option) {
      option.classList.add("active");
      box.setAttribute("aria-activedescendant", option.querySelector("input").id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  };
  const expand = (open) => {
    box.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) activate(null);
  };
  const apply = () => {
    const wanted = squash(box.value);
    for (const option of options) {
      const ticked = option.querySelector("input").checked;
      option.hidden = !(!wanted || ticked || squash(option.textContent).includes(wanted));
    }
    for (const heading of headings) heading.hidden = Boolean(wanted);
    if (active && active.hidden) activate(null);
    count.textContent = summary();
  };
  const move = (step) => {
    const visible = shown();
    if (!visible.length) return;
    const at = visible.indexOf(active);
    const next = at < 0 ? (step > 0 ? 0 : visible.length - 1) : (at + step + visible.length) % visible.length;
    expand(true);
    activate(visible[next]);
  };
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-controls", list.id);
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-expanded", "false");
  box.closest(".list-filter").hidden = false;
  list.classList.add("filtering");
  box.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      // Enter in the box would send the page: it ticks the entry in hand instead.
      event.preventDefault();
      if (!active) return;
      const input = active.querySelector("input");
      input.checked = !input.checked;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      const name = active.textContent.trim();
      count.textContent = `${name} ${input.checked ? "ticked" : "not ticked"}. ${summary()}`;
    } else if (event.key === "Escape" && box.getAttribute("aria-expanded") === "true") {
      event.preventDefault();
      expand(false);
    }
  });
  box.addEventListener("input", () => {
    apply();
    expand(Boolean(box.value));
  });
  box.addEventListener("blur", () => expand(false));
  apply();
}
