package dev.mycelium.broker.store.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.broker.store.StoreUnavailableException;

/**
 * One connection, many requests per commit. A request thread queues its step; if no other
 * thread is writing, it takes the writer's lock and runs every step queued at that moment
 * in one transaction, commits once, wakes each of their threads with its answer, and
 * wakes the first thread queued meanwhile to lead the next batch. Under load a commit
 * carries a step of each waiting request and the cost of committing (and, with
 * {@code MYCELIUM_FSYNC=full}, of an fsync) is shared; alone, a step runs on its own
 * thread with no hand-off. Of the forms measured with the throughput bench (a dedicated
 * writer thread, threads waking one another in turn, this), this cost the least broker
 * CPU per message: figures in bench/results/2026-12-02-group-commit.md. If the commit
 * fails (a full disk, a read-only file), every step of the batch fails with
 * {@link StoreUnavailableException} and the database holds what it held before.
 * <p>
 * A step must decide before it writes: it checks what it needs (from the cache and the
 * transaction) and throws a refusal before its first statement, so a refused step leaves
 * nothing behind in the batch's transaction. SQL failures fail the whole batch.
 */
final class GroupCommit implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

	/** Enough to carry every sender of a busy broker in one commit. */
	private static final int MAX_BATCH = 512;

	/** How long a waiting step yields before it parks (see awaitTurn). */
	private static final long YIELD_NANOS = 50_000;

	/** A step of one request: statements in the batch's transaction. */
	interface Step<T> {

		T run(Tx tx) throws SQLException;

	}

	/** Begins each batch's transaction, and publishes or forgets what it changed. */
	interface Batches {

		Tx begin() throws SQLException;

		/** Committed: publish what the batch changed. */
		void committed(Tx tx);

		/** Rolled back: forget it. */
		void rolledBack(Tx tx);

	}

	private record Pending(Step<?> step, CompletableFuture<Object> answer, Thread thread) {
	}

	private final Connection connection;

	private final Batches batches;

	private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();

	private final ReentrantLock writer = new ReentrantLock();

	private volatile boolean open = true;

	GroupCommit(Connection connection, Batches batches) {
		this.connection = connection;
		this.batches = batches;
	}

	/** Runs the step in the next batch; returns its result once that batch committed. */
	@SuppressWarnings("unchecked")
	<T> T write(Step<T> step) {
		CompletableFuture<Object> answer = new CompletableFuture<>();
		queue.add(new Pending(step, answer, Thread.currentThread()));
		long yieldUntil = System.nanoTime() + YIELD_NANOS;
		while (!answer.isDone()) {
			if (writer.tryLock()) {
				List<Pending> answered = new ArrayList<>();
				try {
					// Every batch is as large as what is queued; ours is in one of them.
					while (!answer.isDone() && !queue.isEmpty()) {
						if (!open) {
							failQueued();
						}
						else {
							answered.addAll(execute(drain()));
						}
					}
				}
				finally {
					writer.unlock();
				}
				// Woken only now: a thread woken while the lock was held could take the
				// core from this one, and every request queued behind the lock would wait
				// for it. Throughput bench, two cores, three interleaved runs each: woken
				// inside, 7,794-8,909 msg/s (163-188 µs of broker CPU per message); woken
				// here, 9,080-9,589 msg/s (151-159 µs).
				for (Pending pending : answered) {
					LockSupport.unpark(pending.thread());
				}
				// Steps queued meanwhile: the first of their threads leads the next
				// batch.
				Pending next = queue.peek();
				if (next != null) {
					LockSupport.unpark(next.thread());
				}
			}
			else {
				awaitTurn(answer, yieldUntil);
			}
		}
		try {
			return (T) answer.getNow(null);
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException(ex.getCause());
		}
	}

	/**
	 * Waits for the batch that carries this step to commit, or for the writer's lock to
	 * be free. Until the deadline it yields the core instead of parking: a commit takes
	 * tens of microseconds, and waking a parked thread costs about as much. A yield lets
	 * other requests run meanwhile, and returns at once when there are none. In
	 * interleaved pairs of throughput runs, yielding first was faster than parking at
	 * once in nearly every pair (bench/README.md; the dated figures are in
	 * bench/results/2026-12-02-group-commit.md).
	 */
	private void awaitTurn(CompletableFuture<Object> answer, long yieldUntil) {
		while (System.nanoTime() < yieldUntil) {
			if (answer.isDone() || !writer.isLocked()) {
				return;
			}
			Thread.yield();
		}
		// Woken when a batch answered ours, or when it is our turn to lead; the timeout
		// only guards against a wake-up that never comes.
		LockSupport.parkNanos(this, 1_000_000);
	}

	private List<Pending> drain() {
		List<Pending> batch = new ArrayList<>();
		for (Pending next; batch.size() < MAX_BATCH && (next = queue.poll()) != null;) {
			batch.add(next);
		}
		return batch;
	}

	private void failQueued() {
		for (Pending next; (next = queue.poll()) != null;) {
			next.answer()
				.completeExceptionally(
						new StoreUnavailableException("The broker's store is closed: the broker is stopping.", null));
			LockSupport.unpark(next.thread());
		}
	}

	/**
	 * Runs the batch and completes each of its answers; returns the batch, whose threads
	 * the caller wakes once it let go of the lock (a failed batch wakes them itself).
	 */
	private List<Pending> execute(List<Pending> batch) {
		Tx tx;
		try {
			tx = batches.begin();
		}
		catch (SQLException ex) {
			fail(batch, null, ex);
			return List.of();
		}
		Object[] results = new Object[batch.size()];
		RuntimeException[] refusals = new RuntimeException[batch.size()];
		try {
			for (int i = 0; i < batch.size(); i++) {
				try {
					results[i] = batch.get(i).step().run(tx);
				}
				catch (RuntimeException ex) {
					// A refusal, decided before the step wrote anything: the others go
					// on.
					refusals[i] = ex;
				}
			}
			connection.commit();
		}
		catch (SQLException ex) {
			fail(batch, tx, ex);
			return List.of();
		}
		try {
			batches.committed(tx);
		}
		catch (RuntimeException ex) {
			log.error("Publishing a committed batch failed", ex);
		}
		for (int i = 0; i < batch.size(); i++) {
			Pending pending = batch.get(i);
			if (refusals[i] != null) {
				pending.answer().completeExceptionally(refusals[i]);
			}
			else {
				pending.answer().complete(results[i]);
			}
		}
		return batch;
	}

	private void fail(List<Pending> batch, Tx tx, SQLException cause) {
		try {
			connection.rollback();
		}
		catch (SQLException ex) {
			cause.addSuppressed(ex);
		}
		if (tx != null) {
			batches.rolledBack(tx);
		}
		StoreUnavailableException failure = SqliteStore.unavailable(cause);
		log.warn("{} ({} requests refused)", failure.getMessage(), batch.size(), cause);
		for (Pending pending : batch) {
			pending.answer().completeExceptionally(failure);
			LockSupport.unpark(pending.thread());
		}
	}

	@Override
	public void close() {
		writer.lock();
		try {
			open = false;
			failQueued();
		}
		finally {
			writer.unlock();
		}
	}

}
