package io.mintline.engine.metrics;

import java.util.List;
import java.util.Map;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Gauge;
import kamon.metric.MeasurementUnit;
import kamon.metric.Timer;

/**
 * Every metric Mintline itself records: names, types and labels in one place (docs/OPERATIONS.md
 * lists them). Kamon's Prometheus reporter turns a name into the exposed one: counters get
 * {@code _total}, timers {@code _seconds} (histograms); gauges keep their name.
 *
 * <p>Label values are bounded: route templates, HTTP methods and status codes, networks, states and
 * reasons from fixed sets, key roles. Never an address, txid or id.
 *
 * <p>Off until {@link #enable()} (the node does it when {@code mintline.metrics.enabled}); while
 * off every call returns at once, so engine code and tests pay nothing and benchmarks can compare.
 */
public final class MintlineMetrics {
  private MintlineMetrics() {}

  /** One metric: its Kamon name, what Prometheus shows, its type, labels and meaning. */
  public record Definition(String name, String exposed, String type, List<String> labels, String meaning, String registeredBy) {}

  // ---- names (Kamon names; the exposed names are in DEFINITIONS) ----
  public static final String HTTP_REQUESTS = "mintline_http_requests";
  public static final String MINTS_SUBMITTED = "mintline_mints_submitted";
  public static final String MINTS_CONFIRMED = "mintline_mints_confirmed";
  public static final String MINTS_FAILED = "mintline_mints_failed";
  public static final String MINTS_IN_FLIGHT = "mintline_mints_in_flight";
  public static final String MINTING_QUEUE = "mintline_minting_queue_depth";
  public static final String TIP_TO_STICKER = "mintline_tip_to_sticker";
  public static final String LISTENER_ROUND = "mintline_listener_round";
  public static final String LISTENER_CHAIN_ROUND = "mintline_listener_chain_round";
  public static final String LISTENER_LAG = "mintline_listener_lag_rounds";
  public static final String LISTENER_HEARTBEAT_AGE = "mintline_listener_heartbeat_age_seconds";
  public static final String LISTENER_STATE = "mintline_listener_state";
  public static final String ALGOD_UP = "mintline_algod_up";
  public static final String DEPLOYMENTS = "mintline_deployments";
  public static final String JOBS = "mintline_jobs";
  public static final String JOURNAL_WRITES = "mintline_journal_writes";
  public static final String JOURNAL_WRITE_FAILURES = "mintline_journal_write_failures";
  public static final String RATE_LIMIT_REFUSALS = "mintline_rate_limit_refusals";
  public static final String WEBHOOK_DELIVERIES = "mintline_webhook_deliveries";
  public static final String MINTING_BALANCE = "mintline_minting_account_balance_microalgos";
  public static final String MINTING_HEADROOM = "mintline_minting_headroom_stickers";
  public static final String KEY_AGE = "mintline_key_age_seconds";
  public static final String KEY_ROTATION_PERIOD = "mintline_key_rotation_period_seconds";
  public static final String CLUSTER_MEMBERS = "mintline_cluster_members";
  public static final String CLUSTER_UNREACHABLE = "mintline_cluster_unreachable_members";

  /** Why a mint did not confirm; {@code expired} and {@code unprepared} are retried by their wallets. */
  public enum MintFailure {
    /** algod refused the creation (the wallet records the sticker as failed). */
    REJECTED,
    /** The transaction confirmed but created no asset. */
    NO_ASSET,
    /** lastValid passed without the transaction on chain; the wallet rebuilds it with the same lease. */
    EXPIRED,
    /** Nothing was sent: no suggested params (algod unreachable), a signing error or a journal write that did not finish. */
    UNPREPARED;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static final String MINTING = "the minting pipeline (engine/minting)";
  private static final String SAMPLER = "the node's metrics sampler (http-api ops)";

