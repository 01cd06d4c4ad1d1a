package io.mintline.http.ratelimit;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import io.mintline.serialization.CborSerializable;

/**
 * One partition of the cluster's rate-limit buckets: the clients whose key hashes to this entity
 * have their one bucket here, whichever node they call, so a client that spreads its requests over
 * the nodes still spends one budget. Not persistent: a bucket lost to a rebalance or a crash only
 * starts full again, which costs at most one extra minute's budget for the clients of that shard.
 *
 * <p>Protocol: {@link Take} takes tokens and answers the {@link TokenBuckets.Verdict}; the actor
 * handles one message at a time, so concurrent takes on any node never overspend a bucket.
 */
public final class LimiterEntity {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "RateLimiter");

  private LimiterEntity() {}

  /** Registers the entity with cluster sharding on this node. */
  public static void init(ActorSystem<?> system, int maxBucketsPerPartition) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, context -> create(maxBucketsPerPartition)));
  }

  public static Behavior<Command> create(int maxBuckets) {
    return Behaviors.setup(context -> {
      TokenBuckets buckets = new TokenBuckets(maxBuckets);
      return Behaviors.receive(Command.class)
          .onMessage(Take.class, take -> {
            take.replyTo().tell(buckets.take(take.key(), take.capacity(), take.cost(), System.nanoTime()));
            return Behaviors.same();
          })
          .build();
    });
  }

  /** Any message to the entity. */
  public interface Command extends CborSerializable {}

  /** Takes {@code cost} tokens from {@code key}'s bucket of {@code capacity} a minute; replies the verdict. */
  public record Take(String key, int capacity, int cost, ActorRef<TokenBuckets.Verdict> replyTo) implements Command {}
}
