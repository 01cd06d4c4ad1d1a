package io.mintline.bench.devnet;

import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Signed-payment submission throughput of an in-process devnet over HTTP, in transactions per second.
 *
 * <p>Each invocation POSTs pre-signed msgpack bytes to {@code /v2/transactions}, one payment or an
 * atomic group of 16, and counts only accepted submissions: a rejection fails the run. The devnet makes
 * rounds every second as on its default, so the measurement includes the work of making blocks while
 * the pool fills. Payments are signed before each iteration (not measured); each client thread keeps
 * one HTTP/1.1 connection and shares this machine's 2 cores with the devnet, which verifies every
 * Ed25519 signature.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx4g"})
@Threads(4)
public class DevnetSubmit {

  private static final int GROUP = 16;

  @State(Scope.Benchmark)
  public static class Chain {
    /**
     * Payments signed for each iteration. It must outlast the iteration: 100,000 covers 20,000 tx/s
     * for 5 s; a run that exhausts it fails rather than resending duplicates.
     */
    @Param("100000")
    public int paymentsPerIteration;

    Devnet devnet;
    PresignedPayments payments;
    final AtomicLong nextSeq = new AtomicLong();

    PresignedPayments.SignedBatch[] singles;
    PresignedPayments.SignedBatch[] groups;
    final AtomicInteger nextSingle = new AtomicInteger();
    final AtomicInteger nextGroup = new AtomicInteger();

    @Setup(Level.Trial)
    public void start() {
      devnet = Devnet.start(DevnetSettings.defaults().withPort(0));
      payments = new PresignedPayments(devnet.accounts(), devnet.genesisId(), devnet.genesisHashBase64());
    }

    /** Signs a fresh pool for the benchmark method being run; the other one stays empty. */
    @Setup(Level.Iteration)
    public void sign(BenchmarkParams params) {
      long firstValid = devnet.currentRound();
      boolean grouped = params.getBenchmark().endsWith("group16");
      int count = grouped ? paymentsPerIteration / GROUP : paymentsPerIteration;
      int size = grouped ? GROUP : 1;
      PresignedPayments.SignedBatch[] batches =
          payments.batches(nextSeq.getAndAdd((long) count * size), count, size, firstValid);
      if (grouped) {
        groups = batches;
        nextGroup.set(0);
      } else {
        singles = batches;
        nextSingle.set(0);
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      devnet.close();
    }

    static void post(KeepAliveConnection connection, PresignedPayments.SignedBatch[] pool, AtomicInteger next)
        throws Exception {
      int i = next.getAndIncrement();
      if (i >= pool.length) {
        throw new IllegalStateException("pre-signed pool of " + pool.length
            + " exhausted within one iteration: raise -p paymentsPerIteration");
      }
      KeepAliveConnection.Response answer = connection.post("/v2/transactions", "application/x-binary", pool[i].bytes());
      if (answer.status() != 200) {
        throw new IllegalStateException("devnet rejected a valid submission: HTTP " + answer.status() + " " + answer.text());
      }
    }
  }

  /** Each client thread's own keep-alive connection. */
  @State(Scope.Thread)
  public static class Client {
    KeepAliveConnection connection;

    @Setup(Level.Trial)
    public void connect(Chain chain) {
      connection = new KeepAliveConnection(chain.devnet.url(), chain.devnet.apiToken());
    }

    /** A fresh connection per iteration: the server drops connections left idle while the next pool is signed. */
    @Setup(Level.Iteration)
    public void reconnect() throws Exception {
      connection.close();
    }

    @TearDown(Level.Trial)
    public void disconnect() throws Exception {
      connection.close();
    }
  }

  /** One signed payment per POST. */
  @Benchmark
  public void single(Chain chain, Client client) throws Exception {
    Chain.post(client.connection, chain.singles, chain.nextSingle);
  }

  /** An atomic group of 16 payments per POST; the score counts transactions, not POSTs. */
  @Benchmark
  @OperationsPerInvocation(GROUP)
  public void group16(Chain chain, Client client) throws Exception {
    Chain.post(client.connection, chain.groups, chain.nextGroup);
  }
}
