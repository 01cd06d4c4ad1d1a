package io.mintline.engine.testing;

import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintlineSettings;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.wallet.WalletEntity;
import java.util.concurrent.TimeUnit;

/** One-node cluster actor systems on a test database, the way the node builds them. */
public final class TestSystems {
  private TestSystems() {}

  /** Starts a system on {@code db}, waits for the schema and registers the wallet entity. */
  public static ActorSystem<Void> start(Config db) throws Exception {
    return start(db, (ActorSystem<?>) null);
  }

  /** Starts a system on {@code db}, waits for the schema and registers entities with {@code init}. */
  public static ActorSystem<Void> start(Config db, java.util.function.Consumer<ActorSystem<Void>> init) throws Exception {
    return start(db, null, init);
  }

  /**
   * Starts a system on {@code db} that joins the cluster of {@code seed} (another test system), or
   * forms its own when {@code seed} is null.
   */
  public static ActorSystem<Void> start(Config db, ActorSystem<?> seed) throws Exception {
    return start(db, seed, WalletEntity::init);
  }

  /** As {@link #start(Config, ActorSystem)}, registering entities with {@code init}. */
  public static ActorSystem<Void> start(Config db, ActorSystem<?> seed, java.util.function.Consumer<ActorSystem<Void>> init)
      throws Exception {
    Config base = db.withFallback(ConfigFactory.load("engine-test.conf")).resolve();
    Config full = JournalDatabase.akkaConfig(MintlineSettings.load(base).database()).withFallback(base);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "mintline", full);
    JournalDatabase database = JournalDatabase.get(system);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!database.migrated()) {
      if (System.nanoTime() > deadline) fail("schema was not migrated within 30 s");
      Thread.sleep(50);
    }
    init.accept(system);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(seed == null ? cluster.selfMember().address() : Cluster.get(seed).selfMember().address()));
    return system;
  }

  public static void stop(ActorSystem<?> system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
