package io.mintline.http.auth;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.HashCodeMessageExtractor;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import io.mintline.serialization.CborSerializable;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The live login nonces of one address, sharded by the canonical address so that any node can
 * consume a nonce that another node issued. Not persistent: a nonce lost to a crash or rebalance
 * only means the wallet asks for a new one.
 *
 * <p>Protocol: {@link Issue} remembers a nonce with what it is bound to (domain, network, the hash
 * of the exact message); at most {@code maxLive} are kept, the oldest evicted. {@link Consume} takes
 * a nonce out atomically (the actor handles one message at a time) and answers a {@link Verdict};
 * whatever the verdict, the nonce cannot be used again. Sharding passivates the entity only after
 * it has been idle for longer than a nonce lives, when it holds nothing usable any more.
 */
public final class NonceEntity extends AbstractBehavior<NonceEntity.Command> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "LoginNonce");

  /** Registers the entity with cluster sharding on this node. */
  public static void init(ActorSystem<?> system, Duration ttl, int maxLive) {
    // Passivating sooner than a nonce lives would lose live nonces.
    ClusterShardingSettings defaults = ClusterShardingSettings.create(system);
    ClusterShardingSettings settings = defaults.withPassivationStrategy(
        defaults.passivationStrategySettings().withIdleEntityPassivation(ttl.plusSeconds(30)));
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, context -> create(maxLive)).withSettings(settings)
        .withMessageExtractor(new HashCodeMessageExtractor<>(SHARDS)));
  }

  /**
   * Shards of this entity type, fewer than Akka's default of 1,000. Every address is an entity, so
   * a crowd of new wallets touches a new shard with nearly every first nonce, and the first message
   * to a shard waits for the coordinator to allocate it; the coordinator allocates one shard at a
   * time and writes its whole state each time. With 1,000 shards, 1,000 wallets arriving within 20 s
   * kept nonce requests waiting past the ask timeout for a minute (a third of them answered 503); with
   * 100, none did (docs/BENCHMARKS.md "HTTP load"). 100 still spreads the entities over ten or more
   * nodes. Nonces live in memory only, so a change of this number loses nothing but live nonces.
   */
  public static final int SHARDS = 100;

  public static Behavior<Command> create(int maxLive) {
    return Behaviors.setup(context -> new NonceEntity(context, maxLive));
  }

  /** Any message to the entity. */
  public interface Command extends CborSerializable {}

  /** Remembers a freshly issued nonce; replies {@link Issued}. */
  public record Issue(String nonce, Binding binding, long expiresAtMillis, ActorRef<Issued> replyTo) implements Command {}

  /** Consumes {@code nonce} presented with {@code binding} at {@code nowMillis}; replies the {@link Verdict}. */
  public record Consume(String nonce, Binding binding, long nowMillis, ActorRef<Verdict> replyTo) implements Command {}

  /** What a nonce was issued for: the login message's domain, network and the SHA-256 of its exact text. */
  public record Binding(String domain, String network, String messageSha256) implements CborSerializable {}

  /** Reply to {@link Issue}. {@code evicted} counts older nonces dropped to make room. */
  public record Issued(String nonce, int evicted) implements CborSerializable {}

  /** The outcome of a consumption. */
  public enum Outcome {
    ACCEPTED,
    UNKNOWN,
    REPLAYED,
    EXPIRED,
    /** Issued for another domain or network than the presented message names. */
    MISMATCH,
    /** Issued with another message text. */
    TAMPERED
  }

  /** Reply to {@link Consume}; {@code detail} says, for a mismatch, what differs. */
  public record Verdict(Outcome outcome, String detail) implements CborSerializable {}

  private record Live(Binding binding, long expiresAtMillis) {}

  private final int maxLive;
  private final LinkedHashMap<String, Live> live = new LinkedHashMap<>();
  // Remembered after use so a replay is told apart from a nonce never issued; bounded like the live ones.
  private final LinkedHashMap<String, Long> used = new LinkedHashMap<>();

  private NonceEntity(ActorContext<Command> context, int maxLive) {
    super(context);
    this.maxLive = maxLive;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Issue.class, this::onIssue)
        .onMessage(Consume.class, this::onConsume)
        .build();
  }

  private Behavior<Command> onIssue(Issue issue) {
    int evicted = 0;
    while (live.size() >= maxLive) {
      Iterator<Map.Entry<String, Live>> oldest = live.entrySet().iterator();
      oldest.next();
      oldest.remove();
      evicted++;
    }
    live.put(issue.nonce(), new Live(issue.binding(), issue.expiresAtMillis()));
    issue.replyTo().tell(new Issued(issue.nonce(), evicted));
    return this;
  }

  private Behavior<Command> onConsume(Consume consume) {
    Live entry = live.remove(consume.nonce());
    consume.replyTo().tell(verdict(entry, consume));
    if (entry != null) remember(consume.nonce(), entry.expiresAtMillis());
    return this;
  }

  private Verdict verdict(Live entry, Consume consume) {
    if (entry == null) {
      Long usedUntil = used.get(consume.nonce());
      return usedUntil != null
          ? new Verdict(Outcome.REPLAYED, "this nonce was already used")
          : new Verdict(Outcome.UNKNOWN, "no such nonce was issued for this address (or it was evicted by newer ones)");
    }
    if (consume.nowMillis() >= entry.expiresAtMillis()) return new Verdict(Outcome.EXPIRED, "the nonce expired");
    Binding issued = entry.binding();
    Binding presented = consume.binding();
    if (!issued.domain().equals(presented.domain())) {
      return new Verdict(Outcome.MISMATCH, "the nonce was issued for domain " + issued.domain() + ", not " + presented.domain());
    }
    if (!issued.network().equals(presented.network())) {
      return new Verdict(Outcome.MISMATCH, "the nonce was issued for network " + issued.network() + ", not " + presented.network());
    }
    if (!issued.messageSha256().equals(presented.messageSha256())) {
      return new Verdict(Outcome.TAMPERED, "the message differs from the one issued with this nonce");
    }
    return new Verdict(Outcome.ACCEPTED, null);
  }

  private void remember(String nonce, long expiresAtMillis) {
    while (used.size() >= maxLive) {
      Iterator<Map.Entry<String, Long>> oldest = used.entrySet().iterator();
      oldest.next();
      oldest.remove();
    }
    used.put(nonce, expiresAtMillis);
  }
}
