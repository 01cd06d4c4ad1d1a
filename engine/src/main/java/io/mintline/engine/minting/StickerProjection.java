package io.mintline.engine.minting;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.eventsourced.javadsl.EventSourcedProvider;
import akka.projection.jdbc.javadsl.JdbcHandler;
import akka.projection.jdbc.javadsl.JdbcProjection;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.persistence.PooledJdbcSession;
import io.mintline.engine.wallet.WalletEntity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Base64;

/**
 * Builds the {@code stickers} table from wallet events, exactly once (offset and rows in one
 * transaction), one projection per wallet tag slice, spread over the cluster. Events are applied in
 * groups of up to {@link #GROUP} (or what arrived within {@link #GROUP_WINDOW}) per transaction: at
 * thousands of mints a second a transaction per event would make the read side the bottleneck.
 */
public final class StickerProjection extends JdbcHandler<List<EventEnvelope<WalletEntity.Event>>, PooledJdbcSession> {
  static final int GROUP = 500;
  static final Duration GROUP_WINDOW = Duration.ofMillis(200);

  public static void init(ActorSystem<?> system) {
    JournalDatabase database = JournalDatabase.get(system);
    ShardedDaemonProcess.get(system).init(
        ProjectionBehavior.Command.class, "stickers-projection", WalletEntity.TAG_SLICES, slice -> {
          String tag = "wallet-" + slice;
          return ProjectionBehavior.create(JdbcProjection.groupedWithin(
              ProjectionId.of("stickers", tag),
              EventSourcedProvider.<WalletEntity.Event>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
              () -> new PooledJdbcSession(database.dataSource()),
              StickerProjection::new,
              system).withGroup(GROUP, GROUP_WINDOW));
        },
        ProjectionBehavior.stopMessage());
  }

  @Override
  public void process(PooledJdbcSession session, List<EventEnvelope<WalletEntity.Event>> envelopes) throws Exception {
    session.withConnection(connection -> {
      for (EventEnvelope<WalletEntity.Event> envelope : envelopes) apply(connection, envelope.event());
      return null;
    });
  }

  private static void apply(Connection c, WalletEntity.Event event) throws SQLException {
    if (event instanceof WalletEntity.MintRequested e) {
      int updated = exec(c, "UPDATE stickers SET tx_id = ?, updated_at = ? WHERE tip_tx_id = ? AND status = 'requested'",
          e.txId(), micros(e.at()), e.tipTxId());
      if (updated == 0) {
        exec(c, "INSERT INTO stickers (tip_tx_id, owner, creator, status, tx_id, golden, claimed, tip_round, block_seed, "
                + "requested_at, updated_at) SELECT ?, ?, ?, 'requested', ?, ?, FALSE, ?, ?, ?, ? "
                + "WHERE NOT EXISTS (SELECT 1 FROM stickers WHERE tip_tx_id = ?)",
            e.tipTxId(), e.address(), e.creator(), e.txId(), e.golden(), e.tipRound(),
            e.blockSeed() == null ? null : Base64.getEncoder().encodeToString(e.blockSeed()), micros(e.at()), micros(e.at()),
            e.tipTxId());
      }
    } else if (event instanceof WalletEntity.StickerMinted e) {
      exec(c, "UPDATE stickers SET status = 'minted', asset_id = ?, golden = ?, minted_round = ?, tx_id = ?, updated_at = ? "
          + "WHERE tip_tx_id = ?", e.assetId(), e.golden(), e.round(), e.txId(), micros(e.at()), e.tipTxId());
    } else if (event instanceof WalletEntity.MintFailed e) {
      exec(c, "UPDATE stickers SET status = 'failed', error = ?, updated_at = ? WHERE tip_tx_id = ?",
          e.reason().length() > 1000 ? e.reason().substring(0, 1000) : e.reason(), micros(e.at()), e.tipTxId());
    } else if (event instanceof WalletEntity.StickerClaimed e) {
      exec(c, "UPDATE stickers SET claimed = TRUE, claim_tx_id = ?, updated_at = ? WHERE tip_tx_id = ?",
          e.txId(), micros(e.at()), e.tipTxId());
    }
  }

  private static int exec(Connection c, String sql, Object... values) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) s.setObject(i + 1, values[i]);
      return s.executeUpdate();
    }
  }

  private static long micros(Instant at) {
    return at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
  }
}
