package io.mintline.deploy.evm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real local EVM node: ganache 7.9 from npm ({@code node_modules/ganache}), run as a child
 * process on a free loopback port. It is the chain of a dev EVM network whose {@code rpc-url} is
 * empty, and the chain of the tests. Ganache rather than Hardhat's node: Hardhat 3 needs Node 22,
 * this project runs on Node 20. Ganache 7.9 knows hardforks up to Shanghai only, so contracts for it
 * are compiled with {@code evmVersion} shanghai or older.
 *
 * <p>The accounts it funds are set with {@code evm_setAccountBalance} once it answers, so no key
 * ever appears on a command line. {@link #close()} kills the process.
 */
public final class LocalEvmNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalEvmNode.class);
  /** 10^24 wei (a million ether) per funded account: no test or benchmark runs out. */
  public static final BigInteger FUNDING_WEI = BigInteger.TEN.pow(24);

  private final Process process;
  private final String url;
  private final long chainId;

  private LocalEvmNode(Process process, String url, long chainId) {
    this.process = process;
    this.url = url;
    this.chainId = chainId;
  }

  /**
   * The block time of {@link Mining#INTERVAL}, the dev network's local chain: short enough that a
   * transaction is mined in a fraction of a second, long enough that empty blocks cost ganache
   * little (~1.6 % of a core idle; docs/BENCHMARKS.md, "EVM tips and stickers (issue 19)").
   */
  public static final String INTERVAL_BLOCK_TIME_S = "0.1";

  /** How the local chain mines. */
  public enum Mining {
    /**
     * A block every {@link #INTERVAL_BLOCK_TIME_S} seconds with every executable transaction that
     * arrived, empty blocks included (ganache's interval mining): the dev network's local chain.
     * Not instamine: ganache 7.9's instamine calls its miner for every arriving transaction, and a
     * transaction arriving while a cheaper one of another account is executed is pushed on top of
     * the miner's price heap and removed from it in place of the executed one — left "locked" at
     * the head of its sender's pending queue, never mined, a resend refused ("transaction can't be
     * replaced, mining has already started"), every later transaction of that sender stuck behind
     * it (docs/BENCHMARKS.md; {@code deploy/src/test/js/ganache-priced-heap.mjs}). Interval mining
     * builds each block from a fresh heap and does not call the miner per arrival. Do not call
     * {@code evm_mine} or {@code evm_set*} (they mine a block) on it while transactions arrive:
     * called while a block is being mined they reach the same code.
     */
    INTERVAL,
    /**
     * A block per transaction, right after it arrives (ganache's instamine, strict): no block
     * without a transaction, for tests that control the chain's height. Has the stall above when
     * accounts send at once with different fees.
     */
    INSTANT,
    /** Nothing is mined until {@code evm_mine} or {@code miner_start}: transactions wait in the pool. */
    MANUAL
  }

  /**
   * Starts ganache and waits until it answers.
   *
   * @param node the Node.js executable
   * @param nodeModules the npm {@code node_modules} holding ganache
   * @param dbPath where the chain is kept across restarts, or null for a chain in memory
   */
  public static LocalEvmNode start(String node, Path nodeModules, long chainId, Mining mining, Path dbPath)
      throws IOException {
    return start(node, nodeModules, chainId, mining, dbPath, 0);
  }

  /** As above on {@code port} (0: a free one): a test restarts a chain on the port its node knows. */
  public static LocalEvmNode start(String node, Path nodeModules, long chainId, Mining mining, Path dbPath, int port)
      throws IOException {
    Path cli = nodeModules.resolve("ganache").resolve("dist").resolve("node").resolve("cli.js");
    if (!Files.isRegularFile(cli)) {
      throw new IOException("ganache is missing at " + cli + " (run `npm ci` at the repository root)");
    }
    if (port == 0) port = freePort();
    List<String> command = new ArrayList<>(List.of(node, cli.toString(),
        "--server.host", "127.0.0.1", "--server.port", Integer.toString(port),
        "--chain.chainId", Long.toString(chainId), "--chain.hardfork", "shanghai",
        "--wallet.deterministic", "true", "--logging.quiet", "true"));
    if (dbPath != null) {
      Files.createDirectories(dbPath);
      command.addAll(List.of("--database.dbPath", dbPath.toAbsolutePath().toString()));
    }
    if (mining == Mining.INSTANT) {
      // strict: eth_sendRawTransaction answers at once and the block follows. Ganache's default
      // (eager) holds the answer until the transaction is mined, so a transaction waiting behind a
      // lower nonce still in flight times its sender out.
      command.addAll(List.of("--miner.instamine", "strict"));
    }
    if (mining == Mining.INTERVAL) {
      command.addAll(List.of("--miner.blockTime", INTERVAL_BLOCK_TIME_S));
    }
    if (mining == Mining.MANUAL) {
      // Ganache has no "never mine" switch; a block time far beyond any test stops automatic mining.
      command.addAll(List.of("--miner.blockTime", "86400"));
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String url = "http://127.0.0.1:" + port;
    CountDownLatch listening = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.contains("RPC Listening on")) listening.countDown();
          if (!line.isBlank()) log.debug("ganache: {}", line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
      listening.countDown();
    }, "ganache-" + url);
    reader.setDaemon(true);
    reader.start();
    LocalEvmNode started = new LocalEvmNode(process, url, chainId);
    try {
      if (!listening.await(60, TimeUnit.SECONDS) || !process.isAlive()) {
        started.close();
        throw new IOException("ganache did not start on " + url);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      started.close();
      throw new IOException("interrupted while ganache started", e);
    }
    log.info("Local EVM node (ganache, chain id {}) on {}", chainId, url);
    return started;
  }

  public int port() {
    return java.net.URI.create(url).getPort();
  }

  public String url() {
    return url;
  }

  public long chainId() {
    return chainId;
  }

  /** CPU time the ganache process has used so far (its children included), for benchmarks; -1 when not known. */
  public long cpuNanos() {
    long total = process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    for (ProcessHandle child : (Iterable<ProcessHandle>) process.descendants()::iterator) {
      total += child.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }
    return total;
  }

    public boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
