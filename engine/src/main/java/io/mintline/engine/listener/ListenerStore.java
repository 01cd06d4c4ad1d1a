package io.mintline.engine.listener;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import io.mintline.engine.persistence.BlockingJdbc;
import io.mintline.engine.persistence.JournalDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The listener's persisted state on the shared pool: its {@link Watermark} (a plain row rather
 * than an event-sourced entity, because it changes every round and only its latest value matters),
 * the TipProxy addresses it has taken into its watched set, and the active deployments it should
 * watch (read from the {@code deployments} read side each refresh: the set is small and the query
 * indexed, so polling is simpler than a cluster-wide activation topic and survives a missed message).
 * Blocking JDBC runs on {@code mintline.blocking-io-dispatcher}.
 */
final class ListenerStore {

  /** The last round whose tips were all acknowledged, on the chain with {@code genesisHash}. */
  record Watermark(String network, byte[] genesisHash, long round) {
    String genesisHashBase64() {
      return Base64.getEncoder().encodeToString(genesisHash);
    }
  }

  /**
   * An active TipProxy: payments to {@code appAddress} from {@code sinceRound} on are tips to
   * {@code creator}. For a tip jar, {@code payee} is the address its Tip events name as creator (the
   * creator itself, or the EVM address an Algorand creator linked): such a tip is {@code creator}'s.
   */
  record Watched(String appAddress, String creator, long sinceRound, String payee) {
    Watched(String appAddress, String creator, long sinceRound) {
      this(appAddress, creator, sinceRound, creator);
    }
  }

  private final BlockingJdbc jdbc;

  ListenerStore(ActorSystem<?> system) {
    this.jdbc = new BlockingJdbc(JournalDatabase.get(system).dataSource(),
        system.dispatchers().lookup(DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher")));
  }

  CompletionStage<Optional<Watermark>> watermark(String network) {
    return jdbc.io(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT genesis_hash, round FROM listener_watermarks WHERE network = ?")) {
        s.setString(1, network);
        try (ResultSet r = s.executeQuery()) {
          if (!r.next()) return Optional.empty();
          return Optional.of(new Watermark(network, Base64.getDecoder().decode(r.getString(1)), r.getLong(2)));
        }
      }
    });
  }

