package dev.mycelium.broker.store.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mycelium.broker.store.ClaimStore;
import dev.mycelium.broker.store.StoredClaim;

/**
 * The claims of the SQLite store, in its tables {@code claims} and {@code claim_waiters},
 * written through the store's group commit like everything else: a claim step is one
 * transaction of the single writer, so two claims never pass the rule side by side.
 */
final class SqliteClaims implements ClaimStore {

	private static final String COLUMNS = "id, repo, holder_id, holder_name, patterns, exclusive, reason, claimed_at, expires_at";

	private static final String WAITERS = "SELECT claim_id, peer_id FROM claim_waiters";

	private final SqliteStore store;

	SqliteClaims(SqliteStore store) {
		this.store = store;
	}

	@Override
	public List<StoredClaim> add(StoredClaim claim, Conflicts conflicts) {
		return store.write(tx -> {
			PreparedStatement select = tx.prepare("SELECT " + COLUMNS + " FROM claims WHERE repo = ? ORDER BY rowid");
			select.setString(1, claim.repo());
			List<StoredClaim> conflicting = conflicts.among(withWaiters(claims(select), tx.prepare(WAITERS)));
			if (!conflicting.isEmpty()) {
				return conflicting;
			}
			PreparedStatement insert = tx
				.prepare("INSERT INTO claims (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
			insert.setString(1, claim.id());
			insert.setString(2, claim.repo());
			insert.setString(3, claim.holderId());
			insert.setString(4, claim.holderName());
			insert.setString(5, String.join("\n", claim.patterns()));
			insert.setInt(6, claim.exclusive() ? 1 : 0);
			insert.setString(7, claim.reason());
			Rows.setInstant(insert, 8, claim.claimedAt());
			Rows.setInstant(insert, 9, claim.expiresAt());
			insert.executeUpdate();
			return List.<StoredClaim>of();
		});
	}

	@Override
	public List<StoredClaim> all() {
		return store
			.read(reader -> withWaiters(claims(reader.prepare("SELECT " + COLUMNS + " FROM claims ORDER BY rowid")),
					reader.prepare(WAITERS)));
	}

	@Override
	public List<StoredClaim> end(Collection<String> claimIds) {
		if (claimIds.isEmpty()) {
			return List.of();
		}
		return store.write(tx -> {
			List<StoredClaim> ended = new ArrayList<>();
			PreparedStatement select = tx.prepare("SELECT " + COLUMNS + " FROM claims WHERE id = ?");
			PreparedStatement waiters = tx.prepare("SELECT claim_id, peer_id FROM claim_waiters WHERE claim_id = ?");
			PreparedStatement delete = tx.prepare("DELETE FROM claims WHERE id = ?");
			PreparedStatement deleteWaiters = tx.prepare("DELETE FROM claim_waiters WHERE claim_id = ?");
			for (String id : new java.util.LinkedHashSet<>(claimIds)) {
				select.setString(1, id);
				List<StoredClaim> found = claims(select);
				if (found.isEmpty()) {
					continue;
				}
				waiters.setString(1, id);
				ended.addAll(withWaiters(found, waiters));
				delete.setString(1, id);
				delete.executeUpdate();
				deleteWaiters.setString(1, id);
				deleteWaiters.executeUpdate();
			}
			return ended;
		});
	}

	@Override
	public boolean await(String claimId, String peerId) {
		return store.write(tx -> {
			PreparedStatement insert = tx.prepare("INSERT OR IGNORE INTO claim_waiters (claim_id, peer_id)"
					+ " SELECT id, ? FROM claims WHERE id = ?");
			insert.setString(1, peerId);
			insert.setString(2, claimId);
			return insert.executeUpdate() == 1;
		});
	}

	private static List<StoredClaim> claims(PreparedStatement select) throws SQLException {
		List<StoredClaim> claims = new ArrayList<>();
		try (ResultSet rows = select.executeQuery()) {
			while (rows.next()) {
				claims.add(new StoredClaim(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
						List.of(rows.getString(5).split("\n")), rows.getInt(6) == 1, rows.getString(7),
						Rows.instant(rows, 8), Rows.instant(rows, 9), Set.of()));
			}
		}
		return claims;
	}

	/** The claims with their waiters, read by {@code select} (claim id, peer id). */
	private static List<StoredClaim> withWaiters(List<StoredClaim> claims, PreparedStatement select)
			throws SQLException {
		if (claims.isEmpty()) {
			return claims;
		}
		Map<String, Set<String>> waiters = new LinkedHashMap<>();
		try (ResultSet rows = select.executeQuery()) {
			while (rows.next()) {
				waiters.computeIfAbsent(rows.getString(1), id -> new HashSet<>()).add(rows.getString(2));
			}
		}
		return claims.stream().map(claim -> claim.withWaiters(waiters.getOrDefault(claim.id(), Set.of()))).toList();
	}

}
