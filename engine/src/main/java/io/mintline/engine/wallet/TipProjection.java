package io.mintline.engine.wallet;

import akka.actor.typed.ActorSystem;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import io.mintline.engine.persistence.PooledJdbcSession;
import io.mintline.engine.persistence.ReadSideProjections;
import java.sql.PreparedStatement;
import java.util.HexFormat;

/**
 * Builds the {@code tips} read-side table from {@link WalletEntity.TipRecorded} events, exactly once
 * (row and offset commit together), one projection per wallet tag slice. A wallet persists a tip
 * once per txid and side, so the table holds each tip once for the fan and once for the creator. An
 * EVM tip withdrawn by a reorganisation ({@link WalletEntity.TipWithdrawn}) is deleted; if the new
 * chain has it again, its next {@code TipRecorded} inserts it with its new block.
 */
public final class TipProjection extends JdbcHandler<EventEnvelope<WalletEntity.Event>, PooledJdbcSession> {

  public static void init(ActorSystem<?> system) {
    ReadSideProjections.<WalletEntity.Event>exactlyOnce(system, "tips",
        ReadSideProjections.slices("wallet", WalletEntity.TAG_SLICES), TipProjection::new);
  }


  @Override
  public void process(PooledJdbcSession session, EventEnvelope<WalletEntity.Event> envelope) throws Exception {
    if (envelope.event() instanceof WalletEntity.TipWithdrawn w) {
      // A tip of a block a reorganisation replaced: no longer listed (a TipRecorded from the new chain lists it again).
      session.withConnection(c -> {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM tips WHERE wallet = ? AND tx_id = ? AND direction = ?")) {
          s.setString(1, w.address());
          s.setString(2, w.tipTxId());
          s.setString(3, w.direction().wire());
          s.executeUpdate();
        }
        return null;
      });
      return;
    }
    if (!(envelope.event() instanceof WalletEntity.TipRecorded e)) return;
    session.withConnection(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO tips (wallet, tx_id, direction, fan, creator, amount, below_minimum, round, block_seed, recorded_at) "
              + "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
              + "(SELECT 1 FROM tips WHERE wallet = ? AND tx_id = ? AND direction = ?)")) {
        s.setString(1, e.address());
        s.setString(2, e.tipTxId());
        s.setString(3, e.direction().wire());
        s.setString(4, e.fan());
        s.setString(5, e.creator());
        s.setLong(6, e.amount());
        s.setBoolean(7, e.belowMinimum());
        s.setLong(8, e.round());
        s.setString(9, e.blockSeed() == null ? null : HexFormat.of().formatHex(e.blockSeed()));
        s.setLong(10, e.at().getEpochSecond() * 1_000_000 + e.at().getNano() / 1_000);
        s.setString(11, e.address());
        s.setString(12, e.tipTxId());
        s.setString(13, e.direction().wire());
        s.executeUpdate();
      }
      return null;
    });
  }
}
