package io.mintline.engine.persistence;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.SettingsException;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.testing.TestSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grouped read-side projections take their group size from {@code mintline.projections}. */
class ReadSideProjectionsTest {
  private static final ConcurrentLinkedQueue<Integer> GROUPS = new ConcurrentLinkedQueue<>();

  @TempDir Path dataDir;

  @Test
  void aGroupedProjectionCommitsGroupsOfTheConfiguredSize() throws Exception {
    Config db = ConfigFactory.parseString("mintline.projections { group-size = 3, group-window = 3s }")
        .withFallback(TestDatabases.named("h2", dataDir));
    ActorSystem<Void> system = TestSystems.start(db, s -> { });
    try {
      String tag = "probe-" + UUID.randomUUID().toString().substring(0, 8);
      ActorRef<String> writer = system.systemActorOf(new Writer(tag), "writer", akka.actor.typed.Props.empty());
      for (int i = 0; i < 7; i++) writer.tell("event-" + i);
      ReadSideProjections.<String>grouped(system, "probe", List.of(tag), Recorder::new);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (GROUPS.stream().mapToInt(Integer::intValue).sum() < 7 && System.nanoTime() < deadline) Thread.sleep(100);
      assertEquals(7, GROUPS.stream().mapToInt(Integer::intValue).sum(), "every event projected: groups " + GROUPS);
      assertTrue(GROUPS.stream().allMatch(size -> size <= 3), "no group above group-size 3: " + GROUPS);
      assertTrue(GROUPS.size() >= 3, "seven events in groups of at most three: " + GROUPS);
    } finally {
      TestSystems.stop(system);
    }
  }

  @Test
  void aBadGroupSizeStopsTheStartNamingItsKey() throws Exception {
    Config db = ConfigFactory.parseString("mintline.projections.group-size = 0").withFallback(TestDatabases.named("h2", dataDir));
    ActorSystem<Void> system = TestSystems.start(db, s -> { });
    try {
      SettingsException e = assertThrows(SettingsException.class,
          () -> ReadSideProjections.<String>grouped(system, "probe", List.of("probe-0"), Recorder::new));
      assertTrue(e.getMessage().contains("mintline.projections.group-size"), e.getMessage());
    } finally {
      TestSystems.stop(system);
    }
  }

  /** Journals every string it is told, tagged for the projection under test (PausedWriterTest too). */
  static final class Writer extends EventSourcedBehavior<String, String, Integer> {
    private final String tag;

    Writer(String tag) {
      this("probe|" + tag, tag);
    }

    Writer(String persistenceId, String tag) {
      super(PersistenceId.ofUniqueId(persistenceId));
      this.tag = tag;
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<String, String, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState().onAnyCommand((state, command) -> Effect().persist(command));
    }

    @Override
    public EventHandler<Integer, String> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state + 1);
    }

    @Override
    public Set<String> tagsFor(String event) {
      return Set.of(tag);
    }
  }

  static final class Recorder extends JdbcHandler<List<EventEnvelope<String>>, PooledJdbcSession> {
    @Override
    public void process(PooledJdbcSession session, List<EventEnvelope<String>> envelopes) {
      GROUPS.add(envelopes.size());
    }
  }
}
