// Building the page's elements. Text goes in as text nodes, never as HTML: tool names and session
// IDs can come from any OTLP sender.

/** `h('a', { href: '#/' }, 'Sessions')`: an element with attributes and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/**
 * A table with a caption and column headers; each row's first cell is its row header.
 * `columns`: `{ label, numeric? }[]`; `rows`: arrays of cell contents (text or elements);
 * `rowAttributes(i)`: attributes of the i-th row, if any.
 */
export function dataTable({ caption, columns, rows, name, rowAttributes }) {
  const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : undefined }, c.label)));
  const body = rows.map((cells, row) =>
    h('tr', rowAttributes?.(row) ?? {}, cells.map((cell, i) =>
      h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : undefined, class: columns[i]?.numeric ? 'num' : undefined }, cell),
    )),
  );
  return h('table', { 'data-table': name },
    h('caption', {}, caption),
    h('thead', {}, head),
    h('tbody', {}, body.length ? body : h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, 'None yet.'))),
  );
}

/** A `<time>` showing an ISO 8601 time in the reader's locale. */
export function timeElement(iso, text) {
  return h('time', { datetime: iso }, text);
}

/** A `<button type="button">` that calls `onClick`. */
export function button(label, attributes, onClick) {
  const element = h('button', { type: 'button', ...attributes }, label);
  element.addEventListener('click', onClick);
  return element;
}

/** Puts `next` where `previous` is (or appends it to `parent`); returns `next`. */
export function replace(parent, previous, next) {
  if (previous && previous.parentNode === parent) previous.replaceWith(next);
  else parent.append(next);
  return next;
}
