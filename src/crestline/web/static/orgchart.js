// Crestline: scroll a wide org chart so the person in focus (the one just opened, else the top)
// sits in the middle of its panel.
document.querySelectorAll(".chart-scroll[data-focus]").forEach(function (panel) {
  var node = panel.querySelector("#person-" + panel.dataset.focus);
  if (!node) return;
  var box = node.getBoundingClientRect();
  var frame = panel.getBoundingClientRect();
  panel.scrollLeft += box.left + box.width / 2 - (frame.left + frame.width / 2);
  panel.scrollTop += box.top + box.height / 2 - (frame.top + frame.height / 2);
});
