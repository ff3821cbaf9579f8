// The message flow: broker events turned into rows (who sent what to whom), and the
// counts per pair of peers that the graph draws.

/** One row of the flow, or null for an event that is not a message. */
export function flowEntry(event) {
	const message = event.message;
	const task = event.task;
	const base = { id: event.id, at: event.at };
	switch (event.type) {
		case 'message':
			return {
				...base, kind: { expired: 'expiry', claim: 'claim', loop: 'held' }[message.kind] || 'direct', from: message.from,
				to: [message.to], text: message.body,
			};
		case 'broadcast':
			return {
				...base, kind: 'broadcast', from: message.from, to: event.recipients || [],
				topic: message.topic, text: message.body,
			};
		case 'task_created':
			return { ...base, kind: 'task', from: task.from, to: [task.to], text: task.description, task: task.id };
		case 'task_reported':
			return {
				...base, kind: 'result', from: task.to, to: [task.from], text: `${task.status}: ${task.result}`,
				task: task.id,
			};
		case 'claimed':
			return {
				...base, kind: 'claim', from: event.claim.holder, to: [],
				text: `claimed ${event.claim.paths.join(', ')} (${event.claim.exclusive ? 'exclusive' : 'shared'})`
					+ (event.claim.reason ? `: ${event.claim.reason}` : ''),
			};
		case 'claim_ended':
			return {
				...base, kind: 'claim', from: event.claim.holder, to: [],
				text: `claim ended: ${event.claim.paths.join(', ')}`,
			};
		case 'wakes_held':
			return {
				...base, kind: 'held', from: event.message.from, to: event.recipients || [],
				text: `no longer wakes: ${event.message.from} and ${event.message.to} kept waking each other`,
			};
		case 'edit_denied':
			return {
				...base, kind: 'denied', from: event.peer ? event.peer.name : '?', to: [event.claim.holder],
				text: `edit of ${event.path} denied: ${event.claim.paths.join(', ')} is claimed by ${event.claim.holder}`,
			};
		default:
			return null;
	}
}

/** Whether a row passes the filters: a peer on either end, a repository on either end. */
export function matches(entry, filters, repoOf) {
	const names = [entry.from, ...entry.to];
	if (filters.peer && !names.includes(filters.peer)) {
		return false;
	}
	if (filters.repo && !names.some((name) => repoOf.get(name) === filters.repo)) {
		return false;
	}
	return true;
}

/** Messages per sender and recipient since {@code since} (ms): a broadcast counts for each. */
export function pairCounts(entries, since) {
	const counts = new Map();
	for (const entry of entries) {
		if (Date.parse(entry.at) < since) {
			continue;
		}
		for (const to of entry.to) {
			if (!to || to === entry.from) {
				continue;
			}
			const key = entry.from + '\u0000' + to;
			counts.set(key, (counts.get(key) || 0) + 1);
		}
	}
	return [...counts].map(([key, count]) => {
		const [from, to] = key.split('\u0000');
		return { from, to, count };
	}).sort((a, b) => b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}