  /** Every metric, in the order of the table in docs/OPERATIONS.md. */
  public static final List<Definition> DEFINITIONS = List.of(
      new Definition(HTTP_REQUESTS, "mintline_http_requests_seconds", "histogram", List.of("route", "method", "status"),
          "Public API requests by route template, method and status code, with their latency; `_count` counts them",
          "the HTTP layer (ApiRoutes)"),
      new Definition(MINTS_SUBMITTED, "mintline_mints_submitted_total", "counter", List.of(),
          "Sticker creations algod accepted into its pool", MINTING),
      new Definition(MINTS_CONFIRMED, "mintline_mints_confirmed_total", "counter", List.of(),
          "Stickers confirmed on chain", MINTING),
      new Definition(MINTS_FAILED, "mintline_mints_failed_total", "counter", List.of("reason"),
          "Mints that did not confirm: reason `rejected`, `no_asset` (final), `expired`, `unprepared` (retried)", MINTING),
      new Definition(MINTS_IN_FLIGHT, MINTS_IN_FLIGHT, "gauge", List.of(),
          "Mints taken by this node's pipeline and not finished (signing, persisting, submitted)", SAMPLER),
      new Definition(MINTING_QUEUE, MINTING_QUEUE, "gauge", List.of(),
          "Mint jobs buffered in front of this node's pipeline (bounded by mintline.minting.queue-size)", SAMPLER),
      new Definition(TIP_TO_STICKER, "mintline_tip_to_sticker_seconds", "histogram", List.of(),
          "From the tip reaching its wallet's mint hand-over until its sticker confirmed", MINTING),
      new Definition(LISTENER_ROUND, LISTENER_ROUND, "gauge", List.of("network"),
          "The listener's watermark: last round whose tips every wallet acknowledged", SAMPLER),
      new Definition(LISTENER_CHAIN_ROUND, LISTENER_CHAIN_ROUND, "gauge", List.of("network"),
          "The chain's last round as the listener last saw it", SAMPLER),
      new Definition(LISTENER_LAG, LISTENER_LAG, "gauge", List.of("network"), "Rounds the listener is behind the chain", SAMPLER),
      new Definition(LISTENER_HEARTBEAT_AGE, LISTENER_HEARTBEAT_AGE, "gauge", List.of("network"),
          "Time since the listener's last completed poll cycle (stale above 2 x poll-interval)", SAMPLER),
      new Definition(LISTENER_STATE, LISTENER_STATE, "gauge", List.of("network", "state"),
          "1 for the listener's current state (following, catching_up, stale, stopped, unknown), 0 for the others", SAMPLER),
      new Definition(ALGOD_UP, ALGOD_UP, "gauge", List.of(),
          "1 when this node's algod (primary or backup) answered its last status call, else 0", SAMPLER),
      new Definition(DEPLOYMENTS, DEPLOYMENTS, "gauge", List.of("state"),
          "TipProxy deployments by state, from the deployments read side (cluster-wide: every node reports the same)", SAMPLER),
      new Definition(JOBS, JOBS, "gauge", List.of("type", "state"),
          "Durable contract jobs (compile, audit) by type and state, from the jobs read side (cluster-wide: every node reports the same)", SAMPLER),
      new Definition(JOURNAL_WRITES, "mintline_journal_writes_seconds", "histogram", List.of(),
          "Event-journal write batches and their latency", "the journal plugin (engine/persistence TimedJdbcJournal)"),
      new Definition(JOURNAL_WRITE_FAILURES, "mintline_journal_write_failures_total", "counter", List.of(),
          "Event-journal write batches that failed (the entities behind them restart)",
          "the journal plugin (engine/persistence TimedJdbcJournal)"),
      new Definition(RATE_LIMIT_REFUSALS, "mintline_rate_limit_refusals_total", "counter", List.of("scope"),
          "Requests refused by a rate limit, by tier (anonymous, free, paid)", "the rate limiter (http-api ratelimit RateLimits)"),
      new Definition(WEBHOOK_DELIVERIES, "mintline_webhook_deliveries_total", "counter", List.of("outcome"),
          "Webhook delivery attempts by outcome (delivered, failed)", "the webhook sender (http-api webhook WebhookDispatcher)"),
      new Definition(MINTING_BALANCE, MINTING_BALANCE, "gauge", List.of(),
          "The minting account's balance on chain", SAMPLER),
      new Definition(MINTING_HEADROOM, MINTING_HEADROOM, "gauge", List.of(),
          "Stickers the minting account can still create: (balance - minimum balance) / (0.1 Algo + fee)", SAMPLER),
      new Definition(KEY_AGE, KEY_AGE, "gauge", List.of("role"),
          "Age of each role key (mint, deploy, admin) since mintline.metrics.key-created.<role>", SAMPLER),
      new Definition(KEY_ROTATION_PERIOD, KEY_ROTATION_PERIOD, "gauge", List.of(),
          "The configured rotation period (mintline.metrics.key-rotation-period), for the key-age alert", SAMPLER),
      new Definition(CLUSTER_MEMBERS, CLUSTER_MEMBERS, "gauge", List.of("status"),
          "Cluster members as this node sees them, by member status (up, joining, leaving, exiting, down, ...)", SAMPLER),
      new Definition(CLUSTER_UNREACHABLE, CLUSTER_UNREACHABLE, "gauge", List.of(),
          "Members this node's failure detector marks unreachable", SAMPLER));

