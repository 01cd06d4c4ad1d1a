package io.mintline.http.ratelimit;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Token buckets by client key: each holds up to {@code capacity} tokens and refills at
 * {@code capacity} a minute, so a client can spend its whole minute at once and then one token
 * every {@code 60 / capacity} seconds. Not thread-safe: the limiter entity uses it from its actor,
 * the node's fallback under a lock.
 *
 * <p>Memory is bounded: past {@code maxBuckets} the full buckets (clients idle for a minute, which
 * a fresh bucket would treat the same) are dropped; if none is full, the oldest tenth goes, which
 * at worst hands a flood of addresses fresh buckets, never anyone unlimited requests.
 */
public final class TokenBuckets {
  private static final long NANOS_PER_MINUTE = 60_000_000_000L;

  private static final class Bucket {
    double tokens;
    long updatedNanos;
    int capacity;
  }

  private final Map<String, Bucket> buckets = new HashMap<>();
  private final int maxBuckets;

  public TokenBuckets(int maxBuckets) {
    this.maxBuckets = maxBuckets;
  }

  /** Takes {@code cost} tokens from {@code key}'s bucket of {@code capacity} at {@code nowNanos}. */
  public Verdict take(String key, int capacity, int cost, long nowNanos) {
    Bucket bucket = buckets.get(key);
    if (bucket == null) {
      if (buckets.size() >= maxBuckets) evict(nowNanos);
      bucket = new Bucket();
      bucket.tokens = capacity;
      bucket.updatedNanos = nowNanos;
      bucket.capacity = capacity;
      buckets.put(key, bucket);
    }
    refill(bucket, capacity, nowNanos);
    double perNano = capacity / (double) NANOS_PER_MINUTE;
    boolean allowed = bucket.tokens >= cost;
    if (allowed) bucket.tokens -= cost;
    long fullInSeconds = ceilSeconds((capacity - bucket.tokens) / perNano);
    long retryAfter = allowed ? 0 : Math.max(1, ceilSeconds((cost - bucket.tokens) / perNano));
    return new Verdict(allowed, capacity, (int) Math.floor(bucket.tokens), fullInSeconds, retryAfter);
  }

  public int size() {
    return buckets.size();
  }

  private static void refill(Bucket bucket, int capacity, long nowNanos) {
    long elapsed = Math.max(0, nowNanos - bucket.updatedNanos);
    bucket.capacity = capacity;
    bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * (capacity / (double) NANOS_PER_MINUTE));
    bucket.updatedNanos = nowNanos;
  }

  private void evict(long nowNanos) {
    buckets.values().removeIf(b -> {
      refill(b, b.capacity, nowNanos);
      return b.tokens >= b.capacity;
    });
    if (buckets.size() < maxBuckets) return;
    int drop = Math.max(1, buckets.size() / 10);
    Iterator<Bucket> it = buckets.values().iterator();
    while (drop-- > 0 && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  private static long ceilSeconds(double nanos) {
    return nanos <= 0 ? 0 : (long) Math.ceil(nanos / 1_000_000_000d);
  }

  /**
   * The outcome of one take: whether it was allowed, the bucket's capacity, the whole tokens left,
   * seconds until the bucket is full again and, when refused, seconds until the request would pass.
   */
  public record Verdict(boolean allowed, int capacity, int remaining, long resetSeconds, long retryAfterSeconds)
      implements io.mintline.serialization.CborSerializable {}
}
