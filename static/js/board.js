// Board behaviour on top of htmx: drag-and-drop moves (SortableJS), the detail side panel,
// announcements and focus after a move, and a live refresh that never disturbs the person and never
// goes stale without saying so.
(function () {
  "use strict";
  var boardPath = location.pathname.replace(/actions\/[^/]+$/, "");
  var COLLAPSED_KEY = "board-collapsed-areas";
  var movesInFlight = 0;
  var dragging = null;          // the swimlane a card is being dragged in
  var heldLanes = new Map();    // area number -> a newer lane that waits until its lane is free
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
    var target = card.querySelector(".move-form textarea[name=evidence], .reason-form input[name=reason]") ||
      card.querySelector(".card-ref a, a.card-ref");
    if (target) target.focus();
  }

  // --- the live indicator -----------------------------------------------------------------------
  function clock() { return new Date().toLocaleTimeString("en-GB"); }

  function showLive() {
    var status = document.getElementById("live-status");
    if (!status) return;
    status.classList.remove("is-broken");
    if (heldLanes.size) {
      status.className = "live-status is-waiting";
      status.textContent = heldLanes.size + (heldLanes.size === 1 ? " change waiting" : " changes waiting") +
        " until you finish (areas " + Array.from(heldLanes.keys()).join(", ") + "); the rest is live, updated " + clock();
    } else {
      status.className = "live-status is-live";
      status.textContent = "Live, updated " + clock();
    }
  }

  function showBroken(why) {
    var status = document.getElementById("live-status");
    if (!status) return;
    status.className = "live-status is-broken";
    status.textContent = "Not updating since " + clock() + ": " + why;
  }

  // --- which lanes must wait --------------------------------------------------------------------
  // A lane is busy while a card in it is being dragged or moved, or while a form is open in it: a
  // refresh would throw away what the person is doing. Other lanes refresh as usual.
  function laneIsBusy(lane) {
    return lane === dragging || lane.classList.contains("move-in-flight") ||
      !!lane.querySelector(".move-form, .reason-form");
  }

  function releaseHeldLanes() {
    heldLanes.forEach(function (fragment, area) {
      var lane = document.getElementById("area-" + area);
      if (!lane || laneIsBusy(lane)) return;
      heldLanes.delete(area);
      // Only if still newer than the lane on the page (the person's own move may have replaced it).
      if (Number(fragment.dataset.changed) > Number(lane.dataset.changed)) {
        fragment.removeAttribute("hx-swap-oob");
        lane.replaceWith(fragment);
        htmx.process(fragment);
      }
    });
    showLive();
  }

  // --- drag-and-drop ------------------------------------------------------------------------
  function setLaneSorting(lane, disabled) {
    lane.querySelectorAll("ol[data-sortable]").forEach(function (list) {
      var sortable = Sortable.get(list);
      if (sortable) sortable.option("disabled", disabled);
    });
  }

  function onDrop(event) {
    var card = event.item;
    var lane = card.closest(".swimlane");
    dragging = null;
    document.body.classList.remove("dragging");
    if (event.from === event.to && event.oldIndex === event.newIndex) return releaseHeldLanes();
    var before = card.nextElementSibling;
    var after = card.previousElementSibling;
    // One move at a time per lane: a second drop before the swap could duplicate a card.
    setLaneSorting(lane, true);
    lane.classList.add("move-in-flight");
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
      releaseHeldLanes();
    });
  }

  function resyncLane(lane) {
    lane.classList.remove("move-in-flight");
    announce("The move could not be saved; the swimlane shows the board as it is.");
    htmx.ajax("GET", lane.dataset.laneUrl, {target: lane, swap: "outerHTML"});
  }

  function initSortables(root) {
    if (typeof Sortable === "undefined" || !root.querySelectorAll) return;
    root.querySelectorAll("ol[data-sortable]").forEach(function (list) {
      if (Sortable.get(list)) return;
      Sortable.create(list, {
        group: list.dataset.sortable,  // one group per area: no dropping into another swimlane
        draggable: "li.card:not(.fixed)",  // a pointer row or a closed action never moves
        filter: ".card-tools, .move-form, .reason-form",
        preventOnFilter: false,
        animation: 120,
        ghostClass: "card-ghost",
        onStart: function (event) {
          dragging = event.item.closest(".swimlane");
          document.body.classList.add("dragging");  // no card's words over the columns while dragging
        },
        onEnd: onDrop
      });
    });
  }

  // --- collapsed swimlanes, remembered across reloads --------------------------------------------
  function collapsedAreas() {
    try { return new Set(JSON.parse(localStorage.getItem(COLLAPSED_KEY) || "[]")); } catch (e) { return new Set(); }
  }

  function rememberCollapsed(areas) {
    try { localStorage.setItem(COLLAPSED_KEY, JSON.stringify(Array.from(areas))); } catch (e) { /* private mode */ }
  }

  function restoreCollapsed(root) {
    if (!root.querySelectorAll) return;
    var collapsed = collapsedAreas();
    var lanes = root.matches && root.matches(".swimlane") ? [root] : root.querySelectorAll(".swimlane");
    lanes.forEach(function (lane) {
      var details = lane.querySelector(":scope > details");
      if (details && collapsed.has(lane.dataset.area)) details.open = false;
    });
  }

  function setAllLanes(open) {
    var collapsed = collapsedAreas();
    document.querySelectorAll(".swimlane > details").forEach(function (details) {
      details.open = open;
      var area = details.parentElement.dataset.area;
      if (open) collapsed.delete(area); else collapsed.add(area);
    });
    rememberCollapsed(collapsed);
  }

  // Only a person's fold is remembered. The browser also fires "toggle" for every lane parsed or swapped
  // in open, sometimes before restoreCollapsed has run; taking those for choices lost the folds.
  document.addEventListener("click", function (event) {
    var summary = event.target.closest && event.target.closest(".swimlane > details > summary");
    if (summary) summary.parentElement.dataset.foldedByPerson = "1";
  }, true);

  document.addEventListener("toggle", function (event) {
    var lane = event.target.parentElement;
    if (!lane || !lane.classList || !lane.classList.contains("swimlane")) return;
    if (!event.target.dataset.foldedByPerson) return;
    delete event.target.dataset.foldedByPerson;
    var collapsed = collapsedAreas();
    if (event.target.open) collapsed.delete(lane.dataset.area); else collapsed.add(lane.dataset.area);
    rememberCollapsed(collapsed);
  }, true);

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-collapse-all]")) setAllLanes(false);
    if (event.target.closest("[data-expand-all]")) setAllLanes(true);
  });

  htmx.onLoad(function (root) {
    initSortables(root);
    restoreCollapsed(root);
    var tools = root.querySelector && root.querySelector("[data-lane-tools]");
    if (tools) tools.hidden = false;  // the buttons need this script; without it each area folds alone
    if (root === document.body) showLive();
  });

  // --- after a move: say what happened and keep focus on the moved card -------------------------
  document.body.addEventListener("board-announce", function (event) {
    announce(event.detail.message);
    if (event.detail.focus) focusCard(event.detail.focus);
  });

  // --- live refresh ---------------------------------------------------------------------------
  document.addEventListener("htmx:beforeRequest", function (event) {
    // A refresh while this page's own move is on its way would only be overtaken by the move's answer.
    if (event.detail.elt.id === "board-poll" && movesInFlight) event.preventDefault();
  });

  // Each lane in a refresh swaps on its own: a busy lane keeps what the person is doing, and its newer
  // version waits (the indicator says so) until the drag ends or the form closes. Checked at the swap,
  // not only when the refresh was asked for, so a drag that starts meanwhile is safe too.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.classList || !target.classList.contains("swimlane")) return;
    var incoming = event.detail.fragment.querySelector(".swimlane");
    var incomingDetails = incoming && incoming.querySelector(":scope > details");
    if (incomingDetails && collapsedAreas().has(incoming.dataset.area)) incomingDetails.open = false;  // no flash open
    if (!incoming || Number(incoming.dataset.changed) <= Number(target.dataset.changed)) {
      event.detail.shouldSwap = false;  // nothing newer than the page shows (often this page's own move)
    } else if (laneIsBusy(target)) {
      heldLanes.set(target.dataset.area, incoming.cloneNode(true));
      event.detail.shouldSwap = false;
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

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt.id !== "board-poll") return;
    if (event.detail.successful) showLive();
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt.id === "board-poll") showBroken("the server cannot be reached. It will keep trying.");
  });

  // A read-only link revoked or expired while open: say so instead of quietly going stale.
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.elt.id !== "board-poll") return;
    var status = event.detail.xhr.status;
    if (status !== 404 && status !== 410) {
      showBroken("the server answered with an error. It will keep trying.");
      return;
    }
    event.detail.elt.remove();  // stop polling
    showBroken("this link no longer works.");
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

  // A form closed (Skip, Cancel, a saved reason) or a drag ended: a lane that waited may refresh now.
  document.addEventListener("htmx:afterSettle", function () {
    if (heldLanes.size) releaseHeldLanes();
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
    if (event.key !== "Escape") return;
    // First Escape hides a whole-plan card's words (WCAG 1.4.13); otherwise it closes the panel.
    var chip = document.activeElement && document.activeElement.closest ? document.activeElement.closest(".chip") : null;
    if (chip && !chip.classList.contains("words-hidden")) {
      chip.classList.add("words-hidden");
      chip.addEventListener("focusout", function () { chip.classList.remove("words-hidden"); }, {once: true});
      return;
    }
    closePanel();
  });

  // Collapsed swimlanes and details would be missing from a printout.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not(.site-menu)").forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () { restoreCollapsed(document); });
})();