  private static volatile boolean enabled;

  /** Turns recording on (the node, when mintline.metrics.enabled). */
  public static void enable() {
    enabled = true;
  }

  public static boolean enabled() {
    return enabled;
  }

  // ---- instruments with fixed tags, looked up once ----
  private static final class Instruments {
    static final Counter SUBMITTED = Kamon.counter(MINTS_SUBMITTED, "Sticker creations algod accepted").withoutTags();
    static final Counter CONFIRMED = Kamon.counter(MINTS_CONFIRMED, "Stickers confirmed on chain").withoutTags();
    static final Map<MintFailure, Counter> FAILED = failures();
    static final Timer TIP_TO_STICKER_TIMER = Kamon.timer(TIP_TO_STICKER, "Tip hand-over to sticker confirmed").withoutTags();
    static final Timer JOURNAL = Kamon.timer(JOURNAL_WRITES, "Journal write batches").withoutTags();
    static final Counter JOURNAL_FAILED = Kamon.counter(JOURNAL_WRITE_FAILURES, "Journal write batches failed").withoutTags();

    private static Map<MintFailure, Counter> failures() {
      Map<MintFailure, Counter> m = new java.util.EnumMap<>(MintFailure.class);
      for (MintFailure f : MintFailure.values()) m.put(f, Kamon.counter(MINTS_FAILED).withTag("reason", f.label()));
      return m;
    }
  }

  // ---- call sites ----

  /** A public API request finished. {@code route} is a template ({@code /api/v1/wallets/{address}/tips}). */
  public static void httpRequest(String route, String method, int status, long nanos) {
    if (!enabled) return;
    Kamon.timer(HTTP_REQUESTS).withTags(kamon.tag.TagSet.builder().add("route", route).add("method", method)
        .add("status", String.valueOf(status)).build()).record(nanos);
  }

  /** algod took {@code count} sticker creations. */
  public static void mintsSubmitted(int count) {
    if (enabled) Instruments.SUBMITTED.increment(count);
  }

  /** A sticker confirmed; {@code acceptedNanos} is the System.nanoTime() its mint was handed over (or null). */
  public static void mintConfirmed(Long acceptedNanos) {
    if (!enabled) return;
    Instruments.CONFIRMED.increment();
    if (acceptedNanos != null) Instruments.TIP_TO_STICKER_TIMER.record(System.nanoTime() - acceptedNanos);
  }

  public static void mintFailed(MintFailure reason, int count) {
    if (enabled) Instruments.FAILED.get(reason).increment(count);
  }

  /** One journal write batch finished after {@code nanos}. */
  public static void journalWrite(long nanos, boolean failed) {
    if (!enabled) return;
    Instruments.JOURNAL.record(nanos);
    if (failed) Instruments.JOURNAL_FAILED.increment();
  }

  /** A request was refused by a rate limit ({@code scope}: {@code ip} or a tier name). */
  public static void rateLimitRefused(String scope) {
    if (enabled) Kamon.counter(RATE_LIMIT_REFUSALS).withTag("scope", scope).increment();
  }

  /** A webhook delivery attempt ended ({@code delivered} or {@code failed}). */
  public static void webhookDelivery(boolean delivered) {
    if (enabled) Kamon.counter(WEBHOOK_DELIVERIES).withTag("outcome", delivered ? "delivered" : "failed").increment();
  }

  // ---- sampled gauges ----

  /** Sets a gauge; {@code tags} alternate key, value. */
  public static void gauge(String name, double value, String... tags) {
    if (!enabled) return;
    // Built as one tag set: deriving tag by tag would also register the untagged series at 0.
    kamon.tag.TagSet.Builder set = kamon.tag.TagSet.builder();
    for (int i = 0; i + 1 < tags.length; i += 2) set = set.add(tags[i], tags[i + 1]);
    Gauge gauge = Kamon.gauge(name, MeasurementUnit.none()).withTags(set.build());
    gauge.update(value);
  }

  /** Jobs of {@code type} in {@code state} (registered by the contract jobs). */
  public static void jobs(String type, String state, long count) {
    gauge(JOBS, count, "type", type, "state", state);
  }

}
