package dev.mycelium.broker.store.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mycelium.broker.store.StoreUnavailableException;

/**
 * One writer thread, one connection, many requests per commit. Each request thread hands
 * its step over and waits; the writer runs every step waiting at that moment in one
 * transaction, commits once, and only then answers each of them. Under load a commit
 * carries dozens of steps, so the cost of committing (and, with
 * {@code MYCELIUM_FSYNC=full}, of an fsync) is shared; alone, a step waits for nothing
 * but its own commit. If the commit fails (a full disk, a read-only file), every step of
 * the batch fails with {@link StoreUnavailableException} and the database holds what it
 * held before.
 * <p>
 * A step must decide before it writes: it checks what it needs (from the cache and the
 * transaction) and throws a refusal before its first statement, so a refused step leaves
 * nothing behind in the batch's transaction. SQL failures fail the whole batch.
 */
final class GroupCommit implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

	/** Enough to carry every sender of a busy broker in one commit. */
	private static final int MAX_BATCH = 512;

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

	private record Pending(Step<?> step, CompletableFuture<Object> answer) {
	}

	private final Connection connection;

	private final Batches batches;

	private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();

	private final Thread writer;

	private volatile boolean open = true;

	GroupCommit(Connection connection, Batches batches) {
		this.connection = connection;
		this.batches = batches;
		this.writer = new Thread(this::run, "mycelium-store-writer");
		this.writer.setDaemon(true);
		this.writer.start();
	}

	/** Runs the step in the next batch; returns its result once that batch committed. */
	@SuppressWarnings("unchecked")
	<T> T write(Step<T> step) {
		if (!open) {
			throw new StoreUnavailableException("The broker's store is closed: the broker is stopping.", null);
		}
		CompletableFuture<Object> answer = new CompletableFuture<>();
		queue.add(new Pending(step, answer));
		try {
			return (T) answer.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new StoreUnavailableException(
					"Interrupted while the store committed; the change may or may not" + " have been stored.", ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException(ex.getCause());
		}
	}

	private void run() {
		List<Pending> batch = new ArrayList<>(MAX_BATCH);
		while (open || !queue.isEmpty()) {
			try {
				Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.add(first);
				queue.drainTo(batch, MAX_BATCH - 1);
				execute(batch);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			catch (RuntimeException | Error ex) {
				log.error("The store's writer failed", ex);
				batch.forEach(p -> p.answer().completeExceptionally(ex));
			}
			finally {
				batch.clear();
			}
		}
		queue.forEach(p -> p.answer()
			.completeExceptionally(new StoreUnavailableException("The broker's store is closed.", null)));
	}

	private void execute(List<Pending> batch) {
		Tx tx;
		try {
			tx = batches.begin();
		}
		catch (SQLException ex) {
			fail(batch, null, ex);
			return;
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
			return;
		}
		batches.committed(tx);
		for (int i = 0; i < batch.size(); i++) {
			if (refusals[i] != null) {
				batch.get(i).answer().completeExceptionally(refusals[i]);
			}
			else {
				batch.get(i).answer().complete(results[i]);
			}
		}
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
		batch.forEach(p -> p.answer().completeExceptionally(failure));
	}

	@Override
	public void close() {
		open = false;
		try {
			writer.join(10_000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
