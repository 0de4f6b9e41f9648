/* The admin's autocompletes (select2) draw a combobox with a read-only textbox inside
   (the choice), and for many choices a search input, of their own in place of the hidden
   <select>: none has a name. Each takes
   the name of its <select>: its aria-label (an inline's "Venue, row 2", planning/admin.py)
   or the text of its <label>. select2 draws them once the page is ready, and again in
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
      const inputs = '[role="combobox"], [role="textbox"], .select2-search__field';
      box.querySelectorAll(inputs).forEach((input) => {
        if (input.getAttribute("aria-label") !== name) input.setAttribute("aria-label", name);
      });
    });
  };
  new MutationObserver(nameAll).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  nameAll();
})();
