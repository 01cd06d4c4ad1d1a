package io.mintline.bench.devnet;

import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a chain listener pays per transaction to follow the devnet: fetch a block as msgpack
 * ({@code GET /v2/blocks/{r}?format=msgpack}), decode it with the Java algosdk and recompute every
 * txid. The block holds {@value #TXNS_PER_BLOCK} payments, submitted between two rounds of a devnet
 * that makes a round every 5 s. Scores are transactions per second; {@code decodeOnly} leaves HTTP out to show the split.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
@Threads(1)
public class DevnetBlockFetch {

  /** 256 groups of 16: a busy block, a fifth of algod's 5 MiB block limit. */
  static final int TXNS_PER_BLOCK = 4096;
  private static final int GROUP = 16;
  /** Long enough to submit the whole block between two rounds, even on a busy machine. */
  private static final Duration FILL_INTERVAL = Duration.ofSeconds(5);
  private static final int FILL_ATTEMPTS = 3;

  @State(Scope.Benchmark)
  public static class FullBlock {
    Devnet devnet;
    AlgodHttp algod;
    long round;
    byte[] blockBytes;
    Set<String> submitted;

    @Setup(Level.Trial)
    public void fill() throws Exception {
      devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(FILL_INTERVAL));
      algod = new AlgodHttp(devnet.url(), devnet.apiToken());
      PresignedPayments payments = new PresignedPayments(devnet.accounts(), devnet.genesisId(), devnet.genesisHashBase64());
      // A cold JVM on a busy machine may not get the whole block in between two rounds: try again, warmer.
      for (int attempt = 0; attempt < FILL_ATTEMPTS; attempt++) {
        PresignedPayments.SignedBatch[] groups =
            payments.batches((long) attempt * TXNS_PER_BLOCK, TXNS_PER_BLOCK / GROUP, GROUP, devnet.currentRound());
        if (tryFill(groups)) {
          return;
        }
      }
      throw new IllegalStateException("no round held exactly the " + TXNS_PER_BLOCK + " payments submitted between two "
          + FILL_INTERVAL + " rounds in " + FILL_ATTEMPTS + " attempts (machine too busy?)");
    }

    private boolean tryFill(PresignedPayments.SignedBatch[] groups) throws Exception {
      // Submit right after a round is made, so all groups land in the next one.
      algod.waitForBlockAfter(algod.lastRound());
      submitted = new HashSet<>();
      for (PresignedPayments.SignedBatch group : groups) {
        KeepAliveConnection.Response answer = algod.submit(group.bytes());
        if (answer.status() != 200) {
          throw new IllegalStateException("setup submission rejected: HTTP " + answer.status() + " " + answer.text());
        }
        submitted.addAll(List.of(group.txids()));
      }
      String last = groups[groups.length - 1].txids()[GROUP - 1];
      round = awaitConfirmation(last, FILL_INTERVAL.multipliedBy(4));
      blockBytes = algod.blockMsgpack(round);
      List<String> txids = InBlockTxids.of(blockBytes);
      return txids.size() == TXNS_PER_BLOCK && submitted.equals(new HashSet<>(txids));
    }

    private long awaitConfirmation(String txid, Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        long confirmed = algod.confirmedRound(txid);
        if (confirmed > 0) {
          return confirmed;
        }
        algod.waitForBlockAfter(algod.lastRound());
      }
      throw new IllegalStateException(txid + " not confirmed within " + timeout);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
      algod.close();
      devnet.close();
    }
  }

  @Benchmark
  @OperationsPerInvocation(TXNS_PER_BLOCK)
  public List<String> fetchAndDecode(FullBlock chain) throws Exception {
    return InBlockTxids.of(chain.algod.blockMsgpack(chain.round));
  }

  @Benchmark
  @OperationsPerInvocation(TXNS_PER_BLOCK)
  public List<String> decodeOnly(FullBlock chain) throws Exception {
    return InBlockTxids.of(chain.blockBytes);
  }
}
