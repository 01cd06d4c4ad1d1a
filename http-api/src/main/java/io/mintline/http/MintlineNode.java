package io.mintline.http;

import static akka.http.javadsl.server.Directives.*;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
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
import io.mintline.deploy.keys.KeyRole;
import io.mintline.deploy.keys.MultisigAccount;
import io.mintline.config.MultisigSettings;
import io.mintline.http.keys.ProposalRoutes;
import io.mintline.http.keys.Proposals;
import io.mintline.http.keys.KeyCustody;
import io.mintline.http.keys.KeyRoutes;
import io.mintline.http.keys.KeyRingStore;
import io.mintline.http.keys.KeyRingSync;
import io.mintline.deploy.keys.EvmSigner;
import io.mintline.deploy.evm.EvmNetworks;
import io.mintline.config.EvmSettings;
import io.mintline.deploy.tipproxy.TipProxyDeployer;
import io.mintline.config.KeySettings;
import io.mintline.config.KeyRingSettings;
import io.mintline.engine.deployment.AlgorandDeploymentChain;
import io.mintline.engine.deployment.DeploymentEntity;
import io.mintline.engine.deployment.DeploymentHooks;
import io.mintline.engine.deployment.DeploymentProjection;
import io.mintline.config.MintingSettings;
import io.mintline.config.AuditSettings;
import io.mintline.http.auth.AuditLog;
import io.mintline.http.keys.SignatureAudit;
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
import io.mintline.http.console.ConsoleRoutes;
import io.mintline.http.devnet.DevnetRoutes;
import io.mintline.http.ops.ClusterStatusRoutes;
import io.mintline.http.wallet.TipRoutes;
import akka.actor.typed.ActorRef;
import io.mintline.http.deployment.DeploymentRoutes;
import io.mintline.http.auth.AuthModule;
import io.mintline.http.edge.EdgeModule;
import io.mintline.http.health.ChainCheck;
import io.mintline.http.health.HealthRoutes;
import io.mintline.http.sticker.StickerRoutes;
import io.mintline.http.sticker.FailedMintRoutes;
import io.mintline.http.wallet.WalletRoutes;
import io.mintline.config.ContractSettings;
import io.mintline.config.JobSettings;
import io.mintline.contracts.audit.Auditor;
import io.mintline.contracts.audit.RuleAuditor;
import io.mintline.contracts.solidity.SolidityToolchain;
import io.mintline.engine.contract.ContractJobs;
import io.mintline.engine.job.JobClient;
import io.mintline.engine.job.JobEntity;
import io.mintline.engine.job.JobProjection;
import io.mintline.engine.job.JobSlots;
import io.mintline.engine.job.JobWork;
import io.mintline.http.contract.ContractQuota;
import io.mintline.http.contract.ContractRoutes;
import io.mintline.http.contract.ContractDeployRoutes;
import io.mintline.http.contract.DeployGate;
import io.mintline.engine.job.JobReadSide;
import io.mintline.engine.deployment.EvmDeploymentChain;
import io.mintline.engine.deployment.SignerNonceEntity;
import io.mintline.http.contract.JobRoutes;
import io.mintline.http.webhook.UrlGuard;
import io.mintline.http.webhook.WebhookModule;
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
  private final ServerBinding httpsBinding;
  private final EdgeModule edge;
  private final KeyRing keys;

  private MintlineNode(ActorSystem<Void> system, MintlineSettings settings, ServerBinding binding, ServerBinding httpsBinding,
      int managementPort, Devnet devnet, EdgeModule edge, KeyRing keys) {
    this.keys = keys;
    this.system = system;
    this.settings = settings;
    this.binding = binding;
    this.httpsBinding = httpsBinding;
    this.managementPort = managementPort;
    this.devnet = devnet;
    this.edge = edge;
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("--print-config")) {
      System.out.println(EffectiveConfig.render(effectiveConfig(ConfigFactory.load()),
          java.util.Arrays.asList(args).subList(1, args.length)));
      return;
    }
    Stages.widenCommonPool();
    Config config = ConfigFactory.load();
    MintlineNode node;
    try {
      // The jar's JVM is the node: when the cluster downs it (Split Brain Resolver, or a node that wakes
      // from a pause to find itself removed), coordinated shutdown must end the process, not leave a
      // zombie JVM serving HTTP without an actor system. application.conf keeps exit-jvm off for tests
      // that embed a node, so this has to override it (a fallback would lose to application.conf).
      node = start(ConfigFactory.parseString("akka.coordinated-shutdown.exit-jvm = on").withFallback(config));
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
    Config full = effectiveConfig(config);
    NetworkProfile network = NetworkProfile.load(full, settings);
    log.info("Starting Mintline {} on {} with database {}, common pool parallelism {}", settings.version(), settings.network().id(), settings.database(),
        java.util.concurrent.ForkJoinPool.getCommonPoolParallelism());
    if (java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() < 2) {
      log.warn("The common pool has one thread: every asynchronous callback on an Akka future starts a thread of its own. "
          + "Start the node with java -jar (its entry point widens the pool) or -Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
    }

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
      // The EVM deployment key is a role key of the ring too (environment, keystore, token, or a local chain's kept key).
      EvmSettings evmSettings = EvmSettings.load(full, settings.network());
      MultisigSettings multisig = MultisigSettings.load(full);
      KeyRing keys = withMultisig(KeyRing.load(KeySettings.load(full), settings.network(), evmSettings, settings.database().dataDir()), multisig);
      // A token's sessions are logged out and closed in the last phase: HTTP is unbound and the node has left
      // the cluster by then; a signature still in flight fails (Pkcs11Token refuses) instead of reaching a finalised module.
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-key-ring", () -> {
            keys.close();
            log.info("Key ring closed");
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
          });
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
      // Every signature of the platform's keys goes to the audit log (batched: minting signs thousands a second).
      SignatureAudit signatures = new SignatureAudit(database.dataSource(),
          new AuditLog(database.dataSource(), database.vendor(), blockingIo(system), java.time.Clock.systemUTC()),
          AuditSettings.load(full).signatureQueue());
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "flush-signature-audit", () -> {
            try {
              signatures.close();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
          });
      // A multisig role's transactions wait as proposals for their co-signers (in the shared database).
      Proposals proposals = new Proposals(database.dataSource(), gateway, blockingIo(system), multisig.pollInterval(),
          java.time.Clock.systemUTC(), new AuditLog(database.dataSource(), database.vendor(), blockingIo(system), java.time.Clock.systemUTC()));
      // The cluster's key ring: read before the first signature, then followed (a rotation on any node reaches this one).
      KeyRingSync keyRing = KeyRingSync.start(system, keys,
          new KeyRingStore(database.dataSource(), KeySettings.load(full).keystorePassphrase(), java.time.Clock.systemUTC()),
          new io.mintline.deploy.algorand.AlgodAccounts(algod, blockingIo(system)), gateway, proposals, blockingIo(system),
          KeyRingSettings.load(full), settings.askTimeout());
      StickerMinter minter = new StickerMinter(keys.mint(), minting, signatures);
      MintingPipeline pipeline = MintingPipeline.start(system, minting, minter, gateway);
      WalletEntity.init(system, pipeline);
      WalletProjection.init(system);
      StickerProjection.init(system);
      StickerReadSide stickers = new StickerReadSide(system);
      UnfinishedMints.start(system, stickers, minting.sweepInterval());
      TipProjection.init(system);
      // Solidity: the compilers (found once; missing ones switch the contract routes to 503) and the jobs.
      ContractSettings contractSettings = ContractSettings.load(full);
      JobSettings jobSettings = JobSettings.load(full);
      SolidityToolchain toolchain = SolidityToolchain.start(contractSettings);
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-solc-workers", () -> {
            toolchain.close();
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
          });
      // EVM networks: remote ones checked against eth_chainId now, local dev chains (ganache) on first use.
      EvmSigner evmSigner = keys.evmDeploy().withSignatureLog(signatures);
      EvmNetworks evm = EvmNetworks.start(evmSettings, contractSettings.node(),
          java.nio.file.Path.of(contractSettings.nodeModules()).toAbsolutePath(), settings.database().dataDir(), evmSigner);
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-evm-networks", () -> {
            evm.close();
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
          });
      // Deployments: TipProxy apps on Algorand, contracts on the EVM networks (nonces per signer).
      SignerNonceEntity.init(system);
      DeploymentEntity.init(system, new AlgorandDeploymentChain(
          new TipProxyDeployer(keys.deploy(), multisig.deploy().isPresent() ? multisig.validityRounds() : TipProxyDeployer.DEFAULT_VALIDITY_ROUNDS,
              signatures), gateway, proposals),
          new EvmDeploymentChain(evm, evmSigner, system, settings.askTimeout()),
          DeploymentHooks.NONE, DeploymentEntity.RetrySettings.DEFAULT);
      DeploymentProjection.init(system);
      // Audit jobs run the rule-based auditor over solc's compact AST.
      JobEntity.init(system, new JobWork.Registry(ContractJobs.work(toolchain, new RuleAuditor(new Auditor()), contractSettings)),
          new JobSlots(jobSettings.concurrencyPerNode()), jobSettings);
      JobProjection.init(system);
      // One listener per network in the cluster (a singleton); every node can run it.
      ListenerSettings listenerSettings = ListenerSettings.load(full);
      ActorRef<ChainListener.Command> listener = listenerSettings.enabled()
          ? ChainListener.init(system, gateway, listenerSettings, settings.network().id(), platformAccounts(keys))
          : null;
      // One EVM tip listener per EVM network in the cluster (singletons too), under the same supervision.
      io.mintline.config.EvmListenerSettings evmListenerSettings = io.mintline.config.EvmListenerSettings.load(full);
      java.util.Map<String, ActorRef<io.mintline.engine.listener.EvmTipListener.Command>> evmListeners = new java.util.TreeMap<>();
      if (evmListenerSettings.enabled()) {
        for (String name : evm.names()) {
          evmListeners.put(name, io.mintline.engine.listener.EvmTipListener.init(system, evm, evmListenerSettings, listenerSettings, name));
        }
      }
      ListenerClient listenerClient = new ListenerClient(system, listener, settings.network().id(), gateway.algodUrl(), evmListeners);
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
      StickerRoutes stickerRoutes = new StickerRoutes(auth.routes()::authenticated, stickers,
          new StickerClaims(system, stickers, minter, gateway, settings.askTimeout()), pipeline,
          new io.mintline.engine.minting.EvmStickerReadSide(system));
      EdgeModule edge = EdgeModule.start(system, full, database, auth);
      JobClient jobClient = new JobClient(system, settings.askTimeout());
      ContractRoutes contractRoutes = new ContractRoutes(auth.routes()::authenticated, toolchain, contractSettings,
          contractQuota(edge.quotas()), jobClient);
      JobRoutes jobRoutes = new JobRoutes(system, jobClient, auth.routes()::authenticated);
      DeployGate deployGate = new DeployGate(new JobReadSide(system), jobClient,
          new AuditLog(database.dataSource(), database.vendor(), blockingIo(system), java.time.Clock.systemUTC()),
          database.dataSource(), blockingIo(system));
      ContractDeployRoutes contractDeploys = new ContractDeployRoutes(system, auth.routes()::authenticated, toolchain,
          contractSettings, contractQuota(edge.quotas()), jobClient, deployGate, evm, settings.askTimeout(), blockingIo(system));
      // EVM stickers: every EVM tip a fan sent mints an ERC-5192 token on the network's collection.
      if (evmListenerSettings.stickers() && !evm.names().isEmpty()) {
        io.mintline.engine.minting.EvmStickerMinter.init(system, evm, evmSigner, contractDeploys::stickerCollection,
            minting.goldenBasisPoints(), minting.metadataBaseUrl(), settings.askTimeout());
      }
      // Creator onboarding: a TipProxy on Algorand, or a tip jar (the platform's template) on an EVM network.
      DeploymentRoutes deployments = new DeploymentRoutes(system, auth.routes()::authenticated, settings.network().id(),
          settings.askTimeout(), evm.names(), contractDeploys::tipJar, auth.login()::prove);
      // Signed webhooks: the projection that records deliveries, this node's delivery worker, the routes.
      WebhookModule.Routes webhookRoutes = WebhookModule.start(system, full, settings, database, UrlGuard.SYSTEM_DNS,
          auth.routes()::authenticated);
      // The web console (static files from the jar) and what its devnet wallet and operator view ask for.
      ConsoleRoutes console = new ConsoleRoutes();
      DevnetRoutes devnetRoutes = new DevnetRoutes(settings.network(), gateway, algodUrl, algodToken);
      ClusterStatusRoutes clusterStatus = new ClusterStatusRoutes(system, auth.routes()::authenticated);
      FailedMintRoutes failedMints = new FailedMintRoutes(stickers, auth.routes()::authenticated);
      ProposalRoutes proposalRoutes = new ProposalRoutes(proposals, gateway, blockingIo(system), auth.routes()::authenticated);
      KeyRoutes keyRoutes = new KeyRoutes(new KeyCustody(keys, KeySettings.load(full), settings.network(), gateway, signatures, proposals,
          multisig.validityRounds(), keyRing), new AuditLog(database.dataSource(), database.vendor(), blockingIo(system), java.time.Clock.systemUTC()),
          auth.routes()::authenticated);
      Route route = edge.edge().headers(ApiRoutes.wrap(settings.http().maxBodyBytes(), settings.http().requestTimeout(), requestId -> edge.edge().guard(requestId, () -> concat(
          health.route(requestId),
          auth.routes().route(requestId),
          edge.openApi().route(),
          console.route(),
          pathPrefix("api", () -> pathPrefix("v1", () -> concat(stickerRoutes.route(requestId), tips.route(),
              wallets.route(), deployments.route(requestId), listenerRoutes.route(), edge.tiers().route(requestId),
              contractRoutes.route(requestId), contractDeploys.route(requestId), jobRoutes.route(requestId),
              webhookRoutes.webhooks().route(requestId), devnetRoutes.route(), clusterStatus.route(requestId), failedMints.route(requestId),
              webhookRoutes.failures().route(requestId), proposalRoutes.route(requestId), keyRoutes.route(requestId))))))));

      ServerBinding[] bindings = edge.bind(settings.http().host(), settings.http().port(), settings.http().acceptListeners(), route,
          ApiRoutes.wrap(settings.http().maxBodyBytes(), settings.http().requestTimeout(), health::route));
      return new MintlineNode(system, settings, bindings[0], bindings[1], managementPort, devnet, edge, keys);
    } catch (SettingsException e) {
      system.terminate();
      throw e;
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("Mintline failed to start: " + e.getMessage(), e);
    }
  }

  /**
   * The configuration a node runs with: the application config (environment overrides resolved)
   * under the layers the node derives from its settings, such as the persistence plugins.
   */
  public static Config effectiveConfig(Config config) {
    return JournalDatabase.akkaConfig(MintlineSettings.load(config).database()).withFallback(config).resolve();
  }

  /** The role keys, with the roles that are multisig accounts (mintline.keys.multisig) held by them. */
  private static KeyRing withMultisig(KeyRing keys, MultisigSettings multisig) {
    KeyRing ring = keys;
    if (multisig.deploy().isPresent()) {
      ring = ring.withMultisig(KeyRole.DEPLOY, multisigAccount(multisig.deploy().get(), "mintline.keys.multisig.deploy-keys"),
          "mintline.keys.multisig.deploy-keys");
    }
    if (multisig.admin().isPresent()) {
      ring = ring.withMultisig(KeyRole.ADMIN, multisigAccount(multisig.admin().get(), "mintline.keys.multisig.admin-keys"),
          "mintline.keys.multisig.admin-keys");
    }
    if (ring != keys) log.info("Role keys: {}", ring);
    return ring;
  }

  private static MultisigAccount multisigAccount(MultisigSettings.Account account, String setting) {
    try {
      return MultisigAccount.parse(account.threshold(), account.members());
    } catch (IllegalArgumentException e) {
      throw new SettingsException(setting, "member addresses with valid checksums", e.getMessage());
    }
  }

  /** The daily quotas by tier on the contract routes: compilations and audits count, generating is free. */
  private static ContractQuota contractQuota(io.mintline.http.quota.Quotas quotas) {
    return (principal, operation, requestId, inner) -> switch (operation) {
      case GENERATE -> inner.get();
      case COMPILE -> quotas.quota(io.mintline.http.quota.Quotas.COMPILATIONS, principal, requestId, inner);
      case AUDIT -> quotas.quota(io.mintline.http.quota.Quotas.AUDITS, principal, requestId, inner);
      case DEPLOY -> quotas.quota(io.mintline.http.quota.Quotas.DEPLOYMENTS, principal, requestId, inner);
    };
  }

  private static java.util.concurrent.Executor blockingIo(ActorSystem<?> system) {
    return system.dispatchers().lookup(akka.actor.typed.DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher"));
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

  /** The HTTPS listener's port, or -1 when HTTPS is off. */
  public int httpsPort() {
    return httpsBinding == null ? -1 : httpsBinding.localAddress().getPort();
  }

  /** Rate limits, quotas, tiers and the API description of this node. */
  public EdgeModule edge() {
    return edge;
  }

  public int managementPort() {
    return managementPort;
  }

  /** The role keys this node signs with now (they follow rotations anywhere in the cluster). */
  public KeyRing keys() {
    return keys;
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
