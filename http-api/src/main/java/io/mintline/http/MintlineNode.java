package io.mintline.http;

import static akka.http.javadsl.server.Directives.*;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.server.Route;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import akka.management.javadsl.AkkaManagement;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.algorand.algosdk.v2.client.common.AlgodClient;
import io.mintline.config.MintlineSettings;
import io.mintline.config.NetworkProfile;
import io.mintline.config.OperationsSettings;
import io.mintline.config.SettingsException;
import io.mintline.http.ops.ManagementAccess;
import io.mintline.http.ops.MetricsSampler;
import io.mintline.http.ops.NodeMetrics;
import io.mintline.deploy.algorand.AlgorandGenesis;
import io.mintline.engine.concurrent.Stages;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.keys.DevnetFunding;
import io.mintline.deploy.keys.KeyRing;
import io.mintline.deploy.tipproxy.TipProxyDeployer;
import io.mintline.config.KeySettings;
import io.mintline.engine.deployment.AlgorandDeploymentChain;
import io.mintline.engine.deployment.DeploymentEntity;
import io.mintline.engine.deployment.DeploymentHooks;
import io.mintline.engine.deployment.DeploymentProjection;
import io.mintline.config.MintingSettings;
import io.mintline.deploy.keys.SignatureLog;
import io.mintline.deploy.sticker.StickerMinter;
import io.mintline.engine.minting.MintingPipeline;
import io.mintline.engine.minting.StickerClaims;
import io.mintline.engine.minting.StickerProjection;
import io.mintline.engine.minting.StickerReadSide;
import io.mintline.engine.minting.UnfinishedMints;
import io.mintline.engine.wallet.WalletEntity;
import io.mintline.engine.wallet.WalletProjection;
import io.mintline.engine.wallet.TipProjection;
import io.mintline.engine.listener.ChainListener;
import io.mintline.config.ListenerSettings;
import io.mintline.http.listener.ListenerClient;
import io.mintline.http.listener.ListenerRoutes;
import io.mintline.http.wallet.TipRoutes;
import akka.actor.typed.ActorRef;
import io.mintline.http.deployment.DeploymentRoutes;
import io.mintline.http.auth.AuthModule;
import io.mintline.http.health.ChainCheck;
import io.mintline.http.health.HealthRoutes;
import io.mintline.http.sticker.StickerRoutes;
import io.mintline.http.wallet.WalletRoutes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Mintline node: one {@code ActorSystem} in the cluster, the journal database, the
 * sharded entities, akka-management and the public HTTP API.
 *
 * <p>Start-up order: settings (fail fast) → actor system → database (pool + migrations, retried in
 * the background) → sharded entities → cluster join → management → HTTP. Coordinated shutdown
 * unbinds HTTP first (phase {@code service-unbind}) so no request reaches a stopping node.
 */
public final class MintlineNode {
  private static final Logger log = LoggerFactory.getLogger(MintlineNode.class);

  private final ActorSystem<Void> system;
  private final MintlineSettings settings;
  private final ServerBinding binding;
  private final int managementPort;
  private final Devnet devnet;

  private MintlineNode(
      ActorSystem<Void> system, MintlineSettings settings, ServerBinding binding, int managementPort, Devnet devnet) {
    this.system = system;
    this.settings = settings;
    this.binding = binding;
    this.managementPort = managementPort;
    this.devnet = devnet;
  }

  public static void main(String[] args) {
    Stages.widenCommonPool();
    Config config = ConfigFactory.load();
    MintlineNode node;
    try {
      node = start(config.withFallback(ConfigFactory.parseString("akka.coordinated-shutdown.exit-jvm = on")));
    } catch (SettingsException e) {
      log.error("Mintline cannot start: {}", e.getMessage());
      System.err.println("Mintline cannot start: " + e.getMessage());
      System.exit(2);
      return;
    }
    log.info("Mintline node is up: HTTP {}, management {}", node.httpPort(), node.managementPort());
  }

