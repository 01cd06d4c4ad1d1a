package io.mintline.bench.devnet;

import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A load driver for the devnet that measures what a minting pipeline sees end to end: how fast signed
 * payments are accepted, and how soon every one of them is found in a block (by following the chain
 * with wait-for-block-after and recomputing txids, as the listener does). Unlike the JMH score it
 * includes the time to drain the pool into blocks.
 *
 * <pre>
 * java -cp bench/target/mintline-bench.jar io.mintline.bench.devnet.DevnetLoad \
 *     [--txns 100000] [--threads 4] [--group 1|16] [--runs 5] [--warmup-runs 1] [--block-interval-ms 1000]
 * </pre>
 *
 * Warm-up runs (same size, not counted) let the JIT compile the devnet's and the client's hot paths
 * first, as JMH's warm-up iterations do.
 *
 * Each run starts a fresh in-process devnet on an ephemeral loopback port, signs its payments first
 * (not timed), then submits them from the client threads. The bounds stop it by itself: a run that does
 * not see all its transactions in blocks within two minutes of the last submission fails.
 */
public final class DevnetLoad {

  private static final Duration CONFIRMATION_TIMEOUT = Duration.ofMinutes(2);
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  private DevnetLoad() {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    System.out.printf(Locale.ROOT, "devnet load: %d txns per run, %d client threads, %s per POST, %d runs after %d warm-up, rounds every %d ms, %d cores%n",
        options.txns, options.threads, options.group == 1 ? "1 txn" : "groups of " + options.group,
        options.runs, options.warmupRuns, options.blockIntervalMs, Runtime.getRuntime().availableProcessors());
    List<Double> submitted = new ArrayList<>();
    List<Double> confirmed = new ArrayList<>();
    List<Double> cpuPerTxn = new ArrayList<>();
    for (int run = 1 - options.warmupRuns; run <= options.runs; run++) {
      Result result = runOnce(options);
      if (run < 1) {
        System.out.printf(Locale.ROOT, "warm-up run (not counted): submitted %.0f tx/s, %.0f µs CPU per txn%n",
            result.submittedPerSecond(), result.cpuMicrosPerTxn);
        continue;
      }
      System.out.printf(Locale.ROOT, "run %d: signed in %.1f s; submitted %d txns in %.2f s = %.0f tx/s; all in blocks after %.2f s = %.0f tx/s over %d rounds; "
              + "%.0f µs CPU per txn (client + devnet); load average %.1f%n",
          run, result.signSeconds, options.txns, result.submitSeconds, result.submittedPerSecond(),
          result.confirmSeconds, result.confirmedPerSecond(), result.rounds, result.cpuMicrosPerTxn, result.loadAverage);
      submitted.add(result.submittedPerSecond());
      confirmed.add(result.confirmedPerSecond());
      cpuPerTxn.add(result.cpuMicrosPerTxn);
    }
    System.out.printf(Locale.ROOT, "median: submitted %.0f tx/s, confirmed in blocks %.0f tx/s, %.0f µs CPU per txn (runs: %s / %s / %s)%n",
        median(submitted), median(confirmed), median(cpuPerTxn), rounded(submitted), rounded(confirmed), rounded(cpuPerTxn));
  }

