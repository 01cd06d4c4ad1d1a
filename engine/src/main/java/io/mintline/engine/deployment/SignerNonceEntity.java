package io.mintline.engine.deployment;

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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The nonces of one EVM signer on one network (entity id {@code <network>~<address>}: sharding reserves the bar): one writer
 * per signer across the cluster, so concurrent deployments never share or skip a nonce.
 *
 * <p>{@link Reserve} is idempotent per deployment: the deployment that asks again (after a crash
 * before its {@code Submitted} was persisted) gets the nonce it was given. A new nonce is the larger
 * of the next one this entity would give and the chain's {@code eth_getTransactionCount(pending)}
 * the caller read just before: that re-syncs after a lost journal or a transaction sent by another
 * tool, and never leaves a gap, because the chain's count is by definition the next free nonce.
 * Persists {@link Reserved}; snapshots keep recovery short.
 */
public final class SignerNonceEntity
    extends EventSourcedBehaviorWithEnforcedReplies<SignerNonceEntity.Command, SignerNonceEntity.Event, SignerNonceEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "SignerNonce");
  /** Reservations remembered for idempotency; older deployments have long since persisted theirs. */
  static final int REMEMBERED = 10_000;

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId())));
  }

  public static Behavior<Command> create(String entityId) {
    return new SignerNonceEntity(entityId);
  }

  public static String entityId(String network, String address) {
    return network + "~" + address.toLowerCase(java.util.Locale.ROOT);
  }

  /** Any message to the nonce manager. */
  public interface Command extends CborSerializable {}

  /** Asks for the nonce of {@code deploymentId}; {@code chainPending} is the chain's pending count read just before. */
  public record Reserve(String deploymentId, long chainPending, ActorRef<Reservation> replyTo) implements Command {}

  /** The nonce a deployment signs with. */
  public record Reservation(String deploymentId, long nonce) implements CborSerializable {}

  /** Everything the nonce manager persists. */
  public interface Event extends CborSerializable {}

  public record Reserved(String deploymentId, long nonce) implements Event {}

  /** The next nonce to give and the recent reservations. */
  public record State(long next, LinkedHashMap<String, Long> reserved) implements CborSerializable {
    State apply(Reserved e) {
      LinkedHashMap<String, Long> copy = new LinkedHashMap<>(reserved);
      copy.put(e.deploymentId(), e.nonce());
      while (copy.size() > REMEMBERED) copy.remove(copy.keySet().iterator().next());
      return new State(Math.max(next, e.nonce() + 1), copy);
    }
  }

  private SignerNonceEntity(String entityId) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
  }

  @Override
  public State emptyState() {
    return new State(0, new LinkedHashMap<>());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(500, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState().onCommand(Reserve.class, this::onReserve).build();
  }

  private ReplyEffect<Event, State> onReserve(State state, Reserve cmd) {
    Long given = state.reserved().get(cmd.deploymentId());
    if (given != null) return Effect().reply(cmd.replyTo(), new Reservation(cmd.deploymentId(), given));
    long nonce = Math.max(state.next(), cmd.chainPending());
    return Effect().persist(new Reserved(cmd.deploymentId(), nonce))
        .thenReply(cmd.replyTo(), next -> new Reservation(cmd.deploymentId(), nonce));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Reserved.class, State::apply).build();
  }

  /** For tests: the reservations as a plain map. */
  static Map<String, Long> reservations(State state) {
    return state.reserved();
  }
}
