package io.mintline.engine.deployment;

import akka.actor.typed.ActorSystem;
import io.mintline.engine.persistence.EntityRowHandler;
import io.mintline.engine.persistence.ReadSideProjections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/**
 * Builds the {@code deployments} read-side table from deployment events, exactly once (the row
 * change and the projection offset commit in one transaction). One instance in the cluster, run
 * as a sharded daemon process.
 */
public final class DeploymentProjection extends EntityRowHandler<DeploymentEntity.Event> {

  public static void init(ActorSystem<?> system) {
    ReadSideProjections.<DeploymentEntity.Event>exactlyOnce(system, "deployments", List.of(DeploymentEntity.TAG), DeploymentProjection::new);
  }

  @Override
  protected void apply(Connection c, String id, DeploymentEntity.Event event) throws SQLException {
    if (event instanceof DeploymentEntity.Requested e) {
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO deployments (id, owner, network, display_name, status, kind, created_at, updated_at, tip_payee) "
              + "SELECT ?, ?, ?, ?, 'requested', ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM deployments WHERE id = ?)")) {
        s.setString(1, id);
        s.setString(2, e.owner());
        s.setString(3, e.network());
        s.setString(4, e.displayName());
        s.setString(5, e.contract() == null ? "tipproxy" : e.contract().kind());
        s.setLong(6, micros(e.at()));
        s.setLong(7, micros(e.at()));
        s.setString(8, e.contract() == null ? null : e.contract().payee());
        s.setString(9, id);
        s.executeUpdate();
      }
    } else if (event instanceof DeploymentEntity.EvmSubmitted e) {
      evm(c, id, "submitted", e.txHash(), e.nonce(), e.at());
    } else if (event instanceof DeploymentEntity.EvmReplaced e) {
      evm(c, id, "submitted", e.txHash(), null, e.at());
    } else if (event instanceof DeploymentEntity.EvmConfirmed e) {
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE deployments SET status = 'confirmed', tx_hash = ?, contract_address = ?, block_number = ?, "
              + "block_hash = ?, gas_used = ?, error = NULL, updated_at = ? WHERE id = ?")) {
        s.setString(1, e.txHash());
        s.setString(2, e.contractAddress());
        s.setLong(3, e.blockNumber());
        s.setString(4, e.blockHash());
        s.setLong(5, e.gasUsed());
        s.setLong(6, micros(e.at()));
        s.setString(7, id);
        s.executeUpdate();
      }
    } else if (event instanceof DeploymentEntity.EvmReorganised e) {
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE deployments SET status = 'submitted', contract_address = NULL, block_number = NULL, block_hash = NULL, "
              + "gas_used = NULL, updated_at = ? WHERE id = ?")) {
        s.setLong(1, micros(e.at()));
        s.setString(2, id);
        s.executeUpdate();
      }
    } else if (event instanceof DeploymentEntity.Submitted e) {
      update(c, id, "submitted", e.txId(), null, null, null, null, e.at());
    } else if (event instanceof DeploymentEntity.Expired e) {
      update(c, id, "requested", null, null, null, null, null, e.at());
    } else if (event instanceof DeploymentEntity.Confirmed e) {
      update(c, id, "confirmed", null, e.appId(), e.appAddress(), e.round(), null, e.at());
    } else if (event instanceof DeploymentEntity.FundingSubmitted e) {
      update(c, id, "funding", null, null, null, null, null, e.at());
    } else if (event instanceof DeploymentEntity.FundingExpired e) {
      update(c, id, "confirmed", null, null, null, null, null, e.at());
    } else if (event instanceof DeploymentEntity.Activated e) {
      update(c, id, "active", null, null, null, null, null, e.at());
    } else if (event instanceof DeploymentEntity.Failed e) {
      update(c, id, "failed", null, null, null, null, e.reason(), e.at());
    }
  }

  /** An EVM transaction was signed: the status, its hash and (the first time) the nonce. */
  private static void evm(Connection c, String id, String status, String txHash, Long nonce, Instant at) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "UPDATE deployments SET status = ?, tx_hash = ?, nonce = COALESCE(?, nonce), updated_at = ? WHERE id = ?")) {
      s.setString(1, status);
      s.setString(2, txHash);
      if (nonce == null) s.setNull(3, Types.BIGINT); else s.setLong(3, nonce);
      s.setLong(4, micros(at));
      s.setString(5, id);
      s.executeUpdate();
    }
  }

  /** Sets the status and whichever of the other columns the event carries (nulls leave them). */
  private static void update(Connection c, String id, String status, String txId, Long appId, String appAddress,
      Long round, String error, Instant at) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "UPDATE deployments SET status = ?, tx_id = COALESCE(?, tx_id), app_id = COALESCE(?, app_id), "
            + "app_address = COALESCE(?, app_address), confirmed_round = COALESCE(?, confirmed_round), "
            + "error = ?, updated_at = ? WHERE id = ?")) {
      s.setString(1, status);
      s.setString(2, txId);
      if (appId == null) s.setNull(3, Types.BIGINT); else s.setLong(3, appId);
      s.setString(4, appAddress);
      if (round == null) s.setNull(5, Types.BIGINT); else s.setLong(5, round);
      s.setString(6, error);
      s.setLong(7, micros(at));
      s.setString(8, id);
      s.executeUpdate();
    }
  }

  static long micros(Instant at) {
    return at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
  }
}
