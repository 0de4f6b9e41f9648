/* The admin's autocompletes (select2) draw a combobox with a read-only textbox inside
   (the choice), and for many choices a search input, of their own in place of the hidden
   <select>: none has a name, nor has the list it opens. Each takes the name of its
   <select>: its aria-label (an inline's "Venue, row 2", planning/admin.py) or the text
   of its <label>. select2 draws them once the page is ready, and again in
   each row added to an inline: whatever it draws is named as it appears.
   Loaded (deferred) on every admin page by templates/admin/base_site.html. */
"use strict";
(() => {
  const nameOf = (select) => {
    const own = select.getAttribute("aria-label");
    if (own) return own;
    const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
    return label ? label.textContent.trim().replace(/:$/, "") : "";
  };
  const nameAll = () => {
    document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const box = select.nextElementSibling;
      const name = nameOf(select);
      if (!box || !box.classList.contains("select2") || !name) return;
      const inputs = [
        ...box.querySelectorAll('[role="combobox"], [role="textbox"], .select2-search__field'),
      ];
      // The open list (a container of its own, not the box), with its search input.
      if (box.classList.contains("select2-container--open")) {
        const open = ".select2-container--open:not(.select2)";
        inputs.push(...document.querySelectorAll(`${open} .select2-search__field`));
        inputs.push(...document.querySelectorAll(`${open} [role="listbox"], ${open} [role="tree"]`));
      }
      inputs.forEach((input) => {
        if (input.getAttribute("aria-label") !== name) input.setAttribute("aria-label", name);
        // ARIA 1.2: a combobox names the list it opens with aria-controls (select2 4.0
        // says aria-owns only).
        const owns = input.getAttribute("aria-owns");
        if (owns && input.getAttribute("aria-controls") !== owns) {
          input.setAttribute("aria-controls", owns);
        }
      });
    });
  };
  // select2 opens its list at the end of the page, outside every landmark; opened in the
  // page's <main>, it is part of the page's content (select2's dropdownParent option,
  // read from the <select>'s data attributes when the admin draws it, after this runs).
  document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
    select.dataset.dropdownParent = "main";
  });
  new MutationObserver(nameAll).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  nameAll();
})();
