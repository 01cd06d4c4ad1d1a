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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The nonces of one EVM signer on one network (entity id {@code <network>~<address>}: sharding reserves the bar): one writer
 * per signer across the cluster, so concurrent deployments never share or skip a nonce.
 *
 * <p>{@link Reserve} is idempotent per deployment: the deployment that asks again (after a crash
 * before its {@code Submitted} was persisted) gets the nonce it was given. A new nonce is, first, a
 * nonce given back ({@link Release}) that the chain has not used yet (at or above the chain's mined
 * count), else the larger of the next one this entity would give and the chain's
 * {@code eth_getTransactionCount(pending)} the caller read just before: that re-syncs after a lost
 * journal or a transaction sent by another tool.
 *
 * <p>Gaps: a deployment that fails for good before any transaction of its nonce reached the chain
 * gives the nonce back ({@link Release}). The next deployment takes it; a deployment already
 * waiting behind it (its own nonce above the chain's mined count) asks for the gaps below its nonce
 * ({@link FillGaps}) and fills each with a no-op transaction, so later transactions are never
 * stuck. A gap handed out is handed again only after {@code lease} (its filler may have been lost).
 * Persists {@link Reserved}, {@link NonceReleased} and {@link GapHanded}; snapshots keep recovery
 * short.
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

  /**
   * Asks for the nonce of {@code deploymentId}; {@code chainMined} and {@code chainPending} are the
   * chain's mined and pending counts read just before ({@code chainMined} -1: not known, then no
   * given-back nonce is reused).
   */
  public record Reserve(String deploymentId, long chainMined, long chainPending, ActorRef<Reservation> replyTo)
      implements Command {
    public Reserve(String deploymentId, long chainPending, ActorRef<Reservation> replyTo) {
      this(deploymentId, -1, chainPending, replyTo);
    }
  }

  /**
   * Gives back the nonce of {@code deploymentId}, which failed for good with no transaction of that
   * nonce on the chain; answers the nonce given back, or -1 when it held none.
   */
  public record Release(String deploymentId, ActorRef<Reservation> replyTo) implements Command {}

  /** Asks for the nonce reserved under {@code deploymentId}, without reserving one: answers -1 when none is. */
  public record Held(String deploymentId, ActorRef<Reservation> replyTo) implements Command {}

  /**
   * Asks for the given-back nonces from {@code chainMined} up to (not including) {@code below}, for
   * the caller to fill; each is handed to one caller per {@code lease}.
   */
  public record FillGaps(long chainMined, long below, Duration lease, ActorRef<Gaps> replyTo) implements Command {}

  /** The nonce a deployment signs with. */
  public record Reservation(String deploymentId, long nonce) implements CborSerializable {}

  /** Nonces to fill, lowest first. */
  public record Gaps(List<Long> nonces) implements CborSerializable {}

  /** Everything the nonce manager persists. */
  public interface Event extends CborSerializable {}

  public record Reserved(String deploymentId, long nonce) implements Event {}

  /** {@code deploymentId} gave {@code nonce} back unused. */
  public record NonceReleased(String deploymentId, long nonce) implements Event {}

  /** The gap at {@code nonce} was handed out to be filled at {@code atMillis}. */
  public record GapHanded(long nonce, long atMillis) implements Event {}

  /**
   * The next nonce to give, the recent reservations, the nonces given back and not taken again, and
   * the gaps handed out to be filled (nonce to when). Snapshots from before gaps were kept have
   * neither: they read as empty.
   */
  public record State(long next, LinkedHashMap<String, Long> reserved, TreeSet<Long> free, TreeMap<Long, Long> fills)
      implements CborSerializable {
    public State {
      if (reserved == null) reserved = new LinkedHashMap<>();
      if (free == null) free = new TreeSet<>();
      if (fills == null) fills = new TreeMap<>();
    }

    State apply(Reserved e) {
      LinkedHashMap<String, Long> copy = new LinkedHashMap<>(reserved);
      copy.put(e.deploymentId(), e.nonce());
      while (copy.size() > REMEMBERED) copy.remove(copy.keySet().iterator().next());
      TreeSet<Long> f = new TreeSet<>(free);
      f.remove(e.nonce());
      TreeMap<Long, Long> g = new TreeMap<>(fills);
      g.remove(e.nonce());
      return new State(Math.max(next, e.nonce() + 1), copy, f, g);
    }

    State apply(NonceReleased e) {
      LinkedHashMap<String, Long> copy = new LinkedHashMap<>(reserved);
      copy.remove(e.deploymentId());
      TreeSet<Long> f = new TreeSet<>(free);
      f.add(e.nonce());
      while (f.size() > REMEMBERED) f.pollFirst();
      return new State(next, copy, f, fills);
    }

    State apply(GapHanded e) {
      TreeSet<Long> f = new TreeSet<>(free);
      f.remove(e.nonce());
      TreeMap<Long, Long> g = new TreeMap<>(fills);
      g.put(e.nonce(), e.atMillis());
      while (g.size() > REMEMBERED) g.pollFirstEntry();
      return new State(next, reserved, f, g);
    }
  }

  private SignerNonceEntity(String entityId) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
  }

  @Override
  public State emptyState() {
    return new State(0, new LinkedHashMap<>(), new TreeSet<>(), new TreeMap<>());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(500, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Reserve.class, this::onReserve)
        .onCommand(Release.class, this::onRelease)
        .onCommand(Held.class, (state, cmd) -> Effect().reply(cmd.replyTo(),
            new Reservation(cmd.deploymentId(), state.reserved().getOrDefault(cmd.deploymentId(), -1L))))
        .onCommand(FillGaps.class, this::onFillGaps)
        .build();
  }

  private ReplyEffect<Event, State> onReserve(State state, Reserve cmd) {
    Long given = state.reserved().get(cmd.deploymentId());
    if (given != null) return Effect().reply(cmd.replyTo(), new Reservation(cmd.deploymentId(), given));
    // A nonce given back and still unused on the chain comes first: it is the gap later ones wait behind.
    Long reuse = cmd.chainMined() < 0 ? null : state.free().ceiling(cmd.chainMined());
    long nonce = reuse != null ? reuse : Math.max(state.next(), cmd.chainPending());
    return Effect().persist(new Reserved(cmd.deploymentId(), nonce))
        .thenReply(cmd.replyTo(), next -> new Reservation(cmd.deploymentId(), nonce));
  }

  private ReplyEffect<Event, State> onRelease(State state, Release cmd) {
    Long held = state.reserved().get(cmd.deploymentId());
    if (held == null) return Effect().reply(cmd.replyTo(), new Reservation(cmd.deploymentId(), -1));
    return Effect().persist(new NonceReleased(cmd.deploymentId(), held))
        .thenReply(cmd.replyTo(), next -> new Reservation(cmd.deploymentId(), held));
  }

  private ReplyEffect<Event, State> onFillGaps(State state, FillGaps cmd) {
    long now = System.currentTimeMillis();
    TreeSet<Long> gaps = new TreeSet<>();
    long from = Math.max(0, cmd.chainMined());
    if (from < cmd.below()) {
      gaps.addAll(state.free().subSet(from, cmd.below()));
      state.fills().subMap(from, cmd.below()).forEach((nonce, at) -> {
        if (at + cmd.lease().toMillis() <= now) gaps.add(nonce);
      });
    }
    if (gaps.isEmpty()) return Effect().reply(cmd.replyTo(), new Gaps(List.of()));
    List<Event> events = new ArrayList<>();
    gaps.forEach(n -> events.add(new GapHanded(n, now)));
    List<Long> nonces = List.copyOf(gaps);
    return Effect().persist(events).thenReply(cmd.replyTo(), next -> new Gaps(nonces));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Reserved.class, State::apply)
        .onEvent(NonceReleased.class, State::apply)
        .onEvent(GapHanded.class, State::apply)
        .build();
  }

  /** For tests: the reservations as a plain map. */
  static Map<String, Long> reservations(State state) {
    return state.reserved();
  }
}
