package io.mintline.http.ratelimit;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.RemoteAddress;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.Route;
import io.mintline.config.EdgeSettings;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ErrorHandling;
import io.mintline.http.tier.TierStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The rate-limit directive every request passes: anonymous requests spend their IP's bucket on the
 * anonymous tier, requests with a credential that checks out spend their wallet's bucket on the
 * wallet's tier (free unless an admin set paid). Each route class costs its configured tokens;
 * {@code /health}, {@code /ready}, {@code /alive} and {@code /metrics} are never limited.
 *
 * <p>Every limited answer carries the IETF {@code RateLimit-Policy} and {@code RateLimit} headers
 * ({@code "tier";q=limit;w=60} and {@code "tier";r=remaining;t=seconds-until-full}); a refusal is
 * {@code 429 rate_limited} with {@code Retry-After}.
 */
public final class RateLimits {
  private static final Set<String> NEVER_LIMITED = Set.of("/health", "/ready", "/alive", "/metrics");
  private static final int MAX_CACHED_IDENTITIES = 100_000;

  private record CachedIdentity(Optional<Principal> principal, long untilMillis) {}

  /** Who a request is counted against: the bucket's key and the tier whose limit applies. */
  public record Client(String key, String tier) {}

  private final EdgeSettings.RateLimits settings;
  private final RateLimiter limiter;
  private final ClientAddress addresses;
  private final BiFunction<String, String, CompletionStage<Optional<Principal>>> identify;
  private final TierStore tiers;
  private final Executor blockingIo;
  private final Clock clock;
  private final List<Map.Entry<String, Integer>> costs;
  private final Map<String, CachedIdentity> identities = new ConcurrentHashMap<>();

  /**
   * @param identify the wallet behind (bearer, api-key) credentials, empty when they do not check out
   */
  public RateLimits(EdgeSettings.RateLimits settings, RateLimiter limiter,
      BiFunction<String, String, CompletionStage<Optional<Principal>>> identify, TierStore tiers, Executor blockingIo,
      Clock clock) {
    this.settings = settings;
    this.limiter = limiter;
    this.addresses = new ClientAddress(settings.trustedProxies());
    this.identify = identify;
    this.tiers = tiers;
    this.blockingIo = blockingIo;
    this.clock = clock;
    this.costs = settings.routeCosts().entrySet().stream()
        .sorted(Comparator.comparingInt((Map.Entry<String, Integer> e) -> e.getKey().length()).reversed()).toList();
  }

  /** Tokens a request on {@code path} costs; 0 = not limited. */
  public int costOf(String path) {
    if (NEVER_LIMITED.contains(path)) return 0;
    for (Map.Entry<String, Integer> c : costs) if (path.startsWith(c.getKey())) return c.getValue();
    return 1;
  }

  public Route limit(String requestId, Supplier<Route> inner) {
    if (!settings.enabled()) return inner.get();
    return extractRequest(request -> {
      int cost = costOf(request.getUri().path());
      if (cost == 0) return inner.get();
      return onSuccess(client(request), client -> {
        int perMinute = settings.perMinute().get(client.tier());
        return onSuccess(limiter.take(client.key(), perMinute, cost), verdict -> {
          List<HttpHeader> headers = List.of(
              RawHeader.create("RateLimit-Policy", "\"" + client.tier() + "\";q=" + perMinute + ";w=60"),
              RawHeader.create("RateLimit", "\"" + client.tier() + "\";r=" + verdict.remaining() + ";t=" + verdict.resetSeconds()));
          // Errors are answered inside, so that a 401 or 404 also tells the client its budget.
          if (verdict.allowed()) return respondWithHeaders(headers, () -> handleExceptions(ErrorHandling.exceptionHandler(requestId),
              () -> handleRejections(ErrorHandling.rejectionHandler(requestId), inner)));
          io.mintline.engine.metrics.MintlineMetrics.rateLimitRefused(client.tier()); // tiers are named in config: a bounded label
          return complete(ErrorHandling.response(ApiError.RATE_LIMITED,
                  "rate limit exceeded: " + perMinute + " requests a minute on the " + client.tier() + " tier; retry in "
                      + verdict.retryAfterSeconds() + " s", requestId)
              .addHeaders(headers)
              .addHeader(RawHeader.create("Retry-After", Long.toString(verdict.retryAfterSeconds()))));
        });
      });
    });
  }

  /** The bucket a request spends: its wallet's when its credential checks out, else its address's. */
  public CompletionStage<Client> client(HttpRequest request) {
    // A browser's WebSocket handshake carries its token as a subprotocol: it spends the wallet's bucket too.
    Optional<String> bearer = request.getHeader("Authorization").map(HttpHeader::value)
        .or(() -> io.mintline.http.auth.WebSocketBearer.token(request).map(token -> "Bearer " + token));
    Optional<String> apiKey = request.getHeader("X-Api-Key").map(HttpHeader::value);
    if (bearer.isEmpty() && apiKey.isEmpty()) return CompletableFuture.completedFuture(anonymous(request));
    String credential = bearer.map(b -> "b:" + b).orElseGet(() -> "k:" + apiKey.get());
    String cacheKey = sha256(credential);
    long now = clock.millis();
    CachedIdentity cached = identities.get(cacheKey);
    CompletionStage<Optional<Principal>> principal = cached != null && cached.untilMillis() > now
        ? CompletableFuture.completedFuture(cached.principal())
        : identify.apply(bearer.orElse(null), bearer.isPresent() ? null : apiKey.orElse(null)).thenApply(found -> {
          long until = now + settings.identityCacheTtl().toMillis();
          if (found.isPresent() && found.get().expiresAt() != null) until = Math.min(until, found.get().expiresAt().toEpochMilli());
          if (identities.size() >= MAX_CACHED_IDENTITIES) identities.clear();
          identities.put(cacheKey, new CachedIdentity(found, until));
          return found;
        });
    return principal.thenCompose(found -> {
      if (found.isEmpty()) return CompletableFuture.completedFuture(anonymous(request));
      String subject = found.get().subject();
      String tier = tiers.cachedTierOf(subject);
      if (tier != null) return CompletableFuture.completedFuture(new Client("w:" + subject, tier));
      return CompletableFuture.supplyAsync(() -> {
        try {
          return new Client("w:" + subject, tiers.tierOf(subject));
        } catch (SQLException e) {
          return new Client("w:" + subject, TierStore.DEFAULT_TIER);
        }
      }, blockingIo);
    });
  }

  private Client anonymous(HttpRequest request) {
    Optional<RemoteAddress> peer = request.getAttribute(AttributeKeys.remoteAddress);
    String peerIp = peer.flatMap(RemoteAddress::getAddress).map(java.net.InetAddress::getHostAddress).orElse(null);
    String forwarded = request.getHeader("X-Forwarded-For").map(HttpHeader::value).orElse(null);
    return new Client("ip:" + addresses.of(peerIp, forwarded), "anonymous");
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
