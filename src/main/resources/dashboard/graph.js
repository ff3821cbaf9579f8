// Who talks to whom: peers on a circle, an arrow per sender and recipient, as thick as the
// messages between them. Plain SVG drawn from scratch on each change: a few dozen nodes at
// most, so there is nothing to gain from a layout library.
import { h, svg } from './dom.js';

const WIDTH = 480;
const HEIGHT = 300;
const NODE_RADIUS = 7;

function layout(names) {
	const positions = new Map();
	const radius = Math.min(WIDTH, HEIGHT) / 2 - 45;
	names.forEach((name, i) => {
		if (names.length === 1) {
			positions.set(name, { x: WIDTH / 2, y: HEIGHT / 2, angle: -Math.PI / 2 });
			return;
		}
		const angle = -Math.PI / 2 + (2 * Math.PI * i) / names.length;
		positions.set(name, {
			x: WIDTH / 2 + radius * 1.35 * Math.cos(angle), y: HEIGHT / 2 + radius * Math.sin(angle), angle,
		});
	});
	return positions;
}

/** Draws the graph of {@code pairs} ({from, to, count}) among {@code names}. */
export function drawGraph(element, table, names, pairs) {
	const all = [...new Set([...names, ...pairs.flatMap((p) => [p.from, p.to])])].sort((a, b) => a.localeCompare(b));
	const positions = layout(all);
	const total = pairs.reduce((sum, p) => sum + p.count, 0);
	const title = all.length === 0 ? 'No peers.'
		: `${all.length} ${all.length === 1 ? 'peer' : 'peers'}; ${total} ${total === 1 ? 'message' : 'messages'}`
			+ ` between ${pairs.length} ${pairs.length === 1 ? 'pair' : 'pairs'} in the last 10 minutes.`;
	const defs = svg('defs', {}, svg('marker', {
		id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse',
	}, svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' })));
	const edges = pairs.map((pair) => {
		const a = positions.get(pair.from);
		const b = positions.get(pair.to);
		const dx = b.x - a.x;
		const dy = b.y - a.y;
		const length = Math.hypot(dx, dy) || 1;
		// Both directions of a pair side by side, not on top of each other.
		const nx = (-dy / length) * 4;
		const ny = (dx / length) * 4;
		const shorten = NODE_RADIUS + 3;
		const x1 = a.x + (dx / length) * shorten + nx;
		const y1 = a.y + (dy / length) * shorten + ny;
		const x2 = b.x - (dx / length) * shorten + nx;
		const y2 = b.y - (dy / length) * shorten + ny;
		const width = Math.min(6, 1 + Math.log2(pair.count));
		return svg('g', { class: 'edge' },
			svg('title', {}, `${pair.from} → ${pair.to}: ${pair.count}`),
			svg('line', { x1, y1, x2, y2, 'stroke-width': width.toFixed(1), 'marker-end': 'url(#arrow)' }),
			svg('text', { x: ((x1 + x2) / 2 + nx * 2).toFixed(1), y: ((y1 + y2) / 2 + ny * 2 + 4).toFixed(1), class: 'edge-count' },
				pair.count));
	});
	const nodes = all.map((name) => {
		const p = positions.get(name);
		const right = Math.cos(p.angle) >= -0.01;
		const below = Math.sin(p.angle) > 0.5;
		const above = Math.sin(p.angle) < -0.5;
		const operator = !names.includes(name);
		return svg('g', { class: operator ? 'node other' : 'node' },
			svg('circle', { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: NODE_RADIUS }),
			svg('text', {
				x: (p.x + (above || below ? 0 : right ? 11 : -11)).toFixed(1),
				y: (p.y + (below ? 20 : above ? -12 : 4)).toFixed(1),
				'text-anchor': above || below ? 'middle' : right ? 'start' : 'end',
			}, name));
	});
	element.replaceChildren(svg('title', { id: 'graph-summary' }, title), defs, ...edges, ...nodes);
	table.tBodies[0].replaceChildren(...pairs.map((pair) => h('tr', {},
		h('td', {}, pair.from), h('td', {}, pair.to), h('td', { class: 'number' }, pair.count))));
}
