package io.mintline.http.auth;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.nimbusds.jose.jwk.JWKSet;
import io.mintline.config.AuthSettings;
import io.mintline.config.MintlineSettings;
import io.mintline.config.NetworkProfile;
import com.algorand.algosdk.v2.client.common.AlgodClient;
import io.mintline.deploy.algorand.AlgodAccounts;
import io.mintline.deploy.algorand.AlgorandAccounts;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.wallet.WalletEntity;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything wallet login needs on one node, wired once at start: nonces (sharded), the signing
 * keys, the deny-list of logged-out tokens (Distributed Data), refresh tokens, API keys and the
 * audit log (JDBC on the shared pool, run on {@code mintline.blocking-io-dispatcher}).
 */
public final class AuthModule {
  private static final Logger log = LoggerFactory.getLogger(AuthModule.class);

  private final AtomicReference<AccessTokens> tokens = new AtomicReference<>();
  private final LoginService login;
  private final ApiKeys apiKeys;
  private final AuditLog audit;
  private final RevokedTokens revoked;
  private final AuthRoutes routes;
  private final AuthSettings auth;
  private final JournalDatabase database;
  private final Clock clock;
  private final scala.concurrent.ExecutionContextExecutor blockingIo;

  private AuthModule(ActorSystem<?> system, MintlineSettings settings, AuthSettings auth, NetworkProfile network,
      String genesisHash, AlgorandAccounts accounts, JournalDatabase database) {
    this.clock = Clock.systemUTC();
    this.auth = auth;
    this.database = database;
    this.blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher"));
    JWKSet configured = SigningKeys.configured(auth.jwks());
    SigningKeys.requireConfiguredOffDevnet(settings.network(), configured);
    if (configured != null) {
      tokens.set(accessTokens(configured, auth, clock));
    } else {
      system.scheduler().scheduleOnce(Duration.ZERO, () -> loadDevnetKeys(system, Duration.ofMillis(100)), blockingIo);
    }
    NonceEntity.init(system, auth.nonceTtl(), auth.maxNoncesPerAddress());
    ClusterSharding sharding = ClusterSharding.get(system);
    this.revoked = new RevokedTokens(system, settings.askTimeout(), clock);
    this.audit = new AuditLog(database.dataSource(), database.vendor(), blockingIo, clock);
    RefreshTokens refreshTokens = new RefreshTokens(database.dataSource(), audit, auth.refreshTokenTtl(), clock, blockingIo);
    this.apiKeys = new ApiKeys(database.dataSource(), audit, clock);
    this.login = new LoginService(sharding, auth, network, genesisHash, accounts, this::tokens, refreshTokens, audit,
        blockingIo, clock, settings.askTimeout(),
        subject -> sharding.entityRefFor(WalletEntity.ENTITY_KEY, subject).tell(new WalletEntity.MarkSeen("login", system.ignoreRef())));
    this.routes = new AuthRoutes(this, blockingIo);
  }

  /** Wires wallet login; throws SettingsException when the keys are missing (off devnet) or bad. */
  public static AuthModule start(ActorSystem<?> system, MintlineSettings settings, NetworkProfile network,
      String genesisHash, AlgodClient algod, JournalDatabase database) {
    AuthSettings auth = AuthSettings.load(system.settings().config());
    Executor blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher"));
    return new AuthModule(system, settings, auth, network, genesisHash, new AlgodAccounts(algod, blockingIo), database);
  }

  private static AccessTokens accessTokens(JWKSet keys, AuthSettings auth, Clock clock) {
    return new AccessTokens(keys, auth.issuer(), auth.audience(), auth.accessTokenTtl(), clock);
  }

  /**
   * Devnet only: loads (or makes) the key every node of the devnet shares, as soon as the schema is
   * migrated. Polls the migration flag (no database call) every 100 ms; a failing database load
   * backs off up to 2 s. {@link #tokens()} also loads on demand, so the first request after the
   * node turns healthy never waits for the next poll.
   */
  private void loadDevnetKeys(ActorSystem<?> system, Duration retry) {
    if (tokens.get() != null || system.whenTerminated().isCompleted()) return;
    Duration next = Duration.ofMillis(100);
    if (database.migrated()) {
      try {
        loadDevnetKeysNow();
        return;
      } catch (SQLException | RuntimeException e) {
        next = retry.multipliedBy(2).compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : retry.multipliedBy(2);
        log.warn("Could not load the devnet signing key yet, retrying in {} ms: {}", next.toMillis(), e.getMessage());
      }
    }
    Duration after = next;
    system.scheduler().scheduleOnce(after, () -> loadDevnetKeys(system, after), blockingIo);
  }

