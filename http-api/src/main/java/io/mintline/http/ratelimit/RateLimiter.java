package io.mintline.http.ratelimit;

import akka.actor.typed.ActorSystem;
import akka.cluster.ClusterEvent;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import io.mintline.config.EdgeSettings;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cluster-wide token buckets, one per client, with a per-node fallback.
 *
 * <p><b>Why sharded bucket entities.</b> A client that spreads its requests over the nodes must
 * get at most 1.1 × its limit. Akka Distributed Data (a PN-counter per client) gossips every two
 * seconds, so with round-robin a burst lands on every node before any node hears of the others'
 * spending: up to N × the limit. Bucket4j would need a shared store (a JCache grid or the
 * database: a write per request). A sharded entity owns each bucket in exactly one place, decides
 * each take atomically (one message at a time) and costs one ask: local when the shard lives on
 * this node, one small CBOR message each way otherwise (docs/BENCHMARKS.md "Rate limits" measures
 * the CPU). Keys are hashed over {@code partitions} entities, each holding many buckets, so an
 * address flood creates map entries, not actors.
 *
 * <p><b>Partitions.</b> While any member is unreachable, or when the entity does not answer
 * within {@code coordination-timeout}, the node decides alone from a local bucket holding its share
 * of the limit (limit ÷ members, at least 1): never unlimited, never refusing everyone. The share
 * buckets are separate from the cluster's, so a heal simply goes back to the shared budget.
 */
public final class RateLimiter {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Cluster cluster;
  private final Duration timeout;
  private final int partitions;
  private final TokenBuckets share;
  private final AtomicLong fallbacks = new AtomicLong();

  public RateLimiter(ActorSystem<?> system, EdgeSettings.RateLimits settings) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.cluster = Cluster.get(system);
    this.timeout = settings.coordinationTimeout();
    this.partitions = settings.partitions();
    this.share = new TokenBuckets(settings.maxBucketsPerPartition());
    LimiterEntity.init(system, settings.maxBucketsPerPartition());
  }

  /** Takes {@code cost} of {@code key}'s {@code perMinute} budget, cluster-wide when the cluster is whole. */
  public CompletionStage<TokenBuckets.Verdict> take(String key, int perMinute, int requestedCost) {
    // A route class dearer than a whole budget would refuse that tier for ever: it takes the whole budget.
    int cost = Math.min(requestedCost, perMinute);
    ClusterEvent.CurrentClusterState state = cluster.state();
    if (!state.unreachable().isEmpty()) return CompletableFuture.completedFuture(takeShare(key, perMinute, cost, state));
    String entityId = "p" + Math.floorMod(key.hashCode(), partitions);
    return sharding.entityRefFor(LimiterEntity.ENTITY_KEY, entityId)
        .<TokenBuckets.Verdict>ask(reply -> new LimiterEntity.Take(key, perMinute, cost, reply), timeout)
        .exceptionally(failure -> takeShare(key, perMinute, cost, cluster.state()));
  }

  /** How many takes this node decided alone (partitions, timeouts) since it started. */
  public long fallbacks() {
    return fallbacks.get();
  }

  private TokenBuckets.Verdict takeShare(String key, int perMinute, int cost, ClusterEvent.CurrentClusterState state) {
    fallbacks.incrementAndGet();
    int members = Math.max(1, state.members().size());
    int capacity = Math.max(1, perMinute / members);
    synchronized (share) {
      return share.take(key, capacity, Math.min(cost, capacity), System.nanoTime());
    }
  }
}
