/* PolicyTracker's only script, and an optional one: every page works without it. It adds a
   "Copy" button beside each citation and embed snippet (elements marked data-copy), and sends
   an old-style permalink to an entry no longer on its record's page to the entry's own page. */
(function () {
  "use strict";
  // Permalinks were once anchors on the record's page (/agreements/<slug>/#event-<id>); a
  // record's page shows only its latest entries, and each entry now has a page of its own.
  var old = /^#(event|statement)-(\d+)$/.exec(window.location.hash);
  if (old && !document.getElementById(old[0].slice(1))) {
    window.location.replace("/" + old[1] + "s/" + old[2] + "/");
  }
})();
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("[data-copy]").forEach(function (source) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy " + (source.getAttribute("data-copy") || "text"));
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      var text = "value" in source ? source.value : source.textContent;
      navigator.clipboard.writeText(text.trim()).then(
        function () { status.textContent = "Copied"; },
        function () { status.textContent = "Select the text and copy it"; }
      );
    });
    source.insertAdjacentElement("afterend", status);
    source.insertAdjacentElement("afterend", button);
  });
})();
