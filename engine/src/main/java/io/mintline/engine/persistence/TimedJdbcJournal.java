package io.mintline.engine.persistence;

import akka.persistence.AtomicWrite;
import akka.persistence.jdbc.journal.JdbcAsyncWriteJournal;
import com.typesafe.config.Config;
import io.mintline.engine.metrics.MintlineMetrics;
import scala.collection.immutable.Seq;
import scala.concurrent.Future;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * akka-persistence-jdbc's journal, timing every write batch for {@code mintline_journal_writes}
 * and counting failed batches. akka-persistence-jdbc reports nothing itself, and wrapping the
 * plugin is the one place every entity's writes pass. Set as {@code jdbc-journal.class} by
 * {@link JournalDatabase#akkaConfig}.
 */
public final class TimedJdbcJournal extends JdbcAsyncWriteJournal {
  public TimedJdbcJournal(Config config) {
    super(config);
  }

  @Override
  public Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    long started = System.nanoTime();
    Future<Seq<Try<BoxedUnit>>> written = super.asyncWriteMessages(messages);
    if (MintlineMetrics.enabled()) {
      written.onComplete(result -> {
        MintlineMetrics.journalWrite(System.nanoTime() - started, result.isFailure());
        return BoxedUnit.UNIT;
      }, scala.concurrent.ExecutionContext.parasitic$.MODULE$);
    }
    return written;
  }
}
