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
 * persisting anything. Events are tagged {@code wallet-<slice>} for the read-side projections.
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

  /** Asks for the wallet's summary; persists nothing. */
  public record GetWallet(ActorRef<Summary> replyTo) implements Command {}

  /** What a wallet looks like from outside. {@code known} is false for a wallet never seen. */
  public record Summary(String address, boolean known, Instant firstSeen, Instant lastSeen, long timesSeen)
      implements CborSerializable {}

  // ---- events ----

  /** Everything a wallet persists. */
  public interface Event extends CborSerializable {}

  /** The wallet was seen at {@code at} through {@code via}. */
  public record Seen(String address, Instant at, String via) implements Event {}

  // ---- state ----

  /** The wallet's state; {@code firstSeen} is null until the first {@link Seen}. */
  public record State(Instant firstSeen, Instant lastSeen, long timesSeen) implements CborSerializable {
    static final State EMPTY = new State(null, null, 0);

    State seen(Instant at) {
      return new State(firstSeen == null ? at : firstSeen, at, timesSeen + 1);
    }

    Summary summary(String address) {
      return new Summary(address, firstSeen != null, firstSeen, lastSeen, timesSeen);
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
        .build();
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