  private static Result runOnce(Options options) throws Exception {
    DevnetSettings settings = DevnetSettings.defaults().withPort(0)
        .withBlockInterval(Duration.ofMillis(options.blockIntervalMs));
    try (Devnet devnet = Devnet.start(settings)) {
      PresignedPayments payments = new PresignedPayments(devnet.accounts(), devnet.genesisId(), devnet.genesisHashBase64());

      long signStart = System.nanoTime();
      long startRound = devnet.currentRound();
      PresignedPayments.SignedBatch[] batches =
          payments.batches(0, options.txns / options.group, options.group, startRound);
      double signSeconds = seconds(System.nanoTime() - signStart);

      Set<String> outstanding = ConcurrentHashMap.newKeySet();
      Arrays.stream(batches).forEach(b -> outstanding.addAll(List.of(b.txids())));
      int expected = outstanding.size();

      AtomicReference<Throwable> failure = new AtomicReference<>();
      long[] lastRoundSeen = {startRound};
      long[] confirmedAt = {0};
      Thread watcher = new Thread(() -> {
        try (AlgodHttp algod = new AlgodHttp(devnet.url(), devnet.apiToken())) {
          long round = startRound;
          while (!outstanding.isEmpty() && failure.get() == null) {
            long last = algod.waitForBlockAfter(round);
            for (long r = round + 1; r <= last; r++) {
              InBlockTxids.of(algod.blockMsgpack(r)).forEach(outstanding::remove);
            }
            round = last;
          }
          lastRoundSeen[0] = round;
          confirmedAt[0] = System.nanoTime();
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        }
      }, "block-watcher");
      watcher.setDaemon(true);

      AtomicInteger next = new AtomicInteger();
      CountDownLatch done = new CountDownLatch(options.threads);
      double loadAverage = OS.getSystemLoadAverage();
      long cpuStart = OS.getProcessCpuTime();
      long submitStartRound = devnet.currentRound();
      long submitStart = System.nanoTime();
      watcher.start();
      for (int t = 0; t < options.threads; t++) {
        Thread submitter = new Thread(() -> {
          try (AlgodHttp algod = new AlgodHttp(devnet.url(), devnet.apiToken())) {
            for (int i; (i = next.getAndIncrement()) < batches.length && failure.get() == null; ) {
              KeepAliveConnection.Response answer = algod.submit(batches[i].bytes());
              if (answer.status() != 200) {
                throw new IllegalStateException("rejected: HTTP " + answer.status() + " " + answer.text());
              }
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          } finally {
            done.countDown();
          }
        }, "submitter-" + t);
        submitter.setDaemon(true);
        submitter.start();
      }
      done.await();
      long submitEnd = System.nanoTime();
      long cpuEnd = OS.getProcessCpuTime();
      watcher.join(CONFIRMATION_TIMEOUT.toMillis());
      if (failure.get() != null) {
        throw new IllegalStateException("run failed", failure.get());
      }
      if (watcher.isAlive() || !outstanding.isEmpty()) {
        failure.set(new IllegalStateException("stop"));
        throw new IllegalStateException(outstanding.size() + " of " + expected
            + " transactions not in a block " + CONFIRMATION_TIMEOUT + " after the last submission");
      }
      return new Result(expected, signSeconds, seconds(submitEnd - submitStart),
          seconds(confirmedAt[0] - submitStart), lastRoundSeen[0] - submitStartRound,
          (cpuEnd - cpuStart) / 1e3 / expected, loadAverage);
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private static String rounded(List<Double> values) {
    return values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList().toString();
  }

  /**
   * One run. {@code cpuMicrosPerTxn} is the CPU time of this whole process (client threads, block
   * watcher and devnet) during submission, per transaction: unlike tx/s it does not depend on what
   * else the machine runs at the time, which {@code loadAverage} (1-minute, at the start) shows.
   */
  private record Result(int txns, double signSeconds, double submitSeconds, double confirmSeconds, long rounds,
      double cpuMicrosPerTxn, double loadAverage) {
    double submittedPerSecond() {
      return txns / submitSeconds;
    }

    double confirmedPerSecond() {
      return txns / confirmSeconds;
    }
  }

  private record Options(int txns, int threads, int group, int runs, int warmupRuns, long blockIntervalMs) {
    static Options parse(String[] args) {
      int txns = 100_000;
      int threads = 4;
      int group = 1;
      int runs = 5;
      int warmupRuns = 1;
      long blockIntervalMs = 1_000;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--txns" -> txns = Integer.parseInt(required(args[i], value));
          case "--threads" -> threads = Integer.parseInt(required(args[i], value));
          case "--group" -> group = Integer.parseInt(required(args[i], value));
          case "--runs" -> runs = Integer.parseInt(required(args[i], value));
          case "--warmup-runs" -> warmupRuns = Integer.parseInt(required(args[i], value));
          case "--block-interval-ms" -> blockIntervalMs = Long.parseLong(required(args[i], value));
          default -> throw new IllegalArgumentException("unknown option " + args[i]
              + " (options: --txns N --threads N --group 1..16 --runs N --warmup-runs N --block-interval-ms N)");
        }
        i++;
      }
      if (txns < 1 || txns > 2_000_000) {
        throw new IllegalArgumentException("--txns must be 1..2000000");
      }
      if (group < 1 || group > 16 || txns % group != 0) {
        throw new IllegalArgumentException("--group must be 1..16 and divide --txns");
      }
      if (threads < 1 || threads > 64 || runs < 1 || runs > 50 || warmupRuns < 0 || warmupRuns > 10) {
        throw new IllegalArgumentException("--threads must be 1..64, --runs 1..50 and --warmup-runs 0..10");
      }
      // Pre-signed payments are valid for 1000 rounds; instant rounds would outrun that mid-run.
      if (blockIntervalMs < 100) {
        throw new IllegalArgumentException("--block-interval-ms must be at least 100");
      }
      return new Options(txns, threads, group, runs, warmupRuns, blockIntervalMs);
    }

    private static String required(String option, String value) {
      if (value == null) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return value;
    }
  }
}
