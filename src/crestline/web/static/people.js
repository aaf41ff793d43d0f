// Crestline: a form's person field suggests people as one types. The page lists the most
// powerful few; typing asks the account's search for up to 20 more by name or title. What is
// sent is the suggestion's "Name #id" (or an id, or an exact name: the server reads all three),
// so the fields also work without JavaScript.
(function () {
  var timers = new WeakMap();
  var asked = new Map(); // query → its answer, for this page

  function fill(list, people) {
    var options = people.map(function (p) {
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
      .then(function (people) {
        asked.set(url, people);
        if (input.value.trim() === text) fill(list, people);
      })
      .catch(function () {}); // the field still takes a name or an id as typed
  }

  document.querySelectorAll("input[data-search]").forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timers.get(input));
      timers.set(input, setTimeout(function () { suggest(input); }, 150));
    });
  });
})();
