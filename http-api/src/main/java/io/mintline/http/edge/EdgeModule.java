package io.mintline.http.edge;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.server.Route;
import com.typesafe.config.Config;
import io.mintline.config.EdgeSettings;
import io.mintline.config.SettingsException;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.http.auth.AuthModule;
import io.mintline.http.auth.LoginService;
import io.mintline.http.openapi.ApiDescription;
import io.mintline.http.openapi.OpenApiRoutes;
import io.mintline.http.quota.QuotaService;
import io.mintline.http.quota.Quotas;
import io.mintline.http.ratelimit.RateLimiter;
import io.mintline.http.ratelimit.RateLimits;
import io.mintline.http.security.Cors;
import io.mintline.http.security.Https;
import io.mintline.http.security.SecurityHeaders;
import io.mintline.http.tier.TierRoutes;
import io.mintline.http.tier.TierStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Everything of the edge on one node, wired once at start from {@code mintline.edge}: the
 * cluster-wide rate limiter, tiers and their admin route, daily quotas, security headers, CORS,
 * the OpenAPI description with Swagger UI, and the HTTP/HTTPS listeners.
 */
public final class EdgeModule {
  private final ActorSystem<?> system;
  private final EdgeSettings settings;
  private final Edge edge;
  private final RateLimiter limiter;
  private final TierStore tierStore;
  private final TierRoutes tiers;
  private final Quotas quotas;
  private final QuotaService quotaService;
  private final OpenApiRoutes openApi;

  private EdgeModule(ActorSystem<?> system, EdgeSettings settings, JournalDatabase database, AuthModule auth) {
    this.system = system;
    this.settings = settings;
    Clock clock = Clock.systemUTC();
    Executor blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher"));
    Set<String> admins = settings.adminWallets().stream().map(EdgeModule::canonicalAdmin).collect(Collectors.toUnmodifiableSet());
    auth.login().grantRoles(subject -> admins.contains(subject) ? List.of("wallet", "admin") : LoginService.WALLET_ROLES);
    ApiDescription description = ApiDescription.load();
    this.tierStore = new TierStore(database.dataSource(), auth.audit(), clock, settings.rateLimits().identityCacheTtl());
    this.limiter = new RateLimiter(system, settings.rateLimits());
    RateLimits limits = new RateLimits(settings.rateLimits(), limiter, auth::identify, tierStore, blockingIo, clock);
    this.edge = new Edge(settings, description, new SecurityHeaders(settings.security(), settings.tls().enabled()),
        new Cors(settings.cors()), limits);
    this.tiers = new TierRoutes(tierStore, auth.routes()::authenticated, blockingIo);
    this.quotaService = new QuotaService(database.dataSource(), settings.quotas(), clock);
    this.quotas = new Quotas(quotaService, tierStore, blockingIo, clock);
    this.openApi = new OpenApiRoutes(description);
  }

  public static EdgeModule start(ActorSystem<?> system, Config config, JournalDatabase database, AuthModule auth) {
    return new EdgeModule(system, EdgeSettings.load(config), database, auth);
  }

  private static String canonicalAdmin(String raw) {
    try {
      return WalletAddress.parse(raw).value();
    } catch (WalletAddress.InvalidAddressException e) {
      throw new SettingsException("mintline.edge.admin-wallets", "wallet addresses, comma-separated", raw);
    }
  }

  /**
   * Binds the API: HTTP on {@code host:port}, and with TLS on also HTTPS on the TLS port; then the
   * HTTP listener redirects to HTTPS (answering only {@code probes} itself) unless told not to.
   * Returns {HTTP binding, HTTPS binding or null}.
   */
  public ServerBinding[] bind(String host, int port, int acceptListeners, Route route, Route probes) throws Exception {
    Http http = Http.get(system);
    ServerBinding https = null;
    Route plain = route;
    if (settings.tls().enabled()) {
      https = http.newServerAt(host, settings.tls().port()).enableHttps(Https.context(settings.tls())).bind(route)
          .toCompletableFuture().get(30, TimeUnit.SECONDS).addToCoordinatedShutdown(Duration.ofSeconds(10), system);
      if (settings.tls().redirectHttp()) plain = edge.headers(Https.redirecting(https.localAddress().getPort(), probes));
    }
    ServerBinding binding = SharedPort.bind(system, host, port, acceptListeners, plain).get(0);
    return new ServerBinding[] {binding, https};
  }

  public Edge edge() {
    return edge;
  }

  public TierRoutes tiers() {
    return tiers;
  }

  public TierStore tierStore() {
    return tierStore;
  }

  /** The {@code quota(kind, ...)} directive for the contract and deploy routes. */
  public Quotas quotas() {
    return quotas;
  }

  public QuotaService quotaService() {
    return quotaService;
  }

  public RateLimiter limiter() {
    return limiter;
  }

  public OpenApiRoutes openApi() {
    return openApi;
  }

  public EdgeSettings settings() {
    return settings;
  }
}
