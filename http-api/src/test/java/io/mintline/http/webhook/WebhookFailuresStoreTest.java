package io.mintline.http.webhook;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import io.mintline.config.MintlineSettings;
import io.mintline.config.WebhookSettings;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the operator view's webhook failures list, on H2 and PostgreSQL, from the store's own
 * claim / failed / delivered / retry calls (what the delivery worker does): a delivery whose last
 * attempt failed is listed (pending with its next attempt, or failed for good), a delivered one is
 * not, nor one sent again by hand after its 2xx; endpoints that are failing or disabled are listed
 * by host only, newest failure first, and a success takes an endpoint off the list.
 */
class WebhookFailuresStoreTest {
  @TempDir Path dir;
  ActorSystem<Void> system;
  WebhookStore store;

  WebhookStore start(String database) throws Exception {
    Config config = WebhookTestSystems.config(TestDatabases.named(database, dir),
        Map.of("mintline.webhooks.retry-schedule", List.of("1h"), "mintline.webhooks.jitter", 0));
    system = WebhookTestSystems.start("webhook-failures-store-test", config);
    JournalDatabase journal = JournalDatabase.get(system);
    store = new WebhookStore(journal.dataSource(), journal.vendor(), WebhookSettings.load(config), Clock.systemUTC());
    return store;
  }

  @AfterEach
  void stop() {
    if (system != null) system.terminate();
  }

  /** A due delivery as WebhookProjection writes it. */
  void pending(String id, String endpointId) throws Exception {
    try (Connection c = JournalDatabase.get(system).dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("INSERT INTO webhook_deliveries (id, endpoint_id, event_type, payload, status, "
            + "attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, 'tip.received', '{\"type\":\"tip.received\"}', "
            + "'pending', 0, 0, 0, 0)")) {
      s.setString(1, id);
      s.setString(2, endpointId);
      s.executeUpdate();
    }
  }

  /** One claim, as the worker makes it: every due delivery, by id. */
  Map<String, WebhookStore.Claimed> claim() throws Exception {
    Map<String, WebhookStore.Claimed> out = new java.util.HashMap<>();
    for (WebhookStore.Claimed c : store.claim(10)) out.put(c.id(), c);
    return out;
  }

  static List<String> ids(List<?> items) {
    return items.stream().map(i -> i instanceof WebhookStore.FailingDelivery d ? d.id() : ((WebhookStore.FailingEndpoint) i).id()).toList();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  void failingDeliveriesAndEndpointsAreListedAndSuccessesAreNot(String database) throws Exception {
    start(database);
    WebhookStore.Endpoint flaky = store.create("OWNER-A", false, "http://127.0.0.1:9/hook?token=receiver-s3cret",
        List.of("tip.received"), WebhookSignature.newSecret());
    WebhookStore.Endpoint gone = store.create("OWNER-B", false, "https://hooks.example.com/gone", List.of("tip.received"),
        WebhookSignature.newSecret());
    WebhookStore.Endpoint fine = store.create("OWNER-A", false, "https://ok.example.com/", List.of("tip.received"),
        WebhookSignature.newSecret());
    String retrying = "msg_" + "a".repeat(32);
    String refused = "msg_" + "b".repeat(32);
    String delivered = "msg_" + "c".repeat(32);
    String untried = "msg_" + "d".repeat(32);
    pending(retrying, flaky.id());
    pending(refused, gone.id());
    pending(delivered, fine.id());
    assertEquals(List.of(), store.failingDeliveries(10), "nothing has been tried yet");
    assertEquals(List.of(), store.failingEndpoints(10));

    Map<String, WebhookStore.Claimed> batch = claim();
    assertEquals(java.util.Set.of(retrying, refused, delivered), batch.keySet());
    store.failed(batch.get(retrying), null, "connection refused", null, false);
    Thread.sleep(5);
    store.failed(batch.get(refused), 410, null, null, true);
    store.delivered(batch.get(delivered), 200);
    pending(untried, flaky.id());

    List<WebhookStore.FailingDelivery> deliveries = store.failingDeliveries(10);
    assertEquals(List.of(refused, retrying), ids(deliveries), "the newest failure first; delivered and untried are not failures");
    WebhookStore.FailingDelivery gaveUp = deliveries.get(0);
    assertEquals("failed", gaveUp.status());
    assertEquals("OWNER-B", gaveUp.owner());
    assertEquals(gone.id(), gaveUp.endpointId());
    assertEquals(410, gaveUp.lastResponseCode());
    assertNull(gaveUp.nextAttemptAt(), "no next attempt once it has failed for good");
    WebhookStore.FailingDelivery again = deliveries.get(1);
    assertEquals("pending", again.status());
    assertEquals(1, again.attempts());
    assertNull(again.lastResponseCode(), "no answer");
    assertEquals("connection refused", again.lastError());
    assertEquals("tip.received", again.eventType());
    assertTrue(again.nextAttemptAt().isAfter(again.updatedAt().plus(Duration.ofMinutes(59))), "the schedule's 1 h: " + again);
    assertEquals(List.of(refused), ids(store.failingDeliveries(1)), "limit");

    List<WebhookStore.FailingEndpoint> endpoints = store.failingEndpoints(10);
    assertEquals(List.of(gone.id(), flaky.id()), ids(endpoints));
    assertEquals("disabled", endpoints.get(0).status());
    assertTrue(endpoints.get(0).disabledReason().contains("410"), endpoints.get(0).toString());
    assertEquals("hooks.example.com", endpoints.get(0).host());
    WebhookStore.FailingEndpoint failing = endpoints.get(1);
    assertEquals("enabled", failing.status());
    assertEquals("127.0.0.1", failing.host(), "the host only: no port, path or query");
    assertEquals("OWNER-A", failing.owner());
    assertNotNull(failing.failingSince());
    assertFalse(failing.toString().contains("s3cret"));

    // A manual retry of the delivered one is pending again, but its last answer was a 2xx: not a failure.
    assertEquals(WebhookStore.RetryResult.QUEUED, store.retry(fine.id(), delivered));
    assertFalse(ids(store.failingDeliveries(10)).contains(delivered));
    // The flaky endpoint's retry succeeds: that delivery and the endpoint leave the list; the disabled one stays.
    assertEquals(WebhookStore.RetryResult.QUEUED, store.retry(flaky.id(), retrying));
    store.delivered(claim().get(retrying), 204);
    assertEquals(List.of(refused), ids(store.failingDeliveries(10)));
    assertEquals(List.of(gone.id()), ids(store.failingEndpoints(10)));
    // An endpoint its owner disabled is listed, with that reason.
    store.update(fine.id(), null, null, false);
    WebhookStore.FailingEndpoint byOwner = store.failingEndpoints(10).stream().filter(e -> e.id().equals(fine.id())).findFirst().orElseThrow();
    assertEquals("disabled by its owner", byOwner.disabledReason());
    assertNull(byOwner.failingSince());
  }
}
