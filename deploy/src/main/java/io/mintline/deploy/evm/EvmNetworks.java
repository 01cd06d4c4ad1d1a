package io.mintline.deploy.evm;

import io.mintline.config.EvmSettings;
import io.mintline.deploy.keys.EvmSigner;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's EVM networks at run time: each configured network's gateway, and the local EVM node
 * for a dev network without an {@code rpc-url}. A remote network's {@code eth_chainId} is checked
 * against its configured chain id at start; a mismatch (or a node that does not answer) stops the
 * node with the setting's name, as the Algorand genesis-hash guard does. A local chain is started
 * on first use (most nodes never deploy to EVM; ganache costs a Node.js process and a second of
 * start), with its chain kept under the node's data directory so it outlives a node restart; it is
 * checked the same way when it starts.
 */
public final class EvmNetworks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EvmNetworks.class);

  /** One network: its settings, gateway and (for a local chain) the node serving it. */
  public record Network(EvmSettings.Network settings, EvmGateway gateway, LocalEvmNode localNode) {}

  private final EvmSettings settings;
  private final String node;
  private final Path nodeModules;
  private final Path dataDir;
  private final EvmSigner signer;
  private final Map<String, Network> started = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile boolean closed;

  private EvmNetworks(EvmSettings settings, String node, Path nodeModules, Path dataDir, EvmSigner signer) {
    this.settings = settings;
    this.node = node;
    this.nodeModules = nodeModules;
    this.dataDir = dataDir;
    this.signer = signer;
  }

  /**
   * Connects the remote networks and checks their chain ids; local ones start on first use.
   *
   * @param node Node.js, for local chains
   * @param nodeModules where ganache is installed, for local chains
   * @param dataDir where local chains keep their state, or null for chains in memory (tests)
   * @param signer the deployment key; a local chain funds it
   */
  public static EvmNetworks start(EvmSettings settings, String node, Path nodeModules, Path dataDir, EvmSigner signer) {
    EvmNetworks networks = new EvmNetworks(settings, node, nodeModules, dataDir, signer);
    try {
      for (EvmSettings.Network n : settings.networks().values()) {
        if (!n.local()) networks.network(n.name());
      }
    } catch (RuntimeException e) {
      networks.close();
      throw e;
    }
    return networks;
  }

  /** The names requests may use. */
  public java.util.Set<String> names() {
    return settings.networks().keySet();
  }

  public Optional<EvmSettings.Network> settings(String name) {
    return Optional.ofNullable(settings.networks().get(name));
  }

  /** The running network {@code name}, starting its local chain on first use; throws for an unknown name. */
  public Network network(String name) {
    Network running = started.get(name);
    if (running != null) return running;
    synchronized (this) {
      running = started.get(name);
      if (running != null) return running;
      if (closed) throw new IllegalStateException("the EVM networks are closed");
      EvmSettings.Network n = settings.networks().get(name);
      if (n == null) throw new IllegalArgumentException("no EVM network " + name);
      running = open(n);
      started.put(name, running);
      return running;
    }
  }

  /** The network {@code name} if it runs already (a local chain is not started by asking). */
  public Optional<Network> ifStarted(String name) {
    return Optional.ofNullable(started.get(name));
  }

  private Network open(EvmSettings.Network n) {
    LocalEvmNode local = null;
    String url = n.rpcUrl();
    if (n.local()) {
      try {
        local = LocalEvmNode.start(node, nodeModules, n.chainId(), LocalEvmNode.Mining.INTERVAL,
            dataDir == null ? null : dataDir.resolve("evm-" + n.name()));
      } catch (IOException e) {
        throw new IllegalStateException("EVM network " + n.name() + ": the local EVM node could not start ("
            + e.getMessage() + "); set mintline.evm.networks." + n.name() + ".rpc-url to use another", e);
      }
      url = local.url();
    }
    EvmGateway gateway = new EvmGateway(url, n.backupRpcUrl(), settings.rpcTimeout());
    try {
      checkChainId(n, gateway);
      if (local != null) fund(n, gateway, signer.address());
    } catch (RuntimeException e) {
      gateway.close();
      if (local != null) local.close();
      throw e;
    }
    log.info("EVM network {} (chain id {}) on {}{}", n.name(), n.chainId(), url, local != null ? " (local ganache)" : "");
    return new Network(n, gateway, local);
  }

  /** Stops the node unless the network's RPC answers the configured chain id. */
  static void checkChainId(EvmSettings.Network n, EvmGateway gateway) {
    long actual;
    try {
      actual = gateway.chainId().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable why = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("EVM network " + n.name() + ": eth_chainId at " + gateway.url()
          + " did not answer (" + why.getMessage() + ")", why);
    }
    if (actual != n.chainId()) {
      throw new IllegalStateException("EVM network " + n.name() + ": the node at " + gateway.url() + " is chain id " + actual
          + ", but mintline.evm.networks." + n.name() + ".chain-id is " + n.chainId()
          + "; refusing to start against the wrong chain");
    }
  }

  /** Gives the deployment account ether on a local chain (ganache's {@code evm_setAccountBalance}). */
  static void fund(EvmSettings.Network n, EvmGateway gateway, String address) {
    try {
      // Interval mining: evm_setAccountBalance called while a block is mined mines none itself, and
      // the balance is in "latest" from the next block on; asked again until it is (ganache#1646).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      do {
        gateway.raw("evm_setAccountBalance", List.of(address, "0x" + LocalEvmNode.FUNDING_WEI.toString(16)))
            .toCompletableFuture().get(60, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
          Object balance = gateway.raw("eth_getBalance", List.of(address, "latest")).toCompletableFuture().get(60, TimeUnit.SECONDS);
          if (new BigInteger(String.valueOf(balance).substring(2), 16).compareTo(LocalEvmNode.FUNDING_WEI) >= 0) return;
          Thread.sleep(50);
        }
      } while (System.nanoTime() < deadline);
      throw new IllegalStateException("the balance is not in the latest block after 30 s");
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      throw new IllegalStateException("EVM network " + n.name() + ": the local chain did not fund " + address, e);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    started.values().forEach(n -> {
      closeQuietly(n.gateway());
      if (n.localNode() != null) n.localNode().close();
    });
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.warn("closing {}: {}", c, e.getMessage());
    }
  }
}
