// sanitizeHTML keeps the formatting of rich text (paragraphs, emphasis,
// lists, headings, links to http(s) and mailto) and drops everything
// else: scripts, styles, event handlers, other URLs. Rich text comes from
// users; it is always sanitised before it reaches the page.

const allowed = new Set([
  "P", "BR", "B", "STRONG", "I", "EM", "U", "S", "UL", "OL", "LI", "A", "H1", "H2", "H3", "H4", "BLOCKQUOTE", "CODE", "PRE", "SPAN", "DIV",
]);
const dropWithContent = new Set(["SCRIPT", "STYLE", "IFRAME", "OBJECT", "EMBED", "TEMPLATE", "NOSCRIPT", "SVG", "MATH"]);

function safeHref(href: string): boolean {
  return /^(https?:|mailto:)/i.test(href.trim());
}

function clean(node: Node, doc: Document): Node | null {
  if (node.nodeType === Node.TEXT_NODE) return doc.createTextNode(node.textContent ?? "");
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const el = node as Element;
  if (dropWithContent.has(el.tagName)) return null;
  const children = Array.from(el.childNodes)
    .map((c) => clean(c, doc))
    .filter((c): c is Node => c !== null);
  if (!allowed.has(el.tagName)) {
    const frag = doc.createDocumentFragment();
    children.forEach((c) => frag.appendChild(c));
    return frag;
  }
  const out = doc.createElement(el.tagName.toLowerCase());
  if (el.tagName === "A") {
    const href = el.getAttribute("href") ?? "";
    if (safeHref(href)) {
      out.setAttribute("href", href);
      out.setAttribute("target", "_blank");
      out.setAttribute("rel", "noopener noreferrer");
    }
  }
  children.forEach((c) => out.appendChild(c));
  return out;
}

export function sanitizeHTML(html: string): string {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const out = document.implementation.createHTMLDocument("");
  const container = out.createElement("div");
  for (const c of Array.from(doc.body.childNodes)) {
    const n = clean(c, out);
    if (n) container.appendChild(n);
  }
  return container.innerHTML;
}

// plainText is the text of rich text, for lists and cards.
export function plainText(html: string): string {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  doc.querySelectorAll("script,style").forEach((n) => n.remove());
  return (doc.body.textContent ?? "").replace(/\s+/g, " ").trim();
}
