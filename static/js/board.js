// Board behaviour on top of htmx: drag-and-drop moves (SortableJS), the detail side panel,
// announcements and focus after a move, and a live refresh that never disturbs the person.
(function () {
  "use strict";
  var boardPath = location.pathname.replace(/actions\/[^/]+$/, "");
  var collapsedAreas = new Set();  // swimlanes the person closed stay closed across refreshes
  var movesInFlight = 0;
  var dragging = false;
  var focusedCardBeforeRefresh = null;

  function panel() { return document.querySelector("aside.detail-panel"); }

  function announce(message) {
    var region = document.getElementById("announcer");
    if (!region) return;
    region.textContent = "";
    setTimeout(function () { region.textContent = message; }, 50);  // re-announce the same text
  }

  function focusCard(cardId) {
    var card = document.getElementById(cardId);
    if (!card) return;
    var target = card.querySelector(".reason-form input[name=reason]") || card.querySelector(".card-ref a");
    if (target) target.focus();
  }

  // --- drag-and-drop ------------------------------------------------------------------------
  function setLaneSorting(lane, disabled) {
    lane.querySelectorAll("ol[data-sortable]").forEach(function (list) {
      var sortable = Sortable.get(list);
      if (sortable) sortable.option("disabled", disabled);
    });
  }

  function onDrop(event) {
    dragging = false;
    if (event.from === event.to && event.oldIndex === event.newIndex) return;
    var card = event.item;
    var lane = card.closest(".swimlane");
    var before = card.nextElementSibling;
    var after = card.previousElementSibling;
    // One move at a time per lane: a second drop before the swap could duplicate a card.
    setLaneSorting(lane, true);
    movesInFlight++;
    htmx.ajax("POST", card.dataset.moveUrl, {
      source: card, target: lane, swap: "outerHTML",
      values: {
        status: event.to.dataset.status, position: event.newIndex, version: card.dataset.version,
        before: before ? before.dataset.ref : "", after: after ? after.dataset.ref : "",
        area: lane.dataset.area
      }
    }).then(function () {
      movesInFlight--;
      if (lane.isConnected) resyncLane(lane);  // not swapped: the move failed, show the truth
    });
  }

  function resyncLane(lane) {
    announce("The move could not be saved; the swimlane shows the board as it is.");
    htmx.ajax("GET", lane.dataset.laneUrl, {target: lane, swap: "outerHTML"});
  }

  function initSortables(root) {
    if (typeof Sortable === "undefined" || !root.querySelectorAll) return;
    root.querySelectorAll("ol[data-sortable]").forEach(function (list) {
      if (Sortable.get(list)) return;
      Sortable.create(list, {
        group: list.dataset.sortable,  // one group per area: no dropping into another swimlane
        draggable: "li.card",
        filter: ".card-tools, .move-form, .reason-form",
        preventOnFilter: false,
        animation: 120,
        ghostClass: "card-ghost",
        onStart: function () { dragging = true; },
        onEnd: onDrop
      });
    });
  }

  function restoreCollapsed(root) {
    if (!root.querySelectorAll) return;
    var lanes = root.matches && root.matches(".swimlane") ? [root] : root.querySelectorAll(".swimlane");
    lanes.forEach(function (lane) {
      if (collapsedAreas.has(lane.dataset.area)) lane.querySelector("details").open = false;
    });
  }

  htmx.onLoad(function (root) {
    initSortables(root);
    restoreCollapsed(root);
  });

  document.addEventListener("toggle", function (event) {
    var lane = event.target.parentElement;
    if (!lane || !lane.classList || !lane.classList.contains("swimlane")) return;
    if (event.target.open) collapsedAreas.delete(lane.dataset.area);
    else collapsedAreas.add(lane.dataset.area);
  }, true);

  // --- after a move: say what happened and keep focus on the moved card -------------------------
  document.body.addEventListener("board-announce", function (event) {
    announce(event.detail.message);
    if (event.detail.focus) focusCard(event.detail.focus);
  });

  // --- live refresh ---------------------------------------------------------------------------
  document.addEventListener("htmx:beforeRequest", function (event) {
    var poll = event.detail.elt;
    if (poll.id !== "board-poll") return;
    var formOpen = document.querySelector("#board form");
    if (dragging || movesInFlight || formOpen) {
      event.preventDefault();  // try again next tick; the page counts the polls it held back
      poll.dataset.held = String(Number(poll.dataset.held || 0) + 1);
    }
  });

  // Sortable animates cards through inline styles; htmx would copy them onto the new cards when it
  // settles a swapped lane, which the Content-Security-Policy (rightly) refuses. Drop them first.
  function dropInlineStyles(root) {
    if (root && root.querySelectorAll) {
      root.querySelectorAll(".swimlane [style]").forEach(function (el) { el.removeAttribute("style"); });
    }
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    dropInlineStyles(document.getElementById("board"));
    if (event.detail.elt.id !== "board-poll") return;
    var active = document.activeElement;
    var card = active && active.closest ? active.closest(".card") : null;
    focusedCardBeforeRefresh = card ? card.id : null;
  });

  // A read-only link revoked or expired while open: say so instead of quietly going stale.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (event.detail.elt.id !== "board-poll" || (status !== 404 && status !== 410)) return;
    event.detail.elt.remove();  // stop polling
    var note = document.createElement("p");
    note.className = "flash flash-error";
    note.setAttribute("role", "alert");
    note.textContent = "This link is no longer valid: the board below will not change any more. " +
      "Ask the plan owner for a new link.";
    document.getElementById("main").prepend(note);
  });

  document.addEventListener("htmx:oobAfterSwap", function () {
    if (focusedCardBeforeRefresh && (!document.activeElement || document.activeElement === document.body)) {
      focusCard(focusedCardBeforeRefresh);
    }
  });

  // --- the detail side panel --------------------------------------------------------------------
  function closePanel() {
    var p = panel();
    if (!p || !p.firstElementChild) return;
    var detail = p.querySelector("[data-card-id]");
    p.replaceChildren();
    history.pushState({}, "", boardPath + location.search);
    if (detail) focusCard(detail.dataset.cardId);
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "detail-panel") {
      var title = event.detail.target.querySelector(".detail-title");
      if (title) title.focus();
    }
    if (event.detail.target.classList && event.detail.target.classList.contains("card-tools")) {
      var select = event.detail.target.querySelector("select");
      if (select) select.focus();
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
