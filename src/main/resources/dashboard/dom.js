// Building the page from data: every text goes in as a text node, never as markup, so a
// message body or a summary can show anything and run nothing.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(node, attributes, children) {
	for (const [name, value] of Object.entries(attributes)) {
		if (value === null || value === undefined || value === false) {
			continue;
		}
		if (name === 'class') {
			node.setAttribute('class', value);
		} else {
			node.setAttribute(name, value === true ? '' : String(value));
		}
	}
	for (const child of children.flat()) {
		if (child !== null && child !== undefined && child !== false) {
			node.append(child instanceof Node ? child : String(child));
		}
	}
	return node;
}

/** An HTML element: h('td', {class: 'number'}, 3). */
export function h(tag, attributes = {}, ...children) {
	return build(document.createElement(tag), attributes, children);
}

/** An SVG element. */
export function svg(tag, attributes = {}, ...children) {
	return build(document.createElementNS(SVG_NS, tag), attributes, children);
}

/** Replaces the options of a select, keeping the choice when it is still offered. */
export function setOptions(select, options, placeholder) {
	const chosen = select.value;
	const wanted = [placeholder, ...options].filter(Boolean);
	const current = [...select.options].map((option) => option.value + '\u0000' + option.textContent);
	if (current.join('\u0001') === wanted.map((o) => o.value + '\u0000' + o.label).join('\u0001')) {
		return;
	}
	select.replaceChildren(...wanted.map((o) => h('option', { value: o.value }, o.label)));
	if (wanted.some((o) => o.value === chosen)) {
		select.value = chosen;
	}
}
