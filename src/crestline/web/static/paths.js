// Crestline: the warm-paths panels are fetched after the page is shown (the first request after
// new data reads the relationship graph again, seconds on a large database), and their filters
// reload the panel in place. Without JavaScript the placeholder links to the same panel as a page.
(function () {
  function load(panel, url) {
    panel.setAttribute("aria-busy", "true");
    panel.classList.add("loading-panel");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        panel.innerHTML = html;
        wire(panel, url);
      })
      .catch(function (error) {
        var note = document.createElement("p");
        note.className = "alert small";
        note.textContent = "Could not load this panel (" + error.message + "): use the link.";
        panel.appendChild(note);
      })
      .finally(function () {
        panel.removeAttribute("aria-busy");
        panel.classList.remove("loading-panel");
      });
  }

  function wire(panel, url) {
    var form = panel.querySelector("form.path-filters");
    if (!form) return;
    var part = new URL(url, location.href).searchParams.get("part");
    function reload(event) {
      if (event) event.preventDefault();
      var query = new URLSearchParams(new FormData(form));
      query.set("part", part);
      load(panel, form.getAttribute("action") + "?" + query.toString());
    }
    // a field that searches (one of ours) reloads once a suggestion is taken or it is emptied,
    // not on every letter typed
    function settled(field) {
      var text = field.value.trim();
      return text === "" || /#\d+$/.test(text);
    }
    form.addEventListener("submit", reload);
    form.addEventListener("change", function (event) {
      if (!event.target.matches("input[data-search]") || settled(event.target)) reload(event);
    });
    form.addEventListener("input", function (event) {
      if (event.target.matches("input[data-search]") && /#\d+$/.test(event.target.value.trim())) {
        reload(event);
      }
    });
  }

  document.querySelectorAll("section[data-src]").forEach(function (panel) {
    load(panel, panel.dataset.src);
  });
})();
