/* PolicyTracker's only script, and an optional one: every page works without it. It adds a
   "Copy" button beside each citation and embed snippet (elements marked data-copy). */
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