  /** Creates the watermark if there is none yet; answers the one that is stored afterwards. */
  CompletionStage<Watermark> initialize(Watermark initial) {
    return jdbc.io(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO listener_watermarks (network, genesis_hash, round, updated_at) SELECT ?, ?, ?, ? "
              + "WHERE NOT EXISTS (SELECT 1 FROM listener_watermarks WHERE network = ?)")) {
        s.setString(1, initial.network());
        s.setString(2, initial.genesisHashBase64());
        s.setLong(3, initial.round());
        s.setLong(4, nowMicros());
        s.setString(5, initial.network());
        s.executeUpdate();
      } catch (SQLException raced) {
        // Another node inserted it first (primary key): read theirs below.
      }
      return null;
    }).thenCompose(x -> watermark(initial.network())).thenApply(Optional::orElseThrow);
  }

  /** Moves the watermark forward to {@code round}; never backwards (a superseded run may still write). */
  CompletionStage<Void> advance(String network, long round) {
    return jdbc.io(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE listener_watermarks SET round = ?, updated_at = ? WHERE network = ? AND round < ?")) {
        s.setLong(1, round);
        s.setLong(2, nowMicros());
        s.setString(3, network);
        s.setLong(4, round);
        s.executeUpdate();
      }
      return null;
    });
  }

  /** Active TipProxy deployments of {@code network}, by app address. */
  CompletionStage<Map<String, Watched>> activeDeployments(String network) {
    return jdbc.io(c -> {
      Map<String, Watched> watched = new HashMap<>();
      try (PreparedStatement s = c.prepareStatement(
          "SELECT app_address, owner, confirmed_round FROM deployments WHERE status = 'active' AND network = ? "
              + "AND app_address IS NOT NULL")) {
        s.setString(1, network);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) watched.put(r.getString(1), new Watched(r.getString(1), r.getString(2), r.getLong(3)));
        }
      }
      return watched;
    });
  }

  /** The app addresses already taken into the watched set (scanned from their confirmation round). */
  CompletionStage<Set<String>> knownAddresses(String network) {
    return jdbc.io(c -> {
      Set<String> known = new HashSet<>();
      try (PreparedStatement s = c.prepareStatement("SELECT app_address FROM listener_watched WHERE network = ?")) {
        s.setString(1, network);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) known.add(r.getString(1));
        }
      }
      return known;
    });
  }

  CompletionStage<Void> markKnown(String network, Iterable<Watched> addresses) {
    return jdbc.io(c -> {
      for (Watched w : addresses) {
        try (PreparedStatement s = c.prepareStatement(
            "INSERT INTO listener_watched (network, app_address, since_round) SELECT ?, ?, ? "
                + "WHERE NOT EXISTS (SELECT 1 FROM listener_watched WHERE network = ? AND app_address = ?)")) {
          s.setString(1, network);
          s.setString(2, w.appAddress());
          s.setLong(3, w.sinceRound());
          s.setString(4, network);
          s.setString(5, w.appAddress());
          s.executeUpdate();
        }
      }
      return null;
    });
  }

  // ---- EVM tip listeners ----

  /** The wallets of an EVM tip: the fan's (sent) and the creator's (received); null parts are unknown (rows before V91). */
  record TipParties(String fan, String creator) {}

  /**
   * A handled EVM block: its number, hash and the ids of the tips delivered from it, with their
   * wallets ({@code parties}, by tip id; a tip missing there has them looked up in the tips read side).
   */
  record BlockHash(long number, String hash, java.util.List<String> tips, Map<String, TipParties> parties) {
    BlockHash(long number, String hash) {
      this(number, hash, java.util.List.of());
    }

    BlockHash(long number, String hash, java.util.List<String> tips) {
      this(number, hash, tips, Map.of());
    }
  }

  /**
   * The tips of replaced blocks not delivered again yet (replaced up to block {@code upTo}), and how
   * many were withdrawn. {@code untold}: those among them whose wallets have not been told to withdraw
   * them yet, with their wallets.
   */
  record Orphans(Set<String> pending, long upTo, long withdrawn, Map<String, TipParties> untold) {
    Orphans(Set<String> pending, long upTo, long withdrawn) {
      this(pending, upTo, withdrawn, Map.of());
    }
  }

  /** Active tip jars on EVM network {@code evmNetwork}, by contract address: Tip events there from their block on. */
  CompletionStage<Map<String, Watched>> activeTipJars(String evmNetwork) {
    return jdbc.io(c -> {
      Map<String, Watched> watched = new HashMap<>();
      try (PreparedStatement s = c.prepareStatement(
          "SELECT contract_address, owner, block_number, tip_payee FROM deployments WHERE status = 'active' AND kind = 'tipjar' "
              + "AND network = ? AND contract_address IS NOT NULL")) {
        s.setString(1, evmNetwork);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            String address = r.getString(1).toLowerCase(java.util.Locale.ROOT);
            String payee = r.getString(4);
            watched.put(address, new Watched(address, r.getString(2), r.getLong(3), payee == null ? r.getString(2) : payee));
          }
        }
      }
      return watched;
    });
  }

  /** The handled blocks remembered for {@code network} up to {@code upTo}, oldest first; later rows are dropped. */
  CompletionStage<java.util.List<BlockHash>> recentBlocks(String network, long upTo) {
    return jdbc.io(c -> {
      for (String table : new String[] {"evm_listener_blocks", "evm_listener_block_tips"}) {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE network = ? AND number > ?")) {
          s.setString(1, network);
          s.setLong(2, upTo);
          s.executeUpdate();
        }
      }
      Map<Long, java.util.List<String>> tips = new HashMap<>();
      Map<Long, Map<String, TipParties>> parties = new HashMap<>();
      try (PreparedStatement s = c.prepareStatement(
          "SELECT number, tip_id, fan, creator FROM evm_listener_block_tips WHERE network = ?")) {
        s.setString(1, network);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            tips.computeIfAbsent(r.getLong(1), n -> new java.util.ArrayList<>()).add(r.getString(2));
            if (r.getString(3) != null) {
              parties.computeIfAbsent(r.getLong(1), n -> new HashMap<>()).put(r.getString(2), new TipParties(r.getString(3), r.getString(4)));
            }
          }
        }
      }
      java.util.List<BlockHash> blocks = new java.util.ArrayList<>();
      try (PreparedStatement s = c.prepareStatement(
          "SELECT number, hash FROM evm_listener_blocks WHERE network = ? ORDER BY number")) {
        s.setString(1, network);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            long n = r.getLong(1);
            blocks.add(new BlockHash(n, r.getString(2), java.util.List.copyOf(tips.getOrDefault(n, java.util.List.of())),
                Map.copyOf(parties.getOrDefault(n, Map.of()))));
          }
        }
      }
      return blocks;
    });
  }

  /**
   * Remembers {@code blocks} (with their tips) and forgets those below {@code keepFrom}, drops the
   * pending orphans among {@code delivered} (the new chain has them again), then moves the watermark
   * to {@code watermark}, in one transaction: the hashes never run ahead of the watermark.
   */
  CompletionStage<Void> handledBlocks(String network, java.util.List<BlockHash> blocks, long keepFrom, long watermark,
      java.util.Collection<String> delivered) {
    return jdbc.transaction(c -> {
      for (String table : new String[] {"evm_listener_blocks", "evm_listener_block_tips"}) {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE network = ? AND (number < ? OR number > ?)")) {
          s.setString(1, network);
          s.setLong(2, keepFrom);
          s.setLong(3, blocks.isEmpty() ? watermark : blocks.get(0).number() - 1);
          s.executeUpdate();
        }
      }
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO evm_listener_block_tips (network, number, tip_id, fan, creator) VALUES (?, ?, ?, ?, ?)")) {
        int n = 0;
        for (BlockHash b : blocks) {
          if (b.number() < keepFrom) continue;
          for (String tip : new java.util.LinkedHashSet<>(b.tips())) {
            TipParties p = b.parties().get(tip);
            s.setString(1, network);
            s.setLong(2, b.number());
            s.setString(3, tip);
            s.setString(4, p == null ? null : p.fan());
            s.setString(5, p == null ? null : p.creator());
            s.addBatch();
            n++;
          }
        }
        if (n > 0) s.executeBatch();
      }
      if (!delivered.isEmpty()) {
        try (PreparedStatement s = c.prepareStatement(
            "DELETE FROM evm_listener_orphans WHERE network = ? AND tip_id = ? AND status IN ('pending', 'replaced')")) {
          for (String tip : delivered) {
            s.setString(1, network);
            s.setString(2, tip);
            s.addBatch();
          }
          s.executeBatch();
        }
      }
      try (PreparedStatement s = c.prepareStatement("INSERT INTO evm_listener_blocks (network, number, hash) VALUES (?, ?, ?)")) {
        for (BlockHash b : blocks) {
          if (b.number() < keepFrom) continue;
          s.setString(1, network);
          s.setLong(2, b.number());
          s.setString(3, b.hash());
          s.addBatch();
        }
        s.executeBatch();
      }
      setWatermark(c, network, watermark, nowMicros());
      return null;
    });
  }

  /** As {@link #backTo(String, long, Map, long)} with the tips' wallets unknown. */
  CompletionStage<Void> backTo(String network, long fork, java.util.Collection<String> orphaned, long upTo) {
    Map<String, TipParties> unknown = new HashMap<>();
    for (String tip : orphaned) unknown.put(tip, new TipParties(null, null));
    return backTo(network, fork, unknown, upTo);
  }

  /**
   * A reorganisation: forgets the remembered blocks above {@code fork}, notes {@code orphaned} (the
   * tips of the replaced blocks, up to block {@code upTo}, with their wallets) as replaced — their
   * wallets are yet to be told to withdraw them ({@link #told}) — and sets the watermark to
   * {@code fork}, in one transaction.
   */
  CompletionStage<Void> backTo(String network, long fork, Map<String, TipParties> orphaned, long upTo) {
    return jdbc.transaction(c -> {
      for (String table : new String[] {"evm_listener_blocks", "evm_listener_block_tips"}) {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE network = ? AND number > ?")) {
          s.setString(1, network);
          s.setLong(2, fork);
          s.executeUpdate();
        }
      }
      long now = nowMicros();
      for (Map.Entry<String, TipParties> orphan : orphaned.entrySet()) {
        String tip = orphan.getKey();
        TipParties p = orphan.getValue() == null ? new TipParties(null, null) : orphan.getValue();
        try (PreparedStatement s = c.prepareStatement("UPDATE evm_listener_orphans SET replaced_up_to = ?, status = 'replaced', "
            + "noted_at = ?, fan = COALESCE(?, fan), creator = COALESCE(?, creator) WHERE network = ? AND tip_id = ?")) {
          s.setLong(1, upTo);
          s.setLong(2, now);
          s.setString(3, p.fan());
          s.setString(4, p.creator());
          s.setString(5, network);
          s.setString(6, tip);
          if (s.executeUpdate() > 0) continue;
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO evm_listener_orphans (network, tip_id, replaced_up_to, status, "
            + "noted_at, fan, creator) VALUES (?, ?, ?, 'replaced', ?, ?, ?)")) {
          s.setString(1, network);
          s.setString(2, tip);
          s.setLong(3, upTo);
          s.setLong(4, now);
          s.setString(5, p.fan());
          s.setString(6, p.creator());
          s.executeUpdate();
        }
      }
      // For the sticker minter: stickers of kept tips minted in the replaced blocks are checked again.
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO evm_listener_reorgs (network, fork, replaced_up_to, noted_at) VALUES (?, ?, ?, ?)")) {
        s.setString(1, network);
        s.setLong(2, fork);
        s.setLong(3, upTo);
        s.setLong(4, now);
        s.executeUpdate();
      }
      setWatermark(c, network, fork, now);
      return null;
    });
  }

  /**
   * The pending orphans of {@code network} (wallets told or not: 'replaced' rows are those whose
   * wallets are yet to be told), and the number withdrawn so far.
   */
  CompletionStage<Orphans> orphans(String network) {
    return jdbc.io(c -> {
      Set<String> pending = new HashSet<>();
      Map<String, TipParties> untold = new HashMap<>();
      long upTo = -1;
      long withdrawn = 0;
      try (PreparedStatement s = c.prepareStatement(
          "SELECT tip_id, replaced_up_to, status, fan, creator FROM evm_listener_orphans WHERE network = ?")) {
        s.setString(1, network);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            String status = r.getString(3);
            if ("pending".equals(status) || "replaced".equals(status)) {
              pending.add(r.getString(1));
              upTo = Math.max(upTo, r.getLong(2));
              if ("replaced".equals(status)) untold.put(r.getString(1), new TipParties(r.getString(4), r.getString(5)));
            } else {
              withdrawn++;
            }
          }
        }
      }
      return new Orphans(Set.copyOf(pending), upTo, withdrawn, Map.copyOf(untold));
    });
  }

  /** The wallets that tip {@code tipId} is recorded on, from the tips read side: (wallet, direction) pairs. */
  CompletionStage<java.util.List<String[]>> tipWallets(String tipId) {
    return jdbc.io(c -> {
      java.util.List<String[]> out = new java.util.ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT wallet, direction FROM tips WHERE tx_id = ?")) {
        s.setString(1, tipId);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) out.add(new String[] {r.getString(1), r.getString(2)});
        }
      }
      return out;
    });
  }

  /** The wallets of the replaced tips {@code tips} were told to withdraw them: they are pending now. */
  CompletionStage<Void> told(String network, java.util.Collection<String> tips) {
    return jdbc.io(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE evm_listener_orphans SET status = 'pending' WHERE network = ? AND tip_id = ? AND status = 'replaced'")) {
        for (String tip : tips) {
          s.setString(1, network);
          s.setString(2, tip);
          s.addBatch();
        }
        s.executeBatch();
      }
      return null;
    });
  }

  /** Marks {@code tips} withdrawn: the final chain, read past the blocks that held them, does not have them. */
  CompletionStage<Void> withdraw(String network, java.util.Collection<String> tips) {
    return jdbc.io(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE evm_listener_orphans SET status = 'withdrawn', noted_at = ? WHERE network = ? AND tip_id = ?")) {
        long now = nowMicros();
        for (String tip : tips) {
          s.setLong(1, now);
          s.setString(2, network);
          s.setString(3, tip);
          s.addBatch();
        }
        s.executeBatch();
      }
      return null;
    });
  }


  private static void setWatermark(Connection c, String network, long round, long nowMicros) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("UPDATE listener_watermarks SET round = ?, updated_at = ? WHERE network = ?")) {
      s.setLong(1, round);
      s.setLong(2, nowMicros);
      s.setString(3, network);
      s.executeUpdate();
    }
  }

  private static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }
}
