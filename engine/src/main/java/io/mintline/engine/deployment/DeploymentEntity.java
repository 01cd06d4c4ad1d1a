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
    ClusterSharding.get(system).init(
        Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), chain, hooks, retry, Clock.systemUTC(),
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
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new DeploymentEntity(deploymentId, chain, hooks, retry, clock, context, timers, shard, wallets)));
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

  /** Asks for the current summary. */
  public record Get(ActorRef<Summary> replyTo) implements Command {}

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

  /** What callers see of a deployment. {@code created} is true only on the request that created it. */
  public record Summary(
      String id, String owner, String network, String displayName, Status status, String txId, Long appId,
      String appAddress, Long confirmedRound, Instant createdAt, Instant updatedAt, String error, boolean created)
      implements CborSerializable {}

  // ---- events ----

  /** Everything a deployment persists; tagged {@link #TAG}. */
  public interface Event extends CborSerializable {}

  public record Requested(String deploymentId, String owner, String displayName, String network, Instant at)
      implements Event {}

  public record Submitted(String txId, byte[] signedBytes, byte[] lease, long lastValid, Instant at) implements Event {}

  /** The create transaction's lastValid passed and the chain does not have it: rebuild. */
  public record Expired(String txId, Instant at) implements Event {}

  public record Confirmed(long appId, String appAddress, long round, Instant at) implements Event {}

  public record FundingSubmitted(String txId, byte[] signedBytes, long lastValid, Instant at) implements Event {}

  /** The funding payment's lastValid passed and the chain does not have it: rebuild. */
  public record FundingExpired(String txId, Instant at) implements Event {}

  public record Activated(String fundingTxId, long round, Instant at) implements Event {}

  public record Failed(String reason, boolean retryable, Instant at) implements Event {}

  // ---- state ----

  /** The deployment's state; fields are null until the step that sets them. */
  public record State(
      Status status, String owner, String displayName, String network, String txId, byte[] signedBytes,
      long lastValid, Long appId, String appAddress, Long confirmedRound, String fundingTxId,
      byte[] fundingBytes, long fundingLastValid, String error, Instant createdAt, Instant updatedAt)
      implements CborSerializable {

    static final State EMPTY =
        new State(Status.NEW, null, null, null, null, null, 0, null, null, null, null, null, 0, null, null, null);

    State apply(Event event) {
      if (event instanceof Requested e) {
        return new State(Status.REQUESTED, e.owner(), e.displayName(), e.network(), null, null, 0, null, null, null,
            null, null, 0, null, e.at(), e.at());
      } else if (event instanceof Submitted e) {
        return new State(Status.SUBMITTED, owner, displayName, network, e.txId(), e.signedBytes(), e.lastValid(),
            null, null, null, null, null, 0, null, createdAt, e.at());
      } else if (event instanceof Expired e) {
        return new State(Status.REQUESTED, owner, displayName, network, null, null, 0, null, null, null, null, null,
            0, null, createdAt, e.at());
      } else if (event instanceof Confirmed e) {
        return new State(Status.CONFIRMED, owner, displayName, network, txId, signedBytes, lastValid, e.appId(),
            e.appAddress(), e.round(), null, null, 0, null, createdAt, e.at());
      } else if (event instanceof FundingSubmitted e) {
        return new State(Status.FUNDING, owner, displayName, network, txId, signedBytes, lastValid, appId,
            appAddress, confirmedRound, e.txId(), e.signedBytes(), e.lastValid(), null, createdAt, e.at());
      } else if (event instanceof FundingExpired e) {
        return new State(Status.CONFIRMED, owner, displayName, network, txId, signedBytes, lastValid, appId,
            appAddress, confirmedRound, null, null, 0, null, createdAt, e.at());
      } else if (event instanceof Activated e) {
        return new State(Status.ACTIVE, owner, displayName, network, txId, signedBytes, lastValid, appId,
            appAddress, confirmedRound, fundingTxId, fundingBytes, fundingLastValid, null, createdAt, e.at());
      } else if (event instanceof Failed e) {
        return new State(Status.FAILED, owner, displayName, network, txId, signedBytes, lastValid, appId,
            appAddress, confirmedRound, fundingTxId, fundingBytes, fundingLastValid, e.reason(), createdAt, e.at());
      }
      throw new IllegalArgumentException("unknown event " + event);
    }

    Summary summary(String id, boolean created) {
      return new Summary(id, owner, network, displayName, status, txId, appId, appAddress, confirmedRound,
          createdAt, updatedAt, error, created);
    }
  }

  // ---- behaviour ----

  private final String deploymentId;
  private final DeploymentChain chain;
  private final DeploymentHooks hooks;
  private final RetrySettings retry;
  private final Clock clock;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final WalletNotifier wallets;
  private ActorRef<Topic.Command<Summary>> topic;
  /** One chain step at a time: a Proceed while a step is running is ignored. */
  private boolean stepRunning;
  private int failedAttempts;

  private DeploymentEntity(
      String deploymentId, DeploymentChain chain, DeploymentHooks hooks, RetrySettings retry, Clock clock,
      ActorContext<Command> context, TimerScheduler<Command> timers, ActorRef<ClusterSharding.ShardCommand> shard,
      WalletNotifier wallets) {
    super(PersistenceId.of(ENTITY_KEY.name(), deploymentId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.deploymentId = deploymentId;
    this.chain = chain;
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
          if (state.status() == Status.ACTIVE) tellWalletActive(state);
        })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    builder.forState(state -> state.status() == Status.NEW)
        .onCommand(Request.class, this::onFirstRequest)
        .onCommand(Get.class, (state, cmd) -> {
          // Asked about an id nobody requested: answer, then leave the remembered set.
          if (shard != null) shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
          return Effect().reply(cmd.replyTo(), state.summary(deploymentId, false));
        })
        .onAnyCommand(cmd -> Effect().noReply());
    builder.forAnyState()
        .onCommand(Request.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.summary(deploymentId, false)))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.summary(deploymentId, false)))
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
    Requested requested = new Requested(deploymentId, cmd.owner(), cmd.displayName(), cmd.network(), clock.instant());
    return Effect().persist(requested)
        .thenRun(next -> {
          publish(next);
          wallets.tell(next.owner(), new WalletEntity.DeploymentStarted(deploymentId, next.displayName()));
          context.getSelf().tell(Proceed.INSTANCE);
        })
        .thenReply(cmd.replyTo(), next -> next.summary(deploymentId, true));
  }

  /** Starts the chain step for the current state unless one is already running. */
  private ReplyEffect<Event, State> onProceed(State state, Proceed cmd) {
    if (stepRunning || state.status().terminal() || state.status() == Status.NEW) return Effect().noReply();
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
          && (chainFailure.retryable() || String.valueOf(chainFailure.getMessage()).contains("overlapping lease"));
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
      return Effect().persist(new Failed(failed.reason(), false, clock.instant())).thenRun(this::publish).thenNoReply();
    }
    failedAttempts++;
    Duration delay = backoff(failedAttempts);
    context.getLog().warn("Deployment {} ({}): {}; retry {} in {} ms",
        deploymentId, state.status().wire(), failed.reason(), failedAttempts, delay.toMillis());
    timers.startSingleTimer(Proceed.INSTANCE, delay);
    return Effect().noReply();
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

  private static Throwable cause(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }
}
