package io.mintline.engine.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Runs JDBC work off the actor threads: a pooled connection in auto-commit mode on the blocking-io
 * executor, a {@link SQLException} failing the stage. The stores and read sides outside the
 * projections (the EVM listener's store, the EVM stickers read side, the EVM minter) share it.
 */
public final class BlockingJdbc {
  /** Work on one connection. */
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;
  private final Executor blockingIo;

  public BlockingJdbc(DataSource dataSource, Executor blockingIo) {
    this.dataSource = dataSource;
    this.blockingIo = blockingIo;
  }

  /** {@code work} on a connection of its own, each statement committed as it runs. */
  public <T> CompletionStage<T> io(Work<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        return work.run(c);
      } catch (SQLException e) {
        throw new CompletionException(e);
      }
    }, blockingIo);
  }

  /** {@code work} in one database transaction: committed when it returns, rolled back when it throws. */
  public <T> CompletionStage<T> transaction(Work<T> work) {
    return io(c -> {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    });
  }
}
