// Crestline: a person field (or the paths panel's "From", one of ours) suggests as one types. The
// page lists a few at once; typing asks the field's search (data-search) for up to 20 more by
// name or title. What is sent is the suggestion's "Name #id" (or an id, or an exact name: the
// server reads all three), so the fields also work without JavaScript. Fields inside a panel
// fetched after the page are served too: one listener on the document.
(function () {
  var timers = new WeakMap();
  var asked = new Map(); // query → its answer, for this page

  function fill(list, found) {
    var options = found.map(function (p) {
      var option = document.createElement("option");
      option.value = p.value;
      option.textContent = p.title || "(no title)";
      return option;
    });
    list.replaceChildren.apply(list, options);
  }

  function suggest(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var text = input.value.trim();
    if (!list || !text || /#\d+$/.test(text)) return; // empty, or a suggestion already taken
    var url = input.dataset.search + "?q=" + encodeURIComponent(text);
    if (asked.has(url)) return fill(list, asked.get(url));
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (found) {
        asked.set(url, found);
        if (input.value.trim() === text) fill(list, found);
      })
      .catch(function () {}); // the field still takes a name or an id as typed
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches("input[data-search]")) return;
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { suggest(input); }, 150));
  });
})();
