package io.mintline.engine.deployment;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.SignalHandler;
import io.mintline.deploy.algorand.ChainException;
import io.mintline.engine.wallet.WalletEntity;
import io.mintline.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One creator deployment: the TipProxy application of one wallet, deployed exactly once however
 * often it is requested and wherever the node crashes.
 *
 * <p>Life: {@code Requested → Submitted(txId, signedBytes, lease, lastValid) → Confirmed(appId,
 * appAddress, round) → Funding(txId, signedBytes, lastValid) → Active}, or {@code Failed(reason)}.
 * Every state is persisted <em>before</em> the chain call that follows it. On recovery (and on
 * every retry) a deployment resends its saved signed bytes — the chain answers "already in ledger"
 * for a transaction it has — and waits for confirmation; only after {@code lastValid} has passed
 * without the transaction does it rebuild and re-sign, with the same lease, derived from the
 * deployment id, so the chain can never accept two. Non-terminal deployments are remembered
 * entities: they resume after a node restart without any request.
 *
 * <p>An EVM contract deployment ({@link RequestContract}) runs through the same states:
 * {@code Requested(contract) → Submitted(txHash, raw signed tx, nonce, fees) → Confirmed(address,
 * blockNumber, blockHash, gasUsed) → Active}, or {@code Failed(reason, retryable)}. Its nonce comes
 * from the signer's {@link SignerNonceEntity} before signing; {@code Submitted} is persisted before
 * the raw transaction is sent, and after a crash the same bytes are sent again unless the node
 * already has them or mined one of the deployment's transactions. A transaction not mined within the network's {@code replace-after} is replaced with the
 * same nonce at fees bumped by at least 10 % ({@code Replaced}); every hash is watched until one is
 * mined. A receipt whose block leaves the canonical chain before the confirmation depth sends the
 * deployment back to {@code Submitted} ({@code Reorganised}) and the saved transaction is resent, so
 * it ends {@code Active} once, at the address the chain finally has.
 *
 * <p>Transitions are published on the pub-sub topic {@link #topicName(String)} as {@link Summary}.
 */
public final class DeploymentEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        DeploymentEntity.Command, DeploymentEntity.Event, DeploymentEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Deployment");
  public static final String TAG = "deployment";

  /** How a deployment retries when the chain is unavailable. */
  public record RetrySettings(Duration minBackoff, Duration maxBackoff) {
    public static final RetrySettings DEFAULT = new RetrySettings(Duration.ofMillis(500), Duration.ofSeconds(30));
  }

  /** Registers deployments with cluster sharding (remembered, so unfinished ones resume). */
  public static void init(ActorSystem<?> system, DeploymentChain chain, DeploymentHooks hooks, RetrySettings retry) {
    init(system, chain, null, hooks, retry);
  }

  /** As above, with EVM contract deployments through {@code evm} (null: none on this node). */
  public static void init(ActorSystem<?> system, DeploymentChain chain, EvmDeploymentChain evm, DeploymentHooks hooks,
      RetrySettings retry) {
    ClusterSharding.get(system).init(
        Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), chain, evm, hooks, retry, Clock.systemUTC(),
                context.getShard(), WalletNotifier.sharded(system)))
            .withSettings(ClusterShardingSettings.create(system)
                .withRememberEntities(true)
                .withRememberEntitiesStoreMode(ClusterShardingSettings.RememberEntitiesStoreModeEventSourced$.MODULE$)));
  }

  /**
   * {@code shard} may be null outside sharding (tests); it is used to passivate unknown ids.
   * {@code wallets} receives what the owner's wallet must hear.
   */
  public static Behavior<Command> create(
      String deploymentId, DeploymentChain chain, DeploymentHooks hooks, RetrySettings retry, Clock clock,
      ActorRef<ClusterSharding.ShardCommand> shard, WalletNotifier wallets) {
    return create(deploymentId, chain, null, hooks, retry, clock, shard, wallets);
  }

  public static Behavior<Command> create(
      String deploymentId, DeploymentChain chain, EvmDeploymentChain evm, DeploymentHooks hooks, RetrySettings retry,
      Clock clock, ActorRef<ClusterSharding.ShardCommand> shard, WalletNotifier wallets) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new DeploymentEntity(deploymentId, chain, evm, hooks, retry, clock, context, timers, shard, wallets)));
  }

  /** Where a deployment tells its owner's wallet about its progress. */
  @FunctionalInterface
  public interface WalletNotifier {
    void tell(String owner, WalletEntity.Command command);

    /** Through cluster sharding to the owner's WalletEntity. */
    static WalletNotifier sharded(ActorSystem<?> system) {
      ClusterSharding sharding = ClusterSharding.get(system);
      return (owner, command) -> sharding.entityRefFor(WalletEntity.ENTITY_KEY, owner).tell(command);
    }
  }

  public static String topicName(String deploymentId) {
    return "deployment-" + deploymentId;
  }

  /**
   * Every state of the deployment in order, as its journal records them, live (the read journal
   * polls): for a reader that must not miss a transition. The pub-sub topic cannot promise that: a
   * new subscriber is known to the entity's topic only after the receptionist has spread it, and
   * what is published before is dropped. The stream ends with the first terminal state.
   */
  public static akka.stream.javadsl.Source<Summary, akka.NotUsed> journalStates(ActorSystem<?> system, String deploymentId) {
    akka.persistence.jdbc.query.javadsl.JdbcReadJournal journal = akka.persistence.query.PersistenceQuery.get(system)
        .getReadJournalFor(akka.persistence.jdbc.query.javadsl.JdbcReadJournal.class,
            akka.persistence.jdbc.query.javadsl.JdbcReadJournal.Identifier());
    return journal.eventsByPersistenceId(PersistenceId.of(ENTITY_KEY.name(), deploymentId).id(), 0L, Long.MAX_VALUE)
        .scan(State.EMPTY, (state, envelope) -> state.apply((Event) envelope.event()))
        .drop(1)
        .map(state -> state.summary(deploymentId, false))
        .takeWhile(summary -> !summary.status().terminal(), true);
  }

  // ---- protocol ----

  /** Any message to a deployment. */
  public interface Command extends CborSerializable {}

  /**
   * Asks for the deployment to exist (idempotent): the first request persists {@code Requested}
   * and starts deploying; later ones answer the current summary with {@code created=false}.
   */
  public record Request(String owner, String displayName, String network, ActorRef<Summary> replyTo)
      implements Command {}

  /**
   * Asks for an EVM contract deployment (idempotent): the first request persists {@code Requested}
   * with the contract and starts deploying; later ones answer the current summary with
   * {@code created=false}. {@code owner} is the wallet asking; {@code contractName} shows as the
   * deployment's display name.
   */
  public record RequestContract(String owner, String contractName, String network, EvmContract contract,
      ActorRef<Summary> replyTo) implements Command {}

  /** Asks for the current summary. */
  public record Get(ActorRef<Summary> replyTo) implements Command {}

  /**
   * What an EVM deployment deploys.
   *
   * @param jobId the compile job the bytecode comes from
   * @param contract the contract's fully qualified name ({@code File.sol:Name})
   * @param sourceHash the sources' hash (the deploy gate's key)
   * @param initCode creation bytecode followed by the ABI-encoded constructor arguments (0x-hex)
   * @param purpose null for a plain contract, {@link #TIP_JAR} or {@link #STICKER_COLLECTION} (events
   *     written before it existed have none: plain contracts)
   * @param payee for a tip jar, the EVM address fans tip ({@code tip(payee, memo)}) and that withdraws:
   *     null when it is the owner itself (an EVM creator), else the EVM address an Algorand creator
   *     proved it controls (one creator, two chains)
   */
  public record EvmContract(String jobId, String contract, String sourceHash, String initCode, String purpose, String payee)
      implements CborSerializable {
    /** A creator's tip jar (creator onboarding on an EVM network): its activation makes the owner a creator there. */
    public static final String TIP_JAR = "tip-jar";
    /** The platform's sticker collection of a network (one per network). */
    public static final String STICKER_COLLECTION = "sticker-collection";

    /** A plain contract deployment ({@code POST /api/v1/contracts/deploy}). */
    public EvmContract(String jobId, String contract, String sourceHash, String initCode) {
      this(jobId, contract, sourceHash, initCode, null, null);
    }

    /** A platform contract with {@code purpose}, paying its owner. */
    public EvmContract(String jobId, String contract, String sourceHash, String initCode, String purpose) {
      this(jobId, contract, sourceHash, initCode, purpose, null);
    }

    /** This contract tipping {@code payee} instead of its owner. */
    public EvmContract withPayee(String payee) {
      return new EvmContract(jobId, contract, sourceHash, initCode, purpose, payee);
    }

    /** The deployment's kind as the read side and the API show it: {@code contract}, {@code tipjar} or {@code collection}. */
    public String kind() {
      if (TIP_JAR.equals(purpose)) return "tipjar";
      if (STICKER_COLLECTION.equals(purpose)) return "collection";
      return "contract";
    }
  }

  /** Internal: an EVM transaction was signed (creation or replacement). */
  record EvmSigned(EvmDeploymentChain.Signed tx) implements Command {}

  /** Internal: the node has the EVM transaction {@code txHash} (sent now, or it had it already). */
  record EvmHanded(String txHash) implements Command {}

  /** Internal: what waiting for the sent EVM transaction found. */
  record EvmSent(EvmDeploymentChain.Sent outcome) implements Command {}

  /** Internal: what watching the confirmed EVM deployment found. */
  record EvmDepth(EvmDeploymentChain.Depth depth) implements Command {}

  /** Internal: take the next step for the current state. */
  enum Proceed implements Command { INSTANCE }

  /** Internal: a transaction was signed for the current step. */
  record Signed(DeploymentChain.SignedTx tx) implements Command {}

  /** Internal: the current step's transaction is confirmed. */
  record ConfirmedOnChain(String txId, long round, Long appId) implements Command {}

  /** Internal: the current step's transaction expired unconfirmed (lastValid passed). */
  record ExpiredOnChain(String txId) implements Command {}

  /** Internal: the current step failed; {@code retryable} decides between backoff and Failed. */
  record StepFailed(String reason, boolean retryable) implements Command {}

  /** Status as the API shows it. */
  public enum Status {
    NEW, REQUESTED, SUBMITTED, CONFIRMED, FUNDING, ACTIVE, FAILED;

    public boolean terminal() {
      return this == ACTIVE || this == FAILED;
    }

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * What callers see of a deployment. {@code created} is true only on the request that created it;
   * {@code evm} is null for a TipProxy deployment.
   */
  public record Summary(
      String id, String owner, String network, String displayName, Status status, String txId, Long appId,
      String appAddress, Long confirmedRound, Instant createdAt, Instant updatedAt, String error, boolean created,
      EvmView evm)
      implements CborSerializable {}

  /** An EVM deployment's chain fields as callers see them (nulls until the step that sets them). */
  public record EvmView(String jobId, String contract, String sourceHash, String initCodeHash, Long nonce,
      String signer, Long maxFeePerGas, Long maxPriorityFeePerGas, List<String> txHashes, String contractAddress,
      Long blockNumber, String blockHash, Long gasUsed, String kind)
      implements CborSerializable {}

  // ---- events ----

  /** Everything a deployment persists; tagged {@link #TAG}. */
  public interface Event extends CborSerializable {}

  /** {@code contract} is null for a TipProxy deployment (events written before EVM deployments have none). */
  public record Requested(String deploymentId, String owner, String displayName, String network, Instant at,
      EvmContract contract) implements Event {}

  public record Submitted(String txId, byte[] signedBytes, byte[] lease, long lastValid, Instant at) implements Event {}

  /** The create transaction's lastValid passed and the chain does not have it: rebuild. */
  public record Expired(String txId, Instant at) implements Event {}

  public record Confirmed(long appId, String appAddress, long round, Instant at) implements Event {}

  public record FundingSubmitted(String txId, byte[] signedBytes, long lastValid, Instant at) implements Event {}

  /** The funding payment's lastValid passed and the chain does not have it: rebuild. */
  public record FundingExpired(String txId, Instant at) implements Event {}

  public record Activated(String fundingTxId, long round, Instant at) implements Event {}

  public record Failed(String reason, boolean retryable, Instant at) implements Event {}

  /** The EVM creation transaction is signed and saved; it has not been sent. */
  public record EvmSubmitted(String txHash, String rawTx, long nonce, String signer, long gasLimit, long maxFeePerGas,
      long maxPriorityFeePerGas, Instant at) implements Event {}

  /** A replacement at the same nonce with bumped fees is signed and saved; every earlier hash is still watched. */
  public record EvmReplaced(String txHash, String rawTx, long maxFeePerGas, long maxPriorityFeePerGas, Instant at)
      implements Event {}

  /** One of the deployment's transactions is mined: the contract exists at {@code contractAddress}. */
  public record EvmConfirmed(String txHash, String contractAddress, long blockNumber, String blockHash, long gasUsed,
      Instant at) implements Event {}

  /** The block of the confirmation left the canonical chain before the depth was reached. */
  public record EvmReorganised(String blockHash, Instant at) implements Event {}

  /** An EVM deployment's chain state. */
  public record EvmTx(String txHash, String rawTx, long nonce, String signer, long gasLimit, long maxFeePerGas,
      long maxPriorityFeePerGas, List<String> txHashes, Instant sentAt, String minedTxHash, String contractAddress,
      Long blockNumber, String blockHash, Long gasUsed) implements CborSerializable {

    EvmTx replaced(EvmReplaced e) {
      List<String> all = new java.util.ArrayList<>(txHashes);
      all.add(e.txHash());
      return new EvmTx(e.txHash(), e.rawTx(), nonce, signer, gasLimit, e.maxFeePerGas(), e.maxPriorityFeePerGas(),
          List.copyOf(all), e.at(), null, null, null, null, null);
    }

    EvmTx confirmed(EvmConfirmed e) {
      return new EvmTx(txHash, rawTx, nonce, signer, gasLimit, maxFeePerGas, maxPriorityFeePerGas, txHashes, sentAt,
          e.txHash(), e.contractAddress(), e.blockNumber(), e.blockHash(), e.gasUsed());
    }

    EvmTx reorganised(Instant at) {
      return new EvmTx(txHash, rawTx, nonce, signer, gasLimit, maxFeePerGas, maxPriorityFeePerGas, txHashes, at,
          null, null, null, null, null);
    }
  }

  // ---- state ----

  /** The deployment's state; fields are null until the step that sets them. */
  public record State(
      Status status, String owner, String displayName, String network, String txId, byte[] signedBytes,
      long lastValid, Long appId, String appAddress, Long confirmedRound, String fundingTxId,
      byte[] fundingBytes, long fundingLastValid, String error, Instant createdAt, Instant updatedAt,
      EvmContract contract, EvmTx evm)
      implements CborSerializable {

    static final State EMPTY =
        new State(Status.NEW, null, null, null, null, null, 0, null, null, null, null, null, 0, null, null, null, null, null);

    /** Whether this is an EVM contract deployment. */
    boolean evmDeployment() {
      return contract != null;
    }

    State apply(Event event) {
      if (event instanceof Requested e) {
        return new State(Status.REQUESTED, e.owner(), e.displayName(), e.network(), null, null, 0, null, null, null,
            null, null, 0, null, e.at(), e.at(), e.contract(), null);
      } else if (event instanceof Submitted e) {
        return new State(Status.SUBMITTED, owner, displayName, network, e.txId(), e.signedBytes(), e.lastValid(),
            null, null, null, null, null, 0, null, createdAt, e.at(), contract, evm);
      } else if (event instanceof Expired e) {
        return new State(Status.REQUESTED, owner, displayName, network, null, null, 0, null, null, null, null, null,
            0, null, createdAt, e.at(), contract, evm);
      } else if (event instanceof Confirmed e) {
        return new State(Status.CONFIRMED, owner, displayName, network, txId, signedBytes, lastValid, e.appId(),
            e.appAddress(), e.round(), null, null, 0, null, createdAt, e.at(), contract, evm);
      } else if (event instanceof FundingSubmitted e) {
        return new State(Status.FUNDING, owner, displayName, network, txId, signedBytes, lastValid, appId,
            appAddress, confirmedRound, e.txId(), e.signedBytes(), e.lastValid(), null, createdAt, e.at(), contract, evm);
      } else if (event instanceof FundingExpired e) {
        return new State(Status.CONFIRMED, owner, displayName, network, txId, signedBytes, lastValid, appId,
            appAddress, confirmedRound, null, null, 0, null, createdAt, e.at(), contract, evm);
      } else if (event instanceof Activated e) {
        return new State(Status.ACTIVE, owner, displayName, network, txId, signedBytes, lastValid, appId,
            appAddress, confirmedRound, fundingTxId, fundingBytes, fundingLastValid, null, createdAt, e.at(), contract, evm);
      } else if (event instanceof Failed e) {
        return new State(Status.FAILED, owner, displayName, network, txId, signedBytes, lastValid, appId,
            appAddress, confirmedRound, fundingTxId, fundingBytes, fundingLastValid, e.reason(), createdAt, e.at(),
            contract, evm);
      } else if (event instanceof EvmSubmitted e) {
        EvmTx tx = new EvmTx(e.txHash(), e.rawTx(), e.nonce(), e.signer(), e.gasLimit(), e.maxFeePerGas(),
            e.maxPriorityFeePerGas(), List.of(e.txHash()), e.at(), null, null, null, null, null);
        return withEvm(Status.SUBMITTED, e.txHash(), tx, e.at());
      } else if (event instanceof EvmReplaced e) {
        return withEvm(Status.SUBMITTED, e.txHash(), evm.replaced(e), e.at());
      } else if (event instanceof EvmConfirmed e) {
        return withEvm(Status.CONFIRMED, e.txHash(), evm.confirmed(e), e.at());
      } else if (event instanceof EvmReorganised e) {
        return withEvm(Status.SUBMITTED, evm.txHash(), evm.reorganised(e.at()), e.at());
      }
      throw new IllegalArgumentException("unknown event " + event);
    }

    private State withEvm(Status next, String currentTx, EvmTx tx, Instant at) {
      return new State(next, owner, displayName, network, currentTx, null, 0, null, null, null, null, null, 0, null,
          createdAt, at, contract, tx);
    }

    Summary summary(String id, boolean created) {
      EvmView view = null;
      if (contract != null) {
        view = new EvmView(contract.jobId(), contract.contract(), contract.sourceHash(), initCodeHash(contract.initCode()),
            evm == null ? null : evm.nonce(), evm == null ? null : evm.signer(),
            evm == null ? null : evm.maxFeePerGas(), evm == null ? null : evm.maxPriorityFeePerGas(),
            evm == null ? List.of() : evm.txHashes(), evm == null ? null : evm.contractAddress(),
            evm == null ? null : evm.blockNumber(), evm == null ? null : evm.blockHash(), evm == null ? null : evm.gasUsed(),
            contract.kind());
      }
      return new Summary(id, owner, network, displayName, status, txId, appId, appAddress, confirmedRound,
          createdAt, updatedAt, error, created, view);
    }

    private static String initCodeHash(String initCode) {
      return org.web3j.crypto.Hash.sha3(initCode);
    }
  }

  // ---- behaviour ----

  private final String deploymentId;
  private final DeploymentChain chain;
  private final EvmDeploymentChain evm;
  private final DeploymentHooks hooks;
  private final RetrySettings retry;
  private final Clock clock;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final WalletNotifier wallets;
  private ActorRef<Topic.Command<Summary>> topic;
  /**
   * The EVM transaction this incarnation has handed to the node. A retry (the RPC was down for a
   * while) does not send it again: if the node lost it meanwhile, it was dropped and is replaced at
   * bumped fees. After a restart nothing is known and the saved bytes are sent again.
   */
  private String handedTxHash;
  /** One chain step at a time: a Proceed while a step is running is ignored. */
  private boolean stepRunning;
  private int failedAttempts;

  private DeploymentEntity(
      String deploymentId, DeploymentChain chain, EvmDeploymentChain evm, DeploymentHooks hooks, RetrySettings retry, Clock clock,
      ActorContext<Command> context, TimerScheduler<Command> timers, ActorRef<ClusterSharding.ShardCommand> shard,
      WalletNotifier wallets) {
    super(PersistenceId.of(ENTITY_KEY.name(), deploymentId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.deploymentId = deploymentId;
    this.chain = chain;
    this.evm = evm;
    this.hooks = hooks;
    this.retry = retry;
    this.clock = clock;
    this.context = context;
    this.timers = timers;
    this.shard = shard;
    this.wallets = wallets;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.status() != Status.NEW && !state.status().terminal()) {
            context.getLog().info("Deployment {} resumes in state {}", deploymentId, state.status());
            context.getSelf().tell(Proceed.INSTANCE);
          }
          if (state.status() == Status.ACTIVE && !state.evmDeployment()) tellWalletActive(state);
          if (state.status() == Status.ACTIVE && state.evmDeployment()) tellWalletTipJar(state);
        })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    builder.forState(state -> state.status() == Status.NEW)
        .onCommand(Request.class, this::onFirstRequest)
        .onCommand(RequestContract.class, this::onFirstContractRequest)
        .onCommand(Get.class, (state, cmd) -> {
          // Asked about an id nobody requested: answer, then leave the remembered set.
          if (shard != null) shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
          return Effect().reply(cmd.replyTo(), state.summary(deploymentId, false));
        })
        .onAnyCommand(cmd -> Effect().noReply());
    builder.forAnyState()
        .onCommand(Request.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.summary(deploymentId, false)))
        .onCommand(RequestContract.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.summary(deploymentId, false)))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.summary(deploymentId, false)))
        .onCommand(EvmSigned.class, this::onEvmSigned)
        .onCommand(EvmHanded.class, this::onEvmHanded)
        .onCommand(EvmSent.class, this::onEvmSent)
        .onCommand(EvmDepth.class, this::onEvmDepth)
        .onCommand(Proceed.class, this::onProceed)
        .onCommand(Signed.class, this::onSigned)
        .onCommand(ConfirmedOnChain.class, this::onConfirmedOnChain)
        .onCommand(ExpiredOnChain.class, this::onExpired)
        .onCommand(StepFailed.class, this::onStepFailed);
    return builder.build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  private ReplyEffect<Event, State> onFirstRequest(State state, Request cmd) {
    Requested requested = new Requested(deploymentId, cmd.owner(), cmd.displayName(), cmd.network(), clock.instant(), null);
    return Effect().persist(requested)
        .thenRun(next -> {
          publish(next);
          wallets.tell(next.owner(), new WalletEntity.DeploymentStarted(deploymentId, next.displayName()));
          context.getSelf().tell(Proceed.INSTANCE);
        })
        .thenReply(cmd.replyTo(), next -> next.summary(deploymentId, true));
  }

  private ReplyEffect<Event, State> onFirstContractRequest(State state, RequestContract cmd) {
    Requested requested = new Requested(deploymentId, cmd.owner(), cmd.contractName(), cmd.network(), clock.instant(),
        cmd.contract());
    return Effect().persist(requested)
        .thenRun(next -> {
          publish(next);
          context.getSelf().tell(Proceed.INSTANCE);
        })
        .thenReply(cmd.replyTo(), next -> next.summary(deploymentId, true));
  }

  /** Starts the chain step for the current state unless one is already running. */
  private ReplyEffect<Event, State> onProceed(State state, Proceed cmd) {
    if (stepRunning || state.status().terminal() || state.status() == Status.NEW) return Effect().noReply();
    if (state.evmDeployment()) return proceedEvm(state);
    stepRunning = true;
    switch (state.status()) {
      case REQUESTED -> run(hooks.reached(deploymentId, DeploymentHooks.Checkpoint.REQUESTED_PERSISTED)
          .thenCompose(ok -> chain.signCreate(deploymentId, state.owner(), state.displayName()))
          .thenApply(Signed::new));
      case SUBMITTED -> run(hooks.reached(deploymentId, DeploymentHooks.Checkpoint.SUBMITTED_PERSISTED)
          .thenCompose(ok -> chain.gateway().submit(state.signedBytes()))
          .thenCompose(txId -> hooks.reached(deploymentId, DeploymentHooks.Checkpoint.CHAIN_ACCEPTED))
          .thenCompose(ok -> awaitOrExpire(state.txId(), state.lastValid())));
      case CONFIRMED -> run(chain.signFunding(deploymentId, state.appAddress()).thenApply(Signed::new));
      case FUNDING -> run(chain.gateway().submit(state.fundingBytes())
          .thenCompose(txId -> awaitOrExpire(state.fundingTxId(), state.fundingLastValid())));
      default -> stepRunning = false;
    }
    return Effect().noReply();
  }

  /** The EVM step of the current state: sign, send and await a receipt, or watch the confirmation's depth. */
  private ReplyEffect<Event, State> proceedEvm(State state) {
    if (evm == null) {
      // A node without EVM networks cannot move it; another node (or this one restarted with them) will.
      context.getLog().warn("Deployment {} is an EVM deployment and this node has no EVM networks", deploymentId);
      return Effect().noReply();
    }
    stepRunning = true;
    EvmContract contract = state.contract();
    EvmTx tx = state.evm();
    switch (state.status()) {
      case REQUESTED -> run(hooks.reached(deploymentId, DeploymentHooks.Checkpoint.REQUESTED_PERSISTED)
          .thenCompose(ok -> evm.signCreate(deploymentId, state.network(), contract.initCode()))
          .thenApply(EvmSigned::new));
      case SUBMITTED -> {
        Duration waited = Duration.between(tx.sentAt(), clock.instant());
        Duration replaceIn = evm.replaceAfter(state.network()).minus(waited);
        if (tx.txHash().equals(handedTxHash)) {
          run(evm.awaitMined(state.network(), tx.rawTx(), tx.txHashes(), tx.nonce(), tx.signer(), replaceIn).thenApply(EvmSent::new));
        } else {
          run(hooks.reached(deploymentId, DeploymentHooks.Checkpoint.SUBMITTED_PERSISTED)
              .thenCompose(ok -> evm.send(state.network(), tx.rawTx(), tx.txHash(), tx.txHashes()))
              .thenApply(hash -> new EvmHanded(tx.txHash())));
        }
      }
      case CONFIRMED -> run(evm.awaitDepth(state.network(), tx.minedTxHash(), tx.blockNumber(), tx.blockHash())
          .thenApply(EvmDepth::new));
      default -> stepRunning = false;
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onEvmSigned(State state, EvmSigned signed) {
    stepRunning = false;
    failedAttempts = 0;
    EvmDeploymentChain.Signed tx = signed.tx();
    Instant now = clock.instant();
    Event event;
    if (state.status() == Status.REQUESTED) {
      event = new EvmSubmitted(tx.txHash(), tx.rawTx(), tx.nonce(), tx.signer(), tx.gasLimit(), tx.maxFeePerGas(),
          tx.maxPriorityFeePerGas(), now);
    } else if (state.status() == Status.SUBMITTED && state.evm() != null && tx.nonce() == state.evm().nonce()) {
      context.getLog().info("Deployment {}: transaction {} replaced by {} at nonce {} (max fee {} -> {} wei)",
          deploymentId, state.evm().txHash(), tx.txHash(), tx.nonce(), state.evm().maxFeePerGas(), tx.maxFeePerGas());
      event = new EvmReplaced(tx.txHash(), tx.rawTx(), tx.maxFeePerGas(), tx.maxPriorityFeePerGas(), now);
    } else {
      return Effect().noReply();
    }
    return Effect().persist(event).thenRun(this::publishAndProceed).thenNoReply();
  }

  private ReplyEffect<Event, State> onEvmHanded(State state, EvmHanded handed) {
    if (state.status() != Status.SUBMITTED || state.evm() == null || !handed.txHash().equals(state.evm().txHash())) {
      stepRunning = false;
      return Effect().noReply();
    }
    handedTxHash = handed.txHash();
    EvmTx tx = state.evm();
    Duration replaceIn = evm.replaceAfter(state.network()).minus(Duration.between(tx.sentAt(), clock.instant()));
    run(hooks.reached(deploymentId, DeploymentHooks.Checkpoint.CHAIN_ACCEPTED)
        .thenCompose(ok -> evm.awaitMined(state.network(), tx.rawTx(), tx.txHashes(), tx.nonce(), tx.signer(), replaceIn))
        .thenApply(EvmSent::new));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onEvmSent(State state, EvmSent sent) {
    stepRunning = false;
    failedAttempts = 0;
    if (state.status() != Status.SUBMITTED) return Effect().noReply();
    Instant now = clock.instant();
    EvmDeploymentChain.Sent outcome = sent.outcome();
    if (outcome instanceof EvmDeploymentChain.Mined mined) {
      var receipt = mined.receipt();
      if (!receipt.succeeded() || receipt.contractAddress() == null) {
        return Effect().persist(new Failed("the contract creation " + receipt.txHash() + " reverted in block "
                + receipt.blockNumber(), false, now)).thenRun(this::publish).thenNoReply();
      }
      return Effect().persist(new EvmConfirmed(receipt.txHash(), org.web3j.crypto.Keys.toChecksumAddress(receipt.contractAddress()),
              receipt.blockNumber(), receipt.blockHash(), receipt.gasUsed().longValueExact(), now))
          .thenRun(this::publishAndProceed).thenNoReply();
    }
    if (outcome instanceof EvmDeploymentChain.NonceTaken taken) {
      return Effect().persist(new Failed("nonce " + state.evm().nonce() + " of " + state.evm().signer()
              + " was used by a transaction that is not this deployment's (the account's mined nonce is " + taken.minedNonce()
              + ")", false, now)).thenRun(this::publish).thenNoReply();
    }
    // Not mined in time, or dropped from the node's pool: sign the same creation at the same nonce with bumped fees.
    if (outcome instanceof EvmDeploymentChain.Dropped) {
      context.getLog().warn("Deployment {}: transaction {} was dropped from the node's pool (nonce {} unused); replacing it",
          deploymentId, state.evm().txHash(), state.evm().nonce());
    } else {
      context.getLog().info("Deployment {}: transaction {} not mined after {}; replacing it", deploymentId, state.evm().txHash(),
          evm.replaceAfter(state.network()));
    }
    stepRunning = true;
    EvmTx tx = state.evm();
    run(evm.signReplacement(deploymentId, state.network(), state.contract().initCode(), tx.nonce(), tx.gasLimit(),
        tx.maxFeePerGas(), tx.maxPriorityFeePerGas()).thenApply(EvmSigned::new));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onEvmDepth(State state, EvmDepth depth) {
    stepRunning = false;
    failedAttempts = 0;
    if (state.status() != Status.CONFIRMED) return Effect().noReply();
    Instant now = clock.instant();
    if (depth.depth() == EvmDeploymentChain.Depth.REORGANISED) {
      handedTxHash = null; // the node must be given it again
      context.getLog().warn("Deployment {}: block {} ({}) left the chain; back to submitted, resending {}",
          deploymentId, state.evm().blockNumber(), state.evm().blockHash(), state.evm().txHash());
      return Effect().persist(new EvmReorganised(state.evm().blockHash(), now)).thenRun(this::publishAndProceed).thenNoReply();
    }
    return Effect().persist(new Activated(state.evm().minedTxHash(), state.evm().blockNumber(), now))
        .thenRun(next -> {
          publish(next);
          tellWalletTipJar(next);
          context.getLog().info("Deployment {} is active: contract {} at {} on {}", deploymentId,
              next.contract().contract(), next.evm().contractAddress(), next.network());
        })
        .thenNoReply();
  }

  private CompletionStage<Command> awaitOrExpire(String txId, long lastValid) {
    return chain.gateway().awaitConfirmation(txId, lastValid)
        .<Command>thenApply(c -> new ConfirmedOnChain(c.txId(), c.round(), c.applicationId()))
        .exceptionallyCompose(failure -> {
          if (cause(failure) instanceof ChainException chainFailure && chainFailure.kind() == ChainException.Kind.EXPIRED) {
            // The follower may have missed it: ask once more before rebuilding.
            return chain.gateway().lookup(txId).thenApply(found -> found
                .<Command>map(c -> new ConfirmedOnChain(c.txId(), c.round(), c.applicationId()))
                .orElse(new ExpiredOnChain(txId)));
          }
          return java.util.concurrent.CompletableFuture.failedFuture(failure);
        });
  }

  private void run(CompletionStage<? extends Command> step) {
    context.pipeToSelf(step, (result, failure) -> {
      if (failure == null) return result;
      Throwable why = cause(failure);
      // Only the chain's own unavailability is worth waiting for; an overlapping lease means an
      // earlier transaction of this deployment may still confirm, so wait for it too. Anything
      // else (a rejected transaction, bad input) would fail the same way again.
      boolean retryable = why instanceof ChainException chainFailure
          && (chainFailure.retryable() || String.valueOf(chainFailure.getMessage()).contains("overlapping lease"))
          // an ask to the signer's nonce manager that timed out (its shard moving, the journal slow)
          || why instanceof java.util.concurrent.TimeoutException
          // a multisig proposal the co-signers did not sign in its window: propose anew
          || why instanceof io.mintline.deploy.keys.Cosigning.ProposalExpiredException;
      return new StepFailed(why.getMessage() == null ? why.getClass().getSimpleName() : why.getMessage(), retryable);
    });
  }

  private ReplyEffect<Event, State> onSigned(State state, Signed signed) {
    stepRunning = false;
    failedAttempts = 0;
    DeploymentChain.SignedTx tx = signed.tx();
    Event event = switch (state.status()) {
      case REQUESTED -> new Submitted(tx.txId(), tx.signedBytes(), tx.lease(), tx.lastValid(), clock.instant());
      case CONFIRMED -> new FundingSubmitted(tx.txId(), tx.signedBytes(), tx.lastValid(), clock.instant());
      default -> null;
    };
    if (event == null) return Effect().noReply();
    return Effect().persist(event).thenRun(this::publishAndProceed).thenNoReply();
  }

  private ReplyEffect<Event, State> onConfirmedOnChain(State state, ConfirmedOnChain confirmed) {
    stepRunning = false;
    failedAttempts = 0;
    Instant now = clock.instant();
    if (state.status() == Status.SUBMITTED && confirmed.txId().equals(state.txId())) {
      if (confirmed.appId() == null) {
        return Effect().persist(new Failed("confirmed transaction created no application", false, now))
            .thenRun(this::publish).thenNoReply();
      }
      long appId = confirmed.appId();
      return Effect().persist(new Confirmed(appId, chain.applicationAddress(appId), confirmed.round(), now))
          .thenRun(this::publishAndProceed).thenNoReply();
    }
    if (state.status() == Status.FUNDING && confirmed.txId().equals(state.fundingTxId())) {
      return Effect().persist(new Activated(confirmed.txId(), confirmed.round(), now))
          .thenRun(next -> {
            publish(next);
            tellWalletActive(next);
            context.getLog().info("Deployment {} is active: app {} at {}", deploymentId, next.appId(), next.appAddress());
          })
          .thenNoReply();
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onExpired(State state, ExpiredOnChain expired) {
    stepRunning = false;
    Instant now = clock.instant();
    context.getLog().warn("Deployment {}: transaction {} expired unconfirmed; rebuilding with the same lease",
        deploymentId, expired.txId());
    if (state.status() == Status.SUBMITTED) {
      return Effect().persist(new Expired(expired.txId(), now)).thenRun(this::publishAndProceed).thenNoReply();
    }
    if (state.status() == Status.FUNDING) {
      return Effect().persist(new FundingExpired(expired.txId(), now)).thenRun(this::publishAndProceed).thenNoReply();
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onStepFailed(State state, StepFailed failed) {
    stepRunning = false;
    if (!failed.retryable()) {
      context.getLog().error("Deployment {} failed: {}", deploymentId, failed.reason());
      return Effect().persist(new Failed(failed.reason(), false, clock.instant()))
          .thenRun(next -> {
            publish(next);
            releaseNonce(next);
          })
          .thenNoReply();
    }
    failedAttempts++;
    Duration delay = backoff(failedAttempts);
    context.getLog().warn("Deployment {} ({}): {}; retry {} in {} ms",
        deploymentId, state.status().wire(), failed.reason(), failedAttempts, delay.toMillis());
    timers.startSingleTimer(Proceed.INSTANCE, delay);
    return Effect().noReply();
  }

  /**
   * An EVM deployment that failed for good before its transaction was mined gives its nonce back
   * (when the chain shows it unused), so the signer's later transactions do not wait behind it.
   */
  private void releaseNonce(State state) {
    if (!state.evmDeployment() || evm == null) return;
    EvmTx tx = state.evm();
    String id = deploymentId;
    evm.releaseIfUnused(id, state.network(), tx == null ? List.of() : tx.txHashes(), tx == null ? Long.MAX_VALUE : tx.nonce())
        .whenComplete((nonce, failure) -> {
          if (failure != null) {
            org.slf4j.LoggerFactory.getLogger(DeploymentEntity.class)
                .warn("Deployment {}: its nonce could not be given back ({}); a later deployment may wait behind it", id,
                    failure.getMessage());
          }
        });
  }

  private Duration backoff(int attempt) {
    long min = retry.minBackoff().toMillis();
    long capped = Math.min(retry.maxBackoff().toMillis(), min << Math.min(attempt - 1, 20));
    long jitter = (long) (capped * 0.2 * ThreadLocalRandom.current().nextDouble());
    return Duration.ofMillis(capped + jitter);
  }

  private void publishAndProceed(State state) {
    publish(state);
    context.getSelf().tell(Proceed.INSTANCE);
  }

  private void publish(State state) {
    if (topic == null) topic = context.spawn(Topic.create(Summary.class, topicName(deploymentId)), "updates");
    topic.tell(Topic.publish(state.summary(deploymentId, false)));
  }

  private void tellWalletActive(State state) {
    wallets.tell(state.owner(),
        new WalletEntity.CreatorActivated(deploymentId, state.appId(), state.appAddress(), state.displayName()));
  }

  /** An active tip jar makes its owner a creator on its network (idempotent in the wallet). */
  private void tellWalletTipJar(State state) {
    if (!EvmContract.TIP_JAR.equals(state.contract().purpose())) return;
    String payee = state.contract().payee() == null ? state.owner() : state.contract().payee();
    wallets.tell(state.owner(), new WalletEntity.TipJarActivated(deploymentId, state.network(), state.evm().contractAddress(),
        state.evm().blockNumber(), state.displayName(), payee));
  }

  private static Throwable cause(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }
}
