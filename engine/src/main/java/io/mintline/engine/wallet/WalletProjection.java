package io.mintline.engine.wallet;

import akka.actor.typed.ActorSystem;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import io.mintline.engine.persistence.PooledJdbcSession;
import io.mintline.engine.persistence.ReadSideProjections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Builds the {@code wallets} read-side table from wallet events, exactly once, one projection per
 * tag slice ({@link WalletEntity#TAG_SLICES}), spread over the cluster as a sharded daemon process.
 * Events are applied in groups per transaction (sized by {@code mintline.projections}): minting
 * writes two wallet events per sticker, most of which this table ignores, and a transaction per
 * event would cost the database more than the events themselves.
 */
public final class WalletProjection extends JdbcHandler<List<EventEnvelope<WalletEntity.Event>>, PooledJdbcSession> {

  public static void init(ActorSystem<?> system) {
    ReadSideProjections.<WalletEntity.Event>grouped(system, "wallets",
        ReadSideProjections.slices("wallet", WalletEntity.TAG_SLICES), WalletProjection::new);
  }


  @Override
  public void process(PooledJdbcSession session, List<EventEnvelope<WalletEntity.Event>> envelopes) throws Exception {
    session.withConnection(connection -> {
      for (EventEnvelope<WalletEntity.Event> envelope : envelopes) apply(connection, envelope.event());
      return null;
    });
  }

  private static void apply(Connection c, WalletEntity.Event event) throws SQLException {
    if (event instanceof WalletEntity.Seen e) {
      ensureRow(c, e.address(), e.at());
      exec(c, "UPDATE wallets SET times_seen = times_seen + 1, last_seen = ? WHERE address = ?", micros(e.at()), e.address());
    } else if (event instanceof WalletEntity.CreatorRequested e) {
      ensureRow(c, e.address(), e.at());
      exec(c, "UPDATE wallets SET display_name = ?, deployment_id = ? WHERE address = ?", e.displayName(), e.deploymentId(), e.address());
    } else if (event instanceof WalletEntity.BecameCreator e) {
      ensureRow(c, e.address(), e.at());
      exec(c, "UPDATE wallets SET role = 'creator', display_name = ?, deployment_id = ?, app_id = ?, app_address = ? WHERE address = ?",
          e.displayName(), e.deploymentId(), e.appId(), e.appAddress(), e.address());
    } else if (event instanceof WalletEntity.BecameEvmCreator e) {
      ensureRow(c, e.address(), e.at());
      exec(c, "UPDATE wallets SET role = 'creator', display_name = COALESCE(display_name, ?) WHERE address = ?",
          e.displayName(), e.address());
    }
  }

  private static void ensureRow(Connection c, String address, Instant at) throws SQLException {
    exec(c, "INSERT INTO wallets (address, role, first_seen, last_seen, times_seen) SELECT ?, 'fan', ?, ?, 0 "
        + "WHERE NOT EXISTS (SELECT 1 FROM wallets WHERE address = ?)", address, micros(at), micros(at), address);
  }

  private static void exec(Connection c, String sql, Object... values) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) s.setObject(i + 1, values[i]);
      s.executeUpdate();
    }
  }

  private static long micros(Instant at) {
    return at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
  }
}
