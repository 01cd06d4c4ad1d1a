package io.mintline.http.webhook;

import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.http.MintlineNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** An actor system on a test database whose migrations (webhook tables included) have run. */
final class WebhookTestSystems {
  private WebhookTestSystems() {}

  /** The node's effective configuration over {@code database} with {@code settings} on top, free ports. */
  static Config config(Config database, Map<String, Object> settings) {
    Map<String, Object> all = new HashMap<>(Map.of(
        "akka.remote.artery.canonical.port", 0,
        "akka.management.http.port", 0,
        "akka.cluster.jmx.multi-mbeans-in-same-jvm", "on",
        "akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off"));
    all.putAll(settings);
    return MintlineNode.effectiveConfig(ConfigFactory.parseMap(all).withFallback(database).withFallback(ConfigFactory.load()));
  }

  /** Starts a system on {@code config} and waits (60 s at most) until the schema is migrated. */
  static ActorSystem<Void> start(String name, Config config) throws InterruptedException {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, config);
    JournalDatabase journal = JournalDatabase.get(system);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!journal.migrated() && System.nanoTime() < deadline) Thread.sleep(50);
    assertTrue(journal.migrated(), "the schema was not migrated within 60 s");
    return system;
  }
}
