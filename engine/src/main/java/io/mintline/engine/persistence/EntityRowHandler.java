package io.mintline.engine.persistence;

import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A read-side handler that turns each event of one entity type into row changes of its table,
 * in the projection's transaction (with {@link ReadSideProjections#exactlyOnce} the offset commits
 * with them). Subclasses see the entity id, not the persistence id.
 */
public abstract class EntityRowHandler<E> extends JdbcHandler<EventEnvelope<E>, PooledJdbcSession> {

  /** The entity id of a persistence id {@code "<EntityType>|<id>"}. */
  public static String entityId(String persistenceId) {
    return persistenceId.substring(persistenceId.indexOf('|') + 1);
  }

  @Override
  public final void process(PooledJdbcSession session, EventEnvelope<E> envelope) throws Exception {
    String id = entityId(envelope.persistenceId());
    E event = envelope.event();
    session.withConnection(connection -> {
      apply(connection, id, event);
      return null;
    });
  }

  /** Applies one event of entity {@code id} to the read side through {@code c}. */
  protected abstract void apply(Connection c, String id, E event) throws SQLException;
}
