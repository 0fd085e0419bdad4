// Board behaviour on top of htmx: the detail side panel's focus and closing, and printing.
(function () {
  "use strict";
  var boardUrl = "/";

  // The side panel over the board; on an action's own page the detail is the page, not a panel.
  function panel() { return document.querySelector("aside.detail-panel"); }

  function closePanel() {
    var p = panel();
    if (!p || !p.firstElementChild) return;
    var ref = p.querySelector(".detail-ref");
    p.replaceChildren();
    history.pushState({}, "", boardUrl + location.search);
    var card = ref && document.getElementById("card-" + ref.textContent.replace(".", "-"));
    var link = card && card.querySelector(".card-ref a");
    if (link) link.focus();
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "detail-panel") {
      var title = event.detail.target.querySelector(".detail-title");
      if (title) title.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-close-panel]");
    if (close && panel() && panel().contains(close)) {
      event.preventDefault();
      closePanel();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closePanel();
  });

  // Collapsed swimlanes and details would be missing from a printout.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
})();
