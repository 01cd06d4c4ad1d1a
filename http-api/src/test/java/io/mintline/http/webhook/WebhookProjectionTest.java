package io.mintline.http.webhook;

import static org.junit.jupiter.api.Assertions.*;

import io.mintline.engine.job.JobEntity;
import io.mintline.engine.minting.StickerBook;
import io.mintline.engine.wallet.TipReceived;
import io.mintline.engine.wallet.WalletEntity;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link WebhookProjection} makes of journal events, on the migrated H2 schema: the events
 * that do not name their owner (a sticker's claim, a job's end) go to the owner their first event
 * named; a tip becomes {@code tip.received} on the creator's side only; events that are not webhooks make none.
 */
class WebhookProjectionTest {
  @TempDir Path dir;
  Connection c;

  @BeforeEach
  void migrate() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath();
    Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration/common", "classpath:db/migration/h2")
        .load().migrate();
    c = DriverManager.getConnection(url, "sa", "");
  }

  @Test
  void aJobsEndGoesToTheWalletThatQueuedIt() throws Exception {
    Instant at = Instant.parse("2026-12-01T12:00:00Z");
    assertNull(WebhookProjection.occurrence(c, "job-1", new JobEntity.Queued("job-1", "audit", "OWNER1", "h", null, at)));
    assertNull(WebhookProjection.occurrence(c, "job-1", new JobEntity.Started(1, at)));
    WebhookProjection.Occurrence done = WebhookProjection.occurrence(c, "job-1", new JobEntity.Succeeded(null, at));
    assertEquals(WebhookEvent.JOB_FINISHED, done.type());
    assertEquals("OWNER1", done.owner());
    assertEquals("audit", done.data().path("type").asText());
    assertEquals("succeeded", done.data().path("status").asText());
    WebhookProjection.occurrence(c, "job-2", new JobEntity.Queued("job-2", "compile", "OWNER2", "h", null, at));
    WebhookProjection.Occurrence failed = WebhookProjection.occurrence(c, "job-2", new JobEntity.Failed("boom", null, false, at));
    assertEquals("OWNER2", failed.owner());
    assertEquals("failed", failed.data().path("status").asText());
    assertEquals("boom", failed.data().path("error").asText());
  }

  @Test
  void aStickersMintAndClaimGoToTheCreatorOfTheTip() throws Exception {
    Instant at = Instant.parse("2026-12-01T12:00:00Z");
    assertNull(WebhookProjection.occurrence(c, "FAN", new StickerBook.MintRequested("FAN", "TIP1", 7, null, "CREATOR", false,
        "TX", new byte[0], 1, 100, false, 0, at)));
    WebhookProjection.Occurrence minted = WebhookProjection.occurrence(c, "FAN",
        new StickerBook.StickerMinted("FAN", "TIP1", 42, true, 9, "TX", at));
    assertEquals(WebhookEvent.STICKER_MINTED, minted.type());
    assertEquals("CREATOR", minted.owner());
    assertEquals(42, minted.data().path("assetId").asLong());
    WebhookProjection.Occurrence claimed = WebhookProjection.occurrence(c, "FAN",
        new StickerBook.StickerClaimed("FAN", "TIP1", 42, "CLAWBACK", at));
    assertEquals(WebhookEvent.STICKER_CLAIMED, claimed.type());
    assertEquals("CREATOR", claimed.owner());
    assertEquals("FAN", claimed.data().path("fan").asText());
    assertEquals("CLAWBACK", claimed.data().path("txId").asText());
  }

  @Test
  void aTipIsATipReceivedForTheCreatorOnly() throws Exception {
    Instant at = Instant.parse("2026-12-01T12:00:00Z");
    WebhookProjection.Occurrence received = WebhookProjection.occurrence(c, "CREATOR", new WalletEntity.TipRecorded("CREATOR",
        "TIP1", TipReceived.Direction.RECEIVED, 7, null, "FAN", "CREATOR", 5_000_000, false, at, 0));
    assertEquals(WebhookEvent.TIP_RECEIVED, received.type());
    assertEquals("CREATOR", received.owner());
    assertEquals(5_000_000, received.data().path("amount").asLong());
    assertNull(WebhookProjection.occurrence(c, "FAN", new WalletEntity.TipRecorded("FAN",
        "TIP1", TipReceived.Direction.SENT, 7, null, "FAN", "CREATOR", 5_000_000, false, at, 0)));
    assertNull(WebhookProjection.occurrence(c, "FAN", new WalletEntity.Seen("FAN", at, "login")));
  }

  @Test
  void theDeliveryIdIsTheSameForTheSameEventAndEndpointOnly() {
    String id = WebhookProjection.deliveryId("StickerBook|FAN", 3, "ep_1");
    assertEquals(id, WebhookProjection.deliveryId("StickerBook|FAN", 3, "ep_1"));
    assertTrue(id.matches("msg_[0-9a-f]{32}"), id);
    assertNotEquals(id, WebhookProjection.deliveryId("StickerBook|FAN", 4, "ep_1"));
    assertNotEquals(id, WebhookProjection.deliveryId("StickerBook|FAN", 3, "ep_2"));
    assertNotEquals(id, WebhookProjection.deliveryId("StickerBook|FAN2", 3, "ep_1"));
  }
}