  /** Starts a node on {@code config} (the application config, environment overrides resolved). */
  public static MintlineNode start(Config config) {
    MintlineSettings settings = MintlineSettings.load(config);
    Config full = JournalDatabase.akkaConfig(settings.database()).withFallback(config).resolve();
    NetworkProfile network = NetworkProfile.load(full, settings);
    log.info("Starting Mintline {} on {} with database {}", settings.version(), settings.network().id(), settings.database());

    // The embedded default's chain: an in-process devnet that wallets on this machine can use too.
    Devnet devnet = settings.runsEmbeddedDevnet() ? startDevnet(settings.devnet()) : null;
    String algodUrl = devnet != null ? devnet.url() : settings.algod().url();
    String algodToken = devnet != null ? devnet.apiToken() : settings.algod().token();
    log.info("Algorand node in use: {}{}", algodUrl, devnet != null ? " (in-process devnet)" : "");
    AlgodClient algod = AlgorandGenesis.client(algodUrl, algodToken);
    AlgorandGenesis genesis;
    try {
      genesis = AlgorandGenesis.require(algod, algodUrl, settings.network().id(), network.expectedGenesisHash());
    } catch (RuntimeException e) {
      if (devnet != null) devnet.close();
      throw e;
    }

    OperationsSettings ops = OperationsSettings.load(full);
    NodeMetrics.start(ops, full);
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.empty(), "mintline", full);
    } catch (RuntimeException e) {
      if (devnet != null) devnet.close();
      throw e;
    }
    if (devnet != null) {
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-devnet", () -> {
            devnet.close();
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
          });
    }
    try {
      JournalDatabase database = JournalDatabase.get(system);

      // Chain I/O: one gateway per node (one block follower), the role keys, and on the embedded
      // devnet the generated keys funded from its genesis account before anything is signed.
      KeyRing keys = KeyRing.load(KeySettings.load(full), settings.network());
      AlgodGateway gateway = AlgodGateway.create(settings.algod(), algodUrl, algodToken);
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-algod-gateway", () -> {
            gateway.close();
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
          });
      if (settings.network() == MintlineSettings.Network.DEVNET && !keys.generated().isEmpty()) {
        // Keys generated on devnet (this node's or another node's in-process devnet) are paid
        // from the devnet's genesis account before anything is signed with them.
        DevnetFunding.fund(gateway, DevnetFunding.genesisAccount(algodUrl, algodToken), keys,
            KeySettings.load(full).devnetFundingMicroAlgos()).toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
      // Minting: this node's pipeline; the wallets living here hand it their mints.
      MintingSettings minting = MintingSettings.load(full);
      StickerMinter minter = new StickerMinter(keys.mint(), minting, SignatureLog.NONE);
      MintingPipeline pipeline = MintingPipeline.start(system, minting, minter, gateway);
      WalletEntity.init(system, pipeline);
      WalletProjection.init(system);
      StickerProjection.init(system);
      StickerReadSide stickers = new StickerReadSide(system);
      UnfinishedMints.start(system, stickers, minting.sweepInterval());
      DeploymentEntity.init(system, new AlgorandDeploymentChain(new TipProxyDeployer(keys.deploy()), gateway),
          DeploymentHooks.NONE, DeploymentEntity.RetrySettings.DEFAULT);
      DeploymentProjection.init(system);
      TipProjection.init(system);
      // One listener per network in the cluster (a singleton); every node can run it.
      ListenerSettings listenerSettings = ListenerSettings.load(full);
      ActorRef<ChainListener.Command> listener = listenerSettings.enabled()
          ? ChainListener.init(system, gateway, listenerSettings, settings.network().id(), platformAccounts(keys))
          : null;
      ListenerClient listenerClient = new ListenerClient(system, listener, settings.network().id(), gateway.algodUrl());
      joinCluster(system, settings, full);

      int managementPort = AkkaManagement.get(system.classicSystem()).start()
          .toCompletableFuture().get(30, TimeUnit.SECONDS).getPort();

      ChainCheck chain = new ChainCheck(algodUrl, algodToken, devnet != null, settings.health().databaseTimeout());
      // A listener switched off on purpose is left out of /health rather than degrading every node.
      HealthRoutes health = new HealthRoutes(system, database, chain, settings.version(),
          listener == null ? null : listenerClient, settings.health().databaseTimeout());
      TipRoutes tips = new TipRoutes(system);
      ListenerRoutes listenerRoutes = new ListenerRoutes(listenerClient, settings.askTimeout());
      WalletRoutes wallets = new WalletRoutes(system, settings.askTimeout());
      AuthModule auth = AuthModule.start(system, settings, network, genesis.hash(), algod, database);
      ManagementAccess.get(system.classicSystem()).configure(ops, auth);
      MetricsSampler.start(system, ops, new MetricsSampler.Sources(pipeline, listener == null ? null : listenerClient,
          settings.network().id(), database.dataSource(), gateway, algod, keys.mint().address(), keyCreated(ops, keys)));
      DeploymentRoutes deployments =
          new DeploymentRoutes(system, auth.routes()::authenticated, settings.network().id(), settings.askTimeout());
      StickerRoutes stickerRoutes = new StickerRoutes(auth.routes()::authenticated, stickers,
          new StickerClaims(system, stickers, minter, gateway, settings.askTimeout()), pipeline);
      Route route = ApiRoutes.wrap(settings.http().maxBodyBytes(), requestId -> concat(
          health.route(requestId),
          auth.routes().route(requestId),
          pathPrefix("api", () -> pathPrefix("v1", () -> concat(stickerRoutes.route(requestId), tips.route(),
              wallets.route(), deployments.route(requestId), listenerRoutes.route())))));

      ServerBinding binding = Http.get(system)
          .newServerAt(settings.http().host(), settings.http().port())
          .bind(route)
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS)
          .addToCoordinatedShutdown(Duration.ofSeconds(10), system);
      return new MintlineNode(system, settings, binding, managementPort, devnet);
    } catch (SettingsException e) {
      system.terminate();
      throw e;
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("Mintline failed to start: " + e.getMessage(), e);
    }
  }

  /** When each role key was made: configured, or the node's start for keys it generated just now (devnet). */
  private static java.util.Map<OperationsSettings.Role, java.time.Instant> keyCreated(OperationsSettings ops, KeyRing keys) {
    java.util.Map<OperationsSettings.Role, java.time.Instant> created = new java.util.EnumMap<>(OperationsSettings.Role.class);
    java.time.Instant now = java.time.Instant.now();
    for (io.mintline.deploy.keys.KeyRole role : keys.generated()) {
      created.put(OperationsSettings.Role.valueOf(role.name()), now);
    }
    created.putAll(ops.keyCreated());
    return created;
  }

  /** The platform's own accounts: their payments to a TipProxy (its funding) are not tips. */
  private static java.util.Set<String> platformAccounts(KeyRing keys) {
    return new java.util.HashSet<>(java.util.List.of(keys.mint().address().toString(), keys.deploy().address().toString(),
        keys.admin().address().toString()));
  }

  private static Devnet startDevnet(MintlineSettings.EmbeddedDevnet embedded) {
    DevnetSettings devnetSettings = DevnetSettings.defaults()
        .withHost(embedded.host())
        .withPort(embedded.port())
        .withApiToken(embedded.token())
        .withBlockInterval(embedded.blockInterval());
    try {
      return Devnet.start(devnetSettings);
    } catch (RuntimeException e) {
      throw new IllegalStateException("the in-process devnet could not start on " + embedded.host() + ":"
          + embedded.port() + " (set MINTLINE_DEVNET_PORT, or MINTLINE_ALGOD_URL to use another algod): "
          + e.getMessage(), e);
    }
  }

  private static void joinCluster(ActorSystem<?> system, MintlineSettings settings, Config config) {
    Cluster cluster = Cluster.get(system);
    if (settings.clusterBootstrap()) {
      ClusterBootstrap.get(system.classicSystem()).start();
    } else if (config.getStringList("akka.cluster.seed-nodes").isEmpty()) {
      // No seeds and no bootstrap: a cluster of one, joined to itself.
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public MintlineSettings settings() {
    return settings;
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  public int managementPort() {
    return managementPort;
  }

  /** The in-process devnet, or null when the node uses an external algod. */
  public Devnet devnet() {
    return devnet;
  }

  /** Runs coordinated shutdown and waits until the actor system has terminated. */
  public void stop() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node did not stop within 60 s", e);
    }
  }
}
