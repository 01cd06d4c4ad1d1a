package io.mintline.engine.listener;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

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

  /** An active TipProxy: payments to {@code appAddress} from {@code sinceRound} on are tips to {@code creator}. */
  record Watched(String appAddress, String creator, long sinceRound) {}

  private final DataSource dataSource;
  private final Executor blockingIo;

  ListenerStore(ActorSystem<?> system) {
    this.dataSource = JournalDatabase.get(system).dataSource();
    this.blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher"));
  }

  CompletionStage<Optional<Watermark>> watermark(String network) {
    return io(c -> {
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
    return io(c -> {
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
    return io(c -> {
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
    return io(c -> {
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
    return io(c -> {
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
    return io(c -> {
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

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> CompletionStage<T> io(Work<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        return work.run(c);
      } catch (SQLException e) {
        throw new CompletionException(e);
      }
    }, blockingIo);
  }

  private static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }
}
