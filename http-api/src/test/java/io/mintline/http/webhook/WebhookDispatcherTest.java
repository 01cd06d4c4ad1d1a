package io.mintline.http.webhook;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.UniqueKillSwitch;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintlineSettings;
import io.mintline.config.WebhookSettings;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.http.MintlineNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery worker's connect-time SSRF check with Akka HTTP's real client: a name that was
 * public when the endpoint was registered and resolves to loopback when the worker connects (DNS
 * rebinding) is refused off devnet, and the receiver listening there gets nothing; the same name
 * on devnet (loopback allowed) reaches it, so the refusal is the guard's. Names come from a
 * resolver of the test (no DNS server runs here); the connection is made to the address it answers.
 */
class WebhookDispatcherTest {
  @TempDir Path dir;
  ActorSystem<Void> system;
  WebhookStore store;
  WebhookSettings settings;
  HttpServer receiver;
  final List<String> received = new CopyOnWriteArrayList<>();
  final AtomicReference<String> answer = new AtomicReference<>("93.184.216.34");

  @BeforeEach
  void start() throws Exception {
    Config config = MintlineNode.effectiveConfig(ConfigFactory.parseMap(Map.of(
            "akka.remote.artery.canonical.port", 0,
            "akka.management.http.port", 0,
            "akka.cluster.jmx.multi-mbeans-in-same-jvm", "on",
            "akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off",
            "mintline.webhooks.retry-schedule", List.of("1h"),
            "mintline.webhooks.poll-interval", "50ms"))
        .withFallback(TestDatabases.h2(dir)).withFallback(ConfigFactory.load()));
    system = ActorSystem.create(Behaviors.empty(), "webhook-dispatcher-test", config);
    JournalDatabase database = JournalDatabase.get(system);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!database.migrated() && System.nanoTime() < deadline) Thread.sleep(50);
    assertTrue(database.migrated());
    settings = WebhookSettings.load(config);
    store = new WebhookStore(database.dataSource(), MintlineSettings.Vendor.H2, settings, Clock.systemUTC());
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/", exchange -> {
      received.add(exchange.getRequestHeaders().getFirst("webhook-id") + " " + exchange.getRequestHeaders().getFirst("Host"));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stop() {
    if (receiver != null) receiver.stop(0);
    if (system != null) system.terminate();
  }

  UrlGuard.Resolver flipping() {
    return host -> {
      if (!host.equals("hooks.rebind.test")) return InetAddress.getAllByName(host);
      return new InetAddress[] {InetAddress.getByAddress(host, InetAddress.getByName(answer.get()).getAddress())};
    };
  }

  /** A pending delivery as WebhookProjection writes it. */
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

  WebhookStore.Delivery awaitAttempt(String endpointId, String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      WebhookStore.Delivery d = store.delivery(endpointId, id).orElseThrow();
      if (d.attempts() > 0) return d;
      Thread.sleep(50);
    }
    throw new AssertionError("no attempt of " + id);
  }

  @Test
  void aNameRebindingToLoopbackIsRefusedAtConnectTimeOffDevnet() throws Exception {
    int port = receiver.getAddress().getPort();
    UrlGuard guard = new UrlGuard(false, flipping());
    String url = guard.check("https://hooks.rebind.test:" + port + "/hook").toString();
    WebhookStore.Endpoint endpoint = store.create("OWNER", false, url, List.of("tip.received"), WebhookSignature.newSecret());
    pending("msg_" + "1".repeat(32), endpoint.id());
    answer.set("127.0.0.1");
    Executor blocking = system.executionContext();
    UniqueKillSwitch worker = new WebhookDispatcher(system, store, settings, guard, blocking).start();
    try {
      WebhookStore.Delivery d = awaitAttempt(endpoint.id(), "msg_" + "1".repeat(32));
      assertEquals("pending", d.status(), "a refusal is retried on the schedule, like a connection error");
      assertNull(d.lastResponseCode());
      assertTrue(d.lastError().contains("refused at connect time") && d.lastError().contains("127.0.0.1"), d.lastError());
      Thread.sleep(500);
      assertTrue(received.isEmpty(), "nothing reached the loopback receiver: " + received);
    } finally {
      worker.shutdown();
    }
  }

  @Test
  void aNameRebindingBetweenTheLastCheckAndTheConnectionIsRefusedByTheTransport() throws Exception {
    int port = receiver.getAddress().getPort();
    // Public for the registration and the worker's check before sending; loopback from then on.
    java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
    UrlGuard guard = new UrlGuard(false, host -> new InetAddress[] {InetAddress.getByAddress(host,
        lookups.incrementAndGet() <= 2 ? new byte[] {93, (byte) 184, (byte) 216, 34} : new byte[] {127, 0, 0, 1})});
    String url = guard.check("https://hooks.rebind.test:" + port + "/hook").toString();
    WebhookStore.Endpoint endpoint = store.create("OWNER", false, url, List.of("tip.received"), WebhookSignature.newSecret());
    pending("msg_" + "3".repeat(32), endpoint.id());
    UniqueKillSwitch worker = new WebhookDispatcher(system, store, settings, guard, system.executionContext()).start();
    try {
      WebhookStore.Delivery d = awaitAttempt(endpoint.id(), "msg_" + "3".repeat(32));
      assertTrue(lookups.get() >= 3, "the transport resolved the name itself: " + lookups.get());
      assertTrue(d.lastError().contains("refused at connect time") && d.lastError().contains("127.0.0.1"), d.lastError());
      Thread.sleep(500);
      assertTrue(received.isEmpty(), "nothing reached the loopback receiver: " + received);
    } finally {
      worker.shutdown();
    }
  }

  @Test
  void onDevnetTheSameNameReachesTheLoopbackReceiverAtTheAddressTheGuardChecked() throws Exception {
    int port = receiver.getAddress().getPort();
    answer.set("127.0.0.1");
    UrlGuard guard = new UrlGuard(true, flipping());
    String url = guard.check("http://hooks.rebind.test:" + port + "/hook").toString();
    WebhookStore.Endpoint endpoint = store.create("OWNER", false, url, List.of("tip.received"), WebhookSignature.newSecret());
    pending("msg_" + "2".repeat(32), endpoint.id());
    UniqueKillSwitch worker = new WebhookDispatcher(system, store, settings, guard, system.executionContext()).start();
    try {
      WebhookStore.Delivery d = awaitAttempt(endpoint.id(), "msg_" + "2".repeat(32));
      assertEquals("delivered", d.status(), String.valueOf(d.lastError()));
      assertEquals(List.of("msg_" + "2".repeat(32) + " hooks.rebind.test:" + port), received);
    } finally {
      worker.shutdown();
    }
  }
}
