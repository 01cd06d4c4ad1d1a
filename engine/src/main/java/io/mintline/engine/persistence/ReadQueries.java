package io.mintline.engine.persistence;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * The read sides' queries: one JDBC statement on the node's shared pool, run on the blocking-io
 * dispatcher through {@link BlockingJdbc}, its rows read in column order.
 *
 * <p>Written here rather than through alpakka-slick's {@code Slick.source} because a list request
 * materialised an Akka stream for every query; under HTTP load that materialisation cost more CPU
 * than the query itself (docs/BENCHMARKS.md "HTTP load"). A read-side answer is one bounded page, so
 * streaming it bought nothing. A failure completes the stage with the {@link SQLException}, which
 * the HTTP layer maps (an unreachable database is {@code 503 not_ready}).
 */
public final class ReadQueries {

  /** The current row, read one column after another from the first. */
  public static final class Row {
    private final ResultSet rs;
    private int column;

    Row(ResultSet rs) {
      this.rs = rs;
    }

    void next() {
      column = 0;
    }

    public String nextString() throws SQLException {
      return rs.getString(++column);
    }

    /** 0 for SQL NULL. */
    public long nextLong() throws SQLException {
      return rs.getLong(++column);
    }

    /** 0 for SQL NULL. */
    public int nextInt() throws SQLException {
      return rs.getInt(++column);
    }

    public boolean nextBoolean() throws SQLException {
      return rs.getBoolean(++column);
    }

    /** The driver's object, null for SQL NULL. */
    public Object nextObject() throws SQLException {
      return rs.getObject(++column);
    }
  }

  /** Turns the current row into a value. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(Row row) throws SQLException;
  }

  private final BlockingJdbc jdbc;

  public ReadQueries(DataSource dataSource, Executor executor) {
    this.jdbc = new BlockingJdbc(dataSource, executor);
  }

  /** On the node's database and its blocking-io dispatcher. */
  public static ReadQueries of(ActorSystem<?> system) {
    return new ReadQueries(JournalDatabase.get(system).dataSource(),
        system.dispatchers().lookup(DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher")));
  }

  /** Every row {@code sql} selects (the SQL bounds it with a LIMIT). */
  public <T> CompletionStage<List<T>> list(String sql, Reader<T> reader) {
    return jdbc.io(c -> run(c, sql, reader, Integer.MAX_VALUE));
  }

  /** The first row, if any. */
  public <T> CompletionStage<Optional<T>> first(String sql, Reader<T> reader) {
    return jdbc.io(c -> run(c, sql, reader, 1).stream().findFirst());
  }

  /** The one row a query such as {@code SELECT COUNT(*)} always returns. */
  public <T> CompletionStage<T> single(String sql, Reader<T> reader) {
    return first(sql, reader).thenApply(row -> row.orElseThrow(() -> new IllegalStateException("no row from: " + sql)));
  }

  private static <T> List<T> run(Connection connection, String sql, Reader<T> reader, int max) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
      List<T> rows = new ArrayList<>();
      Row row = new Row(rs);
      while (rows.size() < max && rs.next()) {
        row.next();
        rows.add(reader.read(row));
      }
      return rows;
    }
  }
}
