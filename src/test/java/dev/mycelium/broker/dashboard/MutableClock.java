package dev.mycelium.broker.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * A clock that a test moves forward: a minute passes without waiting a minute. It runs
 * with its base clock in between.
 */
final class MutableClock extends Clock {

	private final Clock base;

	private volatile Duration offset = Duration.ZERO;

	MutableClock(Clock base) {
		this.base = base;
	}

	void advance(Duration duration) {
		offset = offset.plus(duration);
	}

	@Override
	public Instant instant() {
		return base.instant().plus(offset);
	}

	@Override
	public ZoneId getZone() {
		return base.getZone();
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException("the broker works in UTC");
	}

}
