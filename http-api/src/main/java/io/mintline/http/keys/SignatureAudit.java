package io.mintline.http.keys;

import io.mintline.deploy.keys.SignatureLog;
import io.mintline.http.auth.AuditLog;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every signature the platform's keys make, appended to {@code audit_logs} (action
 * {@code key.signed}, actor {@code key:<key id>}, resource the transaction id, details the key id,
 * the role and what was signed — never key material or signed bytes).
 *
 * <p>The minting path signs thousands of transactions a second, so a signature is not one
 * database round trip: {@link #signed} puts the row on a bounded queue and one writer thread
 * appends whatever is waiting as one JDBC batch in one transaction (group commit). A row is never
 * dropped: while the database is down the writer retries with backoff and keeps its batch; when
 * the queue is full a signer waits for room, which slows signing rather than losing its record
 * (minting stops anyway while the journal database is down). {@link #flush} drains it at shutdown.
 */
public final class SignatureAudit implements SignatureLog, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SignatureAudit.class);
  /** Rows per transaction: large enough to carry a minting burst in a few commits. */
  static final int BATCH = 1_000;

  private final DataSource dataSource;
  private final AuditLog auditLog;
  private final BlockingQueue<AuditLog.Entry> queue;
  private final Thread writer;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong pending = new AtomicLong();
  private volatile boolean closed;

  /** @param capacity rows that may wait for the writer; above it a signer waits for room */
  public SignatureAudit(DataSource dataSource, AuditLog auditLog, int capacity) {
    this.dataSource = dataSource;
    this.auditLog = auditLog;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.writer = new Thread(this::run, "mintline-signature-audit");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void signed(String keyId, String purpose, String txId) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("keyId", keyId);
    details.put("role", role(keyId));
    details.put("purpose", purpose);
    AuditLog.Entry entry = new AuditLog.Entry("key:" + keyId, "key.signed", txId, details, null);
    pending.incrementAndGet();
    try {
      queue.put(entry);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pending.decrementAndGet();
      throw new IllegalStateException("interrupted while recording the signature of " + txId, e);
    }
  }

  /** Rows appended so far. */
  public long written() {
    return written.get();
  }

  /** Waits until every row recorded so far is in the database, up to {@code within}. */
  public boolean flush(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (pending.get() > 0) {
      if (System.nanoTime() > deadline) return false;
      Thread.sleep(10);
    }
    return true;
  }

  @Override
  public void close() throws InterruptedException {
    if (!flush(Duration.ofSeconds(10))) log.error("{} signature audit rows were not written before shutdown", pending.get());
    closed = true;
    writer.interrupt();
  }

  private static String role(String keyId) {
    int colon = keyId.indexOf(':');
    return colon < 0 ? keyId : keyId.substring(0, colon);
  }

  private void run() {
    List<AuditLog.Entry> batch = new ArrayList<>(BATCH);
    long backoffMs = 100;
    while (!closed) {
      try {
        if (batch.isEmpty()) {
          AuditLog.Entry first = queue.poll(1, TimeUnit.SECONDS);
          if (first == null) continue;
          batch.add(first);
          queue.drainTo(batch, BATCH - 1);
        }
        try (Connection connection = dataSource.getConnection()) {
          connection.setAutoCommit(false);
          auditLog.appendAll(connection, batch);
          connection.commit();
        }
        written.addAndGet(batch.size());
        pending.addAndGet(-batch.size());
        batch.clear();
        backoffMs = 100;
      } catch (SQLException e) {
        log.warn("signature audit: {} rows wait for the database ({}); retrying in {} ms", batch.size(), e.getMessage(), backoffMs);
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException stop) {
          return;
        }
        backoffMs = Math.min(backoffMs * 2, 5_000);
      } catch (InterruptedException stop) {
        return;
      }
    }
  }
}
