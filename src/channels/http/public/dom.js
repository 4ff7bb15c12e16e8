// DOM helpers shared by the staff console (app.js) and the maintainers' review (review.js).

/** The first element matching a CSS selector. */
export const $ = (sel) => document.querySelector(sel);

/** An element with properties (class, text, on… listeners, other attributes) and children. */
export const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
};
