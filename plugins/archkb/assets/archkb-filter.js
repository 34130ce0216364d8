/* archkb: filter the reading list by kind, tag and year, without leaving the page.
 *
 * Facets: kind, tag, year and, when the catalog knows when entries were added,
 * "recently added". Progressive enhancement: without JavaScript the page offers anchored facet links
 * that filter through CSS :target rules; this script swaps them for <select>
 * controls that hide non-matching entries with the `hidden` attribute. No network,
 * no dependencies.
 */
(function () {
  "use strict";

  var FACETS = ["kind", "tag", "year", "added"];

  // The current page's hash handler: one window listener for the whole visit, which
  // calls the filter of the page shown now (with instant navigation, init runs again
  // on every page, and listeners added per page would pile up on detached forms).
  var onHash = null;
  window.addEventListener("hashchange", function () { if (onHash) onHash(); });

  function matches(entry, facet, value) {
    if (!value) return true;
    if (facet === "tag") {
      return (" " + (entry.getAttribute("data-tags") || "") + " ").indexOf(" " + value + " ") !== -1;
    }
    return entry.getAttribute("data-" + facet) === value;
  }

  // Links to the site itself, marked for the print stylesheet, which prints the address
  // of external links only: instant navigation makes every relative href absolute.
  function markLocalLinks() {
    Array.prototype.slice.call(document.querySelectorAll("a[href]")).forEach(function (a) {
      if (a.origin === window.location.origin) a.setAttribute("data-archkb-local", "");
    });
  }

  function init() {
    markLocalLinks();
    onHash = null;
    var form = document.getElementById("archkb-filter");
    if (!form || form.getAttribute("data-ready") === "true") return;
    form.setAttribute("data-ready", "true");
    var controls = {};
    FACETS.forEach(function (facet) {
      controls[facet] = document.getElementById("archkb-filter-" + facet);
    });
    var status = document.getElementById("archkb-filter-status");
    var entries = Array.prototype.slice.call(document.querySelectorAll(".archkb-ref"));
    var groups = Array.prototype.slice.call(document.querySelectorAll(".archkb-kind-group, .archkb-topic"));
    var links = document.getElementById("archkb-filter-links");

    function apply() {
      var shown = 0;
      entries.forEach(function (entry) {
        var ok = FACETS.every(function (facet) {
          return !controls[facet] || matches(entry, facet, controls[facet].value);
        });
        entry.hidden = !ok;
        if (ok) shown += 1;
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector(".archkb-ref:not([hidden])");
      });
      if (status) {
        status.textContent = shown === entries.length
          ? "Showing all " + entries.length + " references."
          : "Showing " + shown + " of " + entries.length + " references.";
      }
    }

    function clearHashFilter() {
      if (/^#filter-/.test(window.location.hash) && window.history && window.history.replaceState) {
        window.history.replaceState(null, "", window.location.pathname + window.location.search);
      }
    }

    function fromHash() {
      var match = /^#filter-(kind|tag|year|added)-(.+)$/.exec(window.location.hash);
      if (!match || !controls[match[1]]) return;
      FACETS.forEach(function (facet) { if (controls[facet]) controls[facet].value = ""; });
      controls[match[1]].value = decodeURIComponent(match[2]);
      clearHashFilter();
    }

    // The script filters from now on: drop the :target anchors of the CSS-only filter,
    // so that the two never disagree.
    Array.prototype.slice.call(document.querySelectorAll(".archkb-filter-target")).forEach(function (el) {
      el.parentNode.removeChild(el);
    });
    form.hidden = false;
    if (links) links.hidden = true;
    form.addEventListener("change", function () { clearHashFilter(); apply(); });
    form.addEventListener("reset", function (event) {
      event.preventDefault();
      FACETS.forEach(function (facet) { if (controls[facet]) controls[facet].value = ""; });
      apply();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    onHash = function () { fromHash(); apply(); };
    fromHash();
    apply();
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
