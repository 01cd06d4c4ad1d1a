package io.mintline.http.webhook;

import akka.actor.typed.ActorSystem;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mintline.engine.deployment.DeploymentEntity;
import io.mintline.engine.job.JobEntity;
import io.mintline.engine.minting.StickerBook;
import io.mintline.engine.persistence.EntityRowHandler;
import io.mintline.engine.persistence.PooledJdbcSession;
import io.mintline.engine.persistence.ReadSideProjections;
import io.mintline.engine.wallet.TipReceived;
import io.mintline.engine.wallet.WalletEntity;
import io.mintline.http.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns journal events into webhook deliveries: one row in {@code webhook_deliveries} per (event,
 * subscribed endpoint), in the same transaction as the projection's offset (exactly once), under the
 * id {@link #deliveryId} derived from the event's persistence id, sequence number and the endpoint —
 * so a replayed projection, or a second instance during a hand-over, finds the row and writes none.
 * That id is the {@code webhook-id} the receiver sees on every attempt.
 *
 * <p>One projection per tag ({@code deployment}, {@code job}, {@code wallet-N}, {@code stickers-N}),
 * run once in the cluster as the sharded daemon process {@code webhooks-projection}. An endpoint
 * gets the events that happened after it was created, of its owner (an admin's: every owner's).
 * The owner of a deployment's, sticker's or job's later events is taken from its first event
 * ({@code webhook_subjects}), which the same projection saw earlier in journal order.
 */
public final class WebhookProjection extends JdbcHandler<EventEnvelope<Object>, PooledJdbcSession> {

  /** The tags read, one projection instance each. */
  static List<String> tags() {
    List<String> tags = new ArrayList<>(List.of(DeploymentEntity.TAG, JobEntity.TAG));
    tags.addAll(ReadSideProjections.slices("wallet", WalletEntity.TAG_SLICES));
    tags.addAll(ReadSideProjections.slices("stickers", StickerBook.TAG_SLICES));
    return List.copyOf(tags);
  }

  public static void init(ActorSystem<?> system) {
    ReadSideProjections.<Object>exactlyOnce(system, "webhooks", tags(), WebhookProjection::new);
  }

  /** An event as a webhook: its type, whose it is (null: nobody's but the admins'), and its data. */
  record Occurrence(WebhookEvent type, String owner, ObjectNode data) {}

  @Override
  public void process(PooledJdbcSession session, EventEnvelope<Object> envelope) throws Exception {
    String pid = envelope.persistenceId();
    String entityId = EntityRowHandler.entityId(pid);
    session.withConnection(c -> {
      Occurrence occurrence = occurrence(c, entityId, envelope.event());
      if (occurrence != null) record(c, pid, envelope.sequenceNr(), Instant.ofEpochMilli(envelope.timestamp()), occurrence);
      return null;
    });
  }

  /** The webhook an event makes, if any; remembers owners for the events that do not name them. */
  static Occurrence occurrence(Connection c, String entityId, Object event) throws SQLException {
    if (event instanceof DeploymentEntity.Event e) return deployment(c, entityId, e);
    if (event instanceof WalletEntity.TipRecorded e && e.direction() == TipReceived.Direction.RECEIVED) {
      ObjectNode data = Json.MAPPER.createObjectNode()
          .put("tipTxId", e.tipTxId()).put("creator", e.creator()).put("fan", e.fan()).put("amount", e.amount())
          .put("round", e.round()).put("belowMinimum", e.belowMinimum());
      return new Occurrence(WebhookEvent.TIP_RECEIVED, e.address(), data);
    }
    if (event instanceof StickerBook.MintRequested e) {
      remember(c, "sticker:" + e.tipTxId(), e.creator(), null);
      return null;
    }
    if (event instanceof StickerBook.StickerMinted e) {
      String creator = owner(c, "sticker:" + e.tipTxId())[0];
      ObjectNode data = Json.MAPPER.createObjectNode()
          .put("tipTxId", e.tipTxId()).put("fan", e.address()).put("creator", creator).put("assetId", e.assetId())
          .put("golden", e.golden()).put("round", e.round()).put("txId", e.txId());
      return new Occurrence(WebhookEvent.STICKER_MINTED, creator, data);
    }
    if (event instanceof StickerBook.StickerClaimed e) {
      String creator = owner(c, "sticker:" + e.tipTxId())[0];
      ObjectNode data = Json.MAPPER.createObjectNode()
          .put("tipTxId", e.tipTxId()).put("fan", e.address()).put("creator", creator).put("assetId", e.assetId())
          .put("txId", e.txId());
      return new Occurrence(WebhookEvent.STICKER_CLAIMED, creator, data);
    }
    if (event instanceof JobEntity.Queued e) {
      remember(c, "job:" + entityId, e.owner(), e.type());
      return null;
    }
    if (event instanceof JobEntity.Succeeded || event instanceof JobEntity.Failed) {
      String[] owner = owner(c, "job:" + entityId);
      ObjectNode data = Json.MAPPER.createObjectNode().put("jobId", entityId).put("type", owner[1]).put("owner", owner[0]);
      if (event instanceof JobEntity.Failed f) data.put("status", "failed").put("error", f.error());
      else data.put("status", "succeeded");
      return new Occurrence(WebhookEvent.JOB_FINISHED, owner[0], data);
    }
    return null;
  }

  private static Occurrence deployment(Connection c, String id, DeploymentEntity.Event event) throws SQLException {
    if (event instanceof DeploymentEntity.Requested e) remember(c, "deployment:" + id, e.owner(), e.network());
    String[] owner = owner(c, "deployment:" + id);
    ObjectNode data = Json.MAPPER.createObjectNode().put("deploymentId", id).put("owner", owner[0]).put("network", owner[1]);
    if (event instanceof DeploymentEntity.Requested) {
      data.put("status", "requested");
    } else if (event instanceof DeploymentEntity.Submitted e) {
      data.put("status", "submitted").put("txId", e.txId());
    } else if (event instanceof DeploymentEntity.Expired) {
      data.put("status", "requested");
    } else if (event instanceof DeploymentEntity.Confirmed e) {
      data.put("status", "confirmed").put("appId", e.appId()).put("appAddress", e.appAddress()).put("round", e.round());
    } else if (event instanceof DeploymentEntity.FundingSubmitted) {
      data.put("status", "funding");
    } else if (event instanceof DeploymentEntity.FundingExpired) {
      data.put("status", "confirmed");
    } else if (event instanceof DeploymentEntity.Activated e) {
      data.put("status", "active").put("round", e.round());
    } else if (event instanceof DeploymentEntity.Failed e) {
      data.put("status", "failed").put("reason", e.reason()).put("retryable", e.retryable());
    } else {
      return null;
    }
    return new Occurrence(WebhookEvent.DEPLOYMENT_UPDATED, owner[0], data);
  }

  private static void remember(Connection c, String subject, String owner, String detail) throws SQLException {
    if (owner == null) return;
    try (PreparedStatement s = c.prepareStatement("INSERT INTO webhook_subjects (subject, owner, detail) SELECT ?, ?, ? "
        + "WHERE NOT EXISTS (SELECT 1 FROM webhook_subjects WHERE subject = ?)")) {
      s.setString(1, subject);
      s.setString(2, owner);
      s.setString(3, detail);
      s.setString(4, subject);
      s.executeUpdate();
    }
  }

  /** {owner, detail} of a subject; nulls when unknown. */
  private static String[] owner(Connection c, String subject) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT owner, detail FROM webhook_subjects WHERE subject = ?")) {
      s.setString(1, subject);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? new String[] {r.getString(1), r.getString(2)} : new String[] {null, null};
      }
    }
  }

  /** One delivery row per endpoint subscribed to it, created no later than the event. */
  private static void record(Connection c, String pid, long seqNr, Instant at, Occurrence o) throws SQLException {
    List<String> endpoints = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT id, events FROM webhook_endpoints WHERE status = 'enabled' "
        + "AND created_at <= ? AND (all_owners = TRUE OR owner = ?)")) {
      s.setLong(1, WebhookStore.micros(at));
      s.setString(2, o.owner() == null ? "" : o.owner());
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          if (Arrays.asList(r.getString(2).split(",")).contains(o.type().wire())) endpoints.add(r.getString(1));
        }
      }
    }
    if (endpoints.isEmpty()) return;
    long now = WebhookStore.micros(Instant.now());
    try (PreparedStatement s = c.prepareStatement("INSERT INTO webhook_deliveries (id, endpoint_id, event_type, payload, status, "
        + "attempts, next_attempt_at, created_at, updated_at) SELECT ?, ?, ?, ?, 'pending', 0, ?, ?, ? "
        + "WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = ?)")) {
      for (String endpoint : endpoints) {
        String id = deliveryId(pid, seqNr, endpoint);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", o.type().wire());
        body.put("timestamp", at.toString());
        body.set("data", o.data());
        s.setString(1, id);
        s.setString(2, endpoint);
        s.setString(3, o.type().wire());
        s.setString(4, Json.MAPPER.writeValueAsString(body));
        s.setLong(5, now);
        s.setLong(6, now);
        s.setLong(7, now);
        s.setString(8, id);
        s.addBatch();
      }
      s.executeBatch();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code msg_} + 128 bits of SHA-256(persistence id, sequence number, endpoint): the same on every node and replay. */
  static String deliveryId(String persistenceId, long sequenceNr, String endpointId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((persistenceId + "\n" + sequenceNr + "\n" + endpointId).getBytes(StandardCharsets.UTF_8));
      return "msg_" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
