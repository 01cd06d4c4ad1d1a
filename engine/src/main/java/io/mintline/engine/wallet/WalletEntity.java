package io.mintline.engine.wallet;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import io.mintline.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * One wallet (Algorand or EVM address), sharded by its canonical address and event-sourced.
 *
 * <p>Protocol: {@link MarkSeen} records that the wallet showed up (a login, a tip sent or received)
 * and persists {@link Seen}; {@link GetWallet} answers the current {@link Summary} without
 * persisting anything. A deployment tells its owner {@link DeploymentStarted} and, once its TipProxy
 * is live, {@link CreatorActivated}: the wallet becomes a creator with that app. Both are
 * idempotent (a deployment repeats them after a crash). The chain listener delivers each tip to the
 * fan's wallet (sent) and the creator's (received) with {@link RecordTip}; the wallet persists
 * {@link TipRecorded} once per txid and direction and acknowledges only after persisting (a repeat
 * is acknowledged without persisting). Events are tagged {@code wallet-<slice>} for the read-side
 * projections.
 */
public final class WalletEntity
    extends EventSourcedBehaviorWithEnforcedReplies<WalletEntity.Command, WalletEntity.Event, WalletEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Wallet");

  /** Number of tag slices, so projections can read the wallet events in parallel. */
  public static final int TAG_SLICES = 4;

  /** Registers the wallet entity with cluster sharding on this node. */
  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), Clock.systemUTC())));
  }

  public static String tagFor(String address) {
    return "wallet-" + Math.floorMod(address.hashCode(), TAG_SLICES);
  }

  public static Behavior<Command> create(String address, Clock clock) {
    return new WalletEntity(address, clock);
  }

  // ---- protocol ----

  /** Any message to a wallet. */
  public interface Command extends CborSerializable {}

  /** Records that the wallet was seen through {@code via} (e.g. "login", "tip"); replies the summary. */
  public record MarkSeen(String via, ActorRef<Summary> replyTo) implements Command {}

  /** A deployment of this wallet's TipProxy started (told by the deployment; idempotent). */
  public record DeploymentStarted(String deploymentId, String displayName) implements Command {}

  /** This wallet's TipProxy is live: the wallet is a creator (told by the deployment; idempotent). */
  public record CreatorActivated(String deploymentId, long appId, String appAddress, String displayName)
      implements Command {}

  /**
   * Records {@code tip} on this wallet's {@code direction} side, once per txid; replies after the
   * event is persisted (or at once for a tip already recorded).
   */
  public record RecordTip(TipReceived tip, TipReceived.Direction direction, boolean belowMinimum, ActorRef<TipAck> replyTo)
      implements Command {}

  /** A tip is recorded on this wallet ({@code duplicate}: it already was). */
  public record TipAck(String tipTxId, TipReceived.Direction direction, boolean duplicate) implements CborSerializable {}

  /** Asks for the wallet's summary; persists nothing. */
  public record GetWallet(ActorRef<Summary> replyTo) implements Command {}

  /** A wallet's role: every wallet is a fan; one with a live TipProxy is also a creator. */
  public enum Role {
    FAN,
    CREATOR
  }

  /** What a wallet looks like from outside. {@code known} is false for a wallet never seen. */
  public record Summary(
      String address, boolean known, Instant firstSeen, Instant lastSeen, long timesSeen, Role role,
      String displayName, String deploymentId, Long appId, String appAddress)
      implements CborSerializable {}

  // ---- events ----

  /** Everything a wallet persists. */
  public interface Event extends CborSerializable {}

  /** The wallet was seen at {@code at} through {@code via}. */
  public record Seen(String address, Instant at, String via) implements Event {}

  /** A deployment for this wallet started. */
  public record CreatorRequested(String address, String deploymentId, String displayName, Instant at) implements Event {}

  /** The wallet became a creator with TipProxy {@code appId}. */
  public record BecameCreator(String address, String deploymentId, long appId, String appAddress, String displayName, Instant at)
      implements Event {}

  /**
   * A tip this wallet sent or received; {@code belowMinimum} tips are recorded but earn nothing.
   * {@code counterparty} is the creator for a sent tip and the fan for a received one.
   */
  public record TipRecorded(String address, String tipTxId, TipReceived.Direction direction, long round, byte[] blockSeed,
      String fan, String creator, long amount, boolean belowMinimum, Instant at) implements Event {}

  // ---- state ----

  /** The wallet's state; {@code firstSeen} is null until the wallet is first seen. */
  public record State(
      Instant firstSeen, Instant lastSeen, long timesSeen, Role role, String displayName, String deploymentId,
      Long appId, String appAddress, Set<String> tipKeys) implements CborSerializable {
    static final State EMPTY = new State(null, null, 0, Role.FAN, null, null, null, null, Set.of());

    State seen(Instant at) {
      return new State(firstSeen == null ? at : firstSeen, at, timesSeen + 1, role, displayName, deploymentId, appId, appAddress,
          tipKeys);
    }

    State creatorRequested(CreatorRequested e) {
      return new State(firstSeen == null ? e.at() : firstSeen, lastSeen == null ? e.at() : lastSeen, timesSeen, role,
          e.displayName(), e.deploymentId(), appId, appAddress, tipKeys);
    }

    State becameCreator(BecameCreator e) {
      return new State(firstSeen == null ? e.at() : firstSeen, lastSeen == null ? e.at() : lastSeen, timesSeen,
          Role.CREATOR, e.displayName(), e.deploymentId(), e.appId(), e.appAddress(), tipKeys);
    }

    boolean hasTip(String tipTxId, TipReceived.Direction direction) {
      return tipKeys.contains(tipKey(tipTxId, direction));
    }

    State tipRecorded(TipRecorded e) {
      // Grown in place once owned (copying per tip would be quadratic for a busy creator); only the
      // entity's own state holds this set, and the shared EMPTY one is copied first.
      Set<String> keys = tipKeys instanceof java.util.HashSet<String> owned ? owned : new java.util.HashSet<>(tipKeys);
      keys.add(tipKey(e.tipTxId(), e.direction()));
      return new State(firstSeen == null ? e.at() : firstSeen, lastSeen == null ? e.at() : lastSeen, timesSeen, role,
          displayName, deploymentId, appId, appAddress, keys);
    }

    private static String tipKey(String tipTxId, TipReceived.Direction direction) {
      return direction == TipReceived.Direction.SENT ? "s:" + tipTxId : "r:" + tipTxId;
    }

    Summary summary(String address) {
      return new Summary(address, firstSeen != null, firstSeen, lastSeen, timesSeen, role, displayName, deploymentId,
          appId, appAddress);
    }
  }

  private final String address;
  private final Clock clock;

  private WalletEntity(String address, Clock clock) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), address),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.address = address;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(MarkSeen.class, this::onMarkSeen)
        .onCommand(GetWallet.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.summary(address)))
        .onCommand(DeploymentStarted.class, this::onDeploymentStarted)
        .onCommand(CreatorActivated.class, this::onCreatorActivated)
        .onCommand(RecordTip.class, this::onRecordTip)
        .build();
  }

  private ReplyEffect<Event, State> onDeploymentStarted(State state, DeploymentStarted cmd) {
    if (cmd.deploymentId().equals(state.deploymentId()) || state.role() == Role.CREATOR) return Effect().noReply();
    return Effect().persist(new CreatorRequested(address, cmd.deploymentId(), cmd.displayName(), clock.instant())).thenNoReply();
  }

  private ReplyEffect<Event, State> onCreatorActivated(State state, CreatorActivated cmd) {
    if (state.role() == Role.CREATOR && cmd.appId() == state.appId()) return Effect().noReply();
    return Effect()
        .persist(new BecameCreator(address, cmd.deploymentId(), cmd.appId(), cmd.appAddress(), cmd.displayName(), clock.instant()))
        .thenNoReply();
  }

  /**
   * Tip handling, kept apart from the rest of the protocol: minting hooks in here (a received tip on
   * the fan's side is what earns a sticker).
   */
  private ReplyEffect<Event, State> onRecordTip(State state, RecordTip cmd) {
    TipReceived tip = cmd.tip();
    if (state.hasTip(tip.tipTxId(), cmd.direction())) {
      return Effect().reply(cmd.replyTo(), new TipAck(tip.tipTxId(), cmd.direction(), true));
    }
    TipRecorded event = new TipRecorded(address, tip.tipTxId(), cmd.direction(), tip.round(), tip.blockSeed(), tip.fan(),
        tip.creator(), tip.amount(), cmd.belowMinimum(), clock.instant());
    return Effect().persist(event).thenReply(cmd.replyTo(), next -> new TipAck(tip.tipTxId(), cmd.direction(), false));
  }

  private ReplyEffect<Event, State> onMarkSeen(State state, MarkSeen cmd) {
    return Effect()
        .persist(new Seen(address, clock.instant(), cmd.via()))
        .thenReply(cmd.replyTo(), next -> next.summary(address));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Seen.class, (state, event) -> state.seen(event.at()))
        .onEvent(CreatorRequested.class, State::creatorRequested)
        .onEvent(BecameCreator.class, State::becameCreator)
        .onEvent(TipRecorded.class, State::tipRecorded)
        .build();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(tagFor(address));
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
