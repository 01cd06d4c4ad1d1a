package io.mintline.engine.persistence;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.eventsourced.javadsl.EventSourcedProvider;
import akka.projection.jdbc.javadsl.JdbcHandler;
import akka.projection.jdbc.javadsl.JdbcProjection;
import io.mintline.config.ProjectionSettings;
import java.util.List;

/**
 * Runs a read-side projection over the event journal, one instance per tag spread over the cluster
 * as a sharded daemon process, its rows and its offset committed in one transaction on the node's
 * pooled database (exactly once). The projection id is {@code name/tag} and the daemon process is
 * {@code name-projection}: both are stored (offsets) or shared across the cluster, so they never change.
 */
public final class ReadSideProjections {
  private ReadSideProjections() {}

  /** One event per transaction: for read sides whose rows are few per event and whose lag matters. */
  public static <E> void exactlyOnce(ActorSystem<?> system, String name, List<String> tags,
      java.util.function.Supplier<JdbcHandler<EventEnvelope<E>, PooledJdbcSession>> handler) {
    JournalDatabase database = JournalDatabase.get(system);
    run(system, name, tags, tag -> JdbcProjection.exactlyOnce(
        ProjectionId.of(name, tag),
        EventSourcedProvider.<E>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
        () -> new PooledJdbcSession(database.dataSource()),
        handler,
        system));
  }

  /**
   * Groups of events per transaction, sized by {@code mintline.projections}: for read sides a burst
   * writes to (wallets, stickers), where one commit per event would hold the projection back.
   */
  public static <E> void grouped(ActorSystem<?> system, String name, List<String> tags,
      java.util.function.Supplier<JdbcHandler<List<EventEnvelope<E>>, PooledJdbcSession>> handler) {
    ProjectionSettings settings = ProjectionSettings.load(system.settings().config()); // a bad value stops the start here
    JournalDatabase database = JournalDatabase.get(system);
    run(system, name, tags, tag -> JdbcProjection.groupedWithin(
        ProjectionId.of(name, tag),
        EventSourcedProvider.<E>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
        () -> new PooledJdbcSession(database.dataSource()),
        handler,
        system).withGroup(settings.groupSize(), settings.groupWindow()));
  }

  /**
   * One event at a time, its offset saved after the handler's stage completes (at least once): for
   * handlers with effects outside the database (a chain transaction) that make a repeat harmless.
   */
  public static <E> void atLeastOnceAsync(ActorSystem<?> system, String name, List<String> tags,
      java.util.function.Supplier<akka.projection.javadsl.Handler<EventEnvelope<E>>> handler) {
    JournalDatabase database = JournalDatabase.get(system);
    run(system, name, tags, tag -> JdbcProjection.atLeastOnceAsync(
        ProjectionId.of(name, tag),
        EventSourcedProvider.<E>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
        () -> new PooledJdbcSession(database.dataSource()),
        handler,
        system).withSaveOffset(1, java.time.Duration.ZERO));
  }

  /** The tags {@code prefix-0} … {@code prefix-(slices-1)} of a tag-sliced entity. */
  public static List<String> slices(String prefix, int slices) {
    return java.util.stream.IntStream.range(0, slices).mapToObj(i -> prefix + "-" + i).toList();
  }

  private static <T> void run(ActorSystem<?> system, String name, List<String> tags,
      java.util.function.Function<String, akka.projection.Projection<T>> projection) {
    ShardedDaemonProcess.get(system).init(
        ProjectionBehavior.Command.class, name + "-projection", tags.size(),
        i -> ProjectionBehavior.create(projection.apply(tags.get(i))),
        ProjectionBehavior.stopMessage());
  }
}
