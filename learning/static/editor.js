// Live Markdown preview for the trainer's section editor. Progressive enhancement only:
// without this file (or without vendor/markdown-it.min.js and vendor/purify.min.js) the
// server's "Preview" button keeps working.
//
// Markup contract (server-rendered):
//   <textarea data-preview="ID" data-image-base="/editions/12/images/">  the Markdown source
//   <div id="ID" class="preview">          server-sanitised rendering; replaced on input
//   <p id="ID-removed" class="notice" hidden>  shown while the sanitiser removed something
//   <button data-js-hide>                  hidden once this script is active
//
// Mirrors learning/courses/markdown.py (markdown-it-py + nh3): same tags, per-tag attributes,
// URL schemes, h1 -> h2, images/ rewrite, rel="noopener noreferrer".
(function () {
  "use strict";

  const markdownit = window.markdownit;
  const DOMPurify = window.DOMPurify;
  if (typeof markdownit !== "function" || !DOMPurify || typeof DOMPurify.sanitize !== "function" || !DOMPurify.isSupported) {
    return;
  }

  const DELAY_MS = 150;
  const IMAGE_PREFIX = "images/";

  // Same allowlist as the server (ALLOWED_TAGS / ALLOWED_ATTRIBUTES).
  const ALLOWED_TAGS = [
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
  ];
  const ATTRS_BY_TAG = {
    a: ["href", "title"],
    img: ["src", "alt", "title"],
    th: ["align"],
    td: ["align"],
  };
  const ALLOWED_ATTR = ["href", "title", "src", "alt", "align"];
  // http, https, mailto, or relative (no scheme at all).
  const ALLOWED_URI_REGEXP = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.\-]+(?:[^a-z+.\-:]|$))/i;

  function attrAllowed(tag, name) {
    const allowed = ATTRS_BY_TAG[tag];
    return Boolean(allowed) && allowed.indexOf(name) !== -1;
  }

  const md = markdownit({ html: true, linkify: false, typographer: false });

  // markdown-it itself emits markup the server's sanitiser drops silently: attributes
  // (th/td style="text-align:…", <ol start>, <code class="language-…">) and <s> for ~~text~~
  // (the allowlist has del, not s). Drop them before rendering, so the preview matches the
  // server and DOMPurify.removed only reports what the trainer actually wrote.
  // Raw HTML typed by the trainer is not a token attribute and is not affected.
  function tidyTokens(tokens) {
    for (const token of tokens) {
      if (token.type === "fence") {
        token.info = "";
      }
      if ((token.type === "s_open" || token.type === "s_close") && ALLOWED_TAGS.indexOf("s") === -1) {
        token.hidden = true;
      }
      if (token.attrs) {
        const kept = token.attrs.filter(function (pair) { return attrAllowed(token.tag, pair[0]); });
        token.attrs = kept.length ? kept : null;
      }
      if (token.children) {
        tidyTokens(token.children);
      }
    }
  }
  md.core.ruler.push("portal_tidy_attrs", function (state) { tidyTokens(state.tokens); });

  function sanitize(html, imageBase) {
    function onAttribute(node, data) {
      const tag = node.nodeName.toLowerCase();
      if (!attrAllowed(tag, data.attrName)) {
        data.keepAttr = false;
        return;
      }
      if (tag === "img" && data.attrName === "src") {
        const value = data.attrValue;
        if (imageBase && value.indexOf(IMAGE_PREFIX) === 0) {
          data.attrValue = imageBase + value.slice(IMAGE_PREFIX.length);
        } else {
          data.keepAttr = false; // outside image: removed, and the notice says so
        }
      }
    }
    function afterAttributes(node) {
      if (node.nodeName === "A") {
        node.setAttribute("rel", "noopener noreferrer");
      }
    }

    DOMPurify.addHook("uponSanitizeAttribute", onAttribute);
    DOMPurify.addHook("afterSanitizeAttributes", afterAttributes);
    try {
      const fragment = DOMPurify.sanitize(html, {
        ALLOWED_TAGS: ALLOWED_TAGS,
        ALLOWED_ATTR: ALLOWED_ATTR,
        ALLOW_DATA_ATTR: false,
        ALLOW_ARIA_ATTR: false,
        ALLOWED_URI_REGEXP: ALLOWED_URI_REGEXP,
        // Keeps a leading <style>/<title>/<meta> in the body, where it is removed and reported,
        // instead of being hoisted into <head> and dropped silently.
        FORCE_BODY: true,
        RETURN_DOM_FRAGMENT: true,
      });
      return { fragment: fragment, removed: somethingRemoved(DOMPurify.removed || []) };
    } finally {
      DOMPurify.removeHook("afterSanitizeAttributes", afterAttributes);
      DOMPurify.removeHook("uponSanitizeAttribute", onAttribute);
    }
  }

  // Every element or attribute removal counts (script, iframe, on*, javascript:, div/span/style,
  // outside images…), except DOMPurify's own scaffolding: the <remove> it prepends for FORCE_BODY
  // (always the first entry) and the <body> wrapper (attributes a trainer puts on <body> are
  // reported as attribute removals and do count). HTML comments are invisible anyway and the
  // server drops them silently.
  function somethingRemoved(removed) {
    return removed.some(function (entry, index) {
      const node = entry.element;
      if (!node) {
        return true;
      }
      if (index === 0 && node.nodeName === "REMOVE") {
        return false;
      }
      return node.nodeName !== "BODY" && node.nodeType !== Node.COMMENT_NODE;
    });
  }

  function render(textarea) {
    const preview = document.getElementById(textarea.dataset.preview);
    if (!preview) {
      return;
    }
    const html = md.render(textarea.value).replace(/<h1>/g, "<h2>").replace(/<\/h1>/g, "</h2>");
    const result = sanitize(html, textarea.dataset.imageBase || "");
    preview.textContent = "";
    preview.appendChild(result.fragment);
    const notice = document.getElementById(textarea.dataset.preview + "-removed");
    if (notice) {
      notice.hidden = !result.removed;
    }
  }

  document.querySelectorAll("textarea[data-preview]").forEach(function (textarea) {
    let timer = null;
    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { render(textarea); }, DELAY_MS);
    });
    // A browser that restored an edited value (back/forward, reload) makes the server's preview stale.
    if (textarea.value !== textarea.defaultValue) {
      render(textarea);
    }
  });

  document.querySelectorAll("button[data-js-hide]").forEach(function (button) {
    button.hidden = true;
  });
})();