  private synchronized void loadDevnetKeysNow() throws SQLException {
    if (tokens.get() != null) return;
    tokens.set(accessTokens(SigningKeys.loadOrCreate(database), auth, clock));
    log.info("Access tokens are signed with the devnet key kept in the database (kid {})", tokens.get().signingKid());
  }

  public AuthRoutes routes() {
    return routes;
  }

  public LoginService login() {
    return login;
  }

  ApiKeys apiKeys() {
    return apiKeys;
  }

  RevokedTokens revoked() {
    return revoked;
  }

  /** The token service; 503 while the devnet key is still being loaded. */
  public AccessTokens tokens() {
    AccessTokens current = tokens.get();
    if (current == null && database.migrated()) {
      try {
        loadDevnetKeysNow();
      } catch (SQLException e) {
        throw LoginService.databaseUnavailable(e);
      }
      current = tokens.get();
    }
    if (current == null) throw new ApiException(ApiError.NOT_READY, "the signing keys are not loaded yet; try again");
    return current;
  }

  /**
   * For the rate limiter: the wallet behind an {@code Authorization: Bearer} or {@code X-Api-Key}
   * credential, or empty when it does not check out (the route itself then refuses it, audited).
   * An API key costs a database read, so it runs on the blocking-io dispatcher.
   */
  public CompletionStage<Optional<Principal>> identify(String bearer, String apiKey) {
    try {
      if (bearer != null) {
        if (!bearer.regionMatches(true, 0, "Bearer ", 0, 7)) return CompletableFuture.completedFuture(Optional.empty());
        AccessTokens.Claims claims = tokens().verify(bearer.substring(7).trim());
        if (revoked.isRevoked(claims.jti())) return CompletableFuture.completedFuture(Optional.empty());
        return CompletableFuture.completedFuture(Optional.of(
            new Principal(claims.subject(), claims.tier(), claims.roles(), "jwt", claims.jti(), claims.expiresAt())));
      }
    } catch (AccessTokens.RejectedException | ApiException e) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    if (apiKey == null) return CompletableFuture.completedFuture(Optional.empty());
    return CompletableFuture.supplyAsync(() -> {
      try {
        return apiKeys.authenticate(apiKey.trim())
            .map(owner -> new Principal(owner.owner(), owner.tier(), java.util.List.of("api-key"), "api-key", null, null));
      } catch (SQLException e) {
        return Optional.<Principal>empty();
      }
    }, blockingIo);
  }

  /** The audit log the auth routes write to (management routes audit cluster changes there too). */
  public AuditLog audit() {
    return audit;
  }

  /** The wallet behind {@code Authorization: Bearer <jwt>}; ApiException 401 otherwise (management routes). */
  public Principal principal(String authorization, String requestId) {
    return fromBearer(authorization, requestId);
  }

  Principal fromBearer(String header, String requestId) {
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiException(ApiError.UNAUTHORIZED, "Authorization must be 'Bearer <access token>'");
    }
    AccessTokens.Claims claims;
    try {
      claims = tokens().verify(header.substring(7).trim());
    } catch (AccessTokens.RejectedException e) {
      audit.record(new AuditLog.Entry("-", "auth.token.refused", "access-token", Map.of("reason", e.getMessage()), requestId));
      throw new ApiException(ApiError.INVALID_TOKEN, e.getMessage());
    }
    if (revoked.isRevoked(claims.jti())) {
      audit.record(new AuditLog.Entry(claims.subject(), "auth.token.refused", "access-token", Map.of("reason", "logged out", "jti", claims.jti()), requestId));
      throw new ApiException(ApiError.INVALID_TOKEN, "access token refused: it was logged out");
    }
    return new Principal(claims.subject(), claims.tier(), claims.roles(), "jwt", claims.jti(), claims.expiresAt());
  }

  Principal fromApiKey(String key, String requestId) throws SQLException {
    Optional<ApiKeys.Owner> owner = apiKeys.authenticate(key.trim());
    if (owner.isEmpty()) {
      audit.record(new AuditLog.Entry("-", "auth.api-key.refused", "api-key", Map.of(), requestId));
      throw new ApiException(ApiError.UNAUTHORIZED, "API key not recognised (unknown or revoked)");
    }
    return new Principal(owner.get().owner(), owner.get().tier(), java.util.List.of("api-key"), "api-key", null, null);
  }
}
