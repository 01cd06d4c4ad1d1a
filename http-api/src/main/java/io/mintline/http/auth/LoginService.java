package io.mintline.http.auth;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.mintline.config.AuthSettings;
import io.mintline.config.NetworkProfile;
import io.mintline.deploy.algorand.AlgodAccounts;
import io.mintline.deploy.algorand.AlgorandAccounts;
import io.mintline.engine.concurrent.Stages;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Wallet login: issues nonces inside login messages, and turns a signed message into an access
 * token and a refresh token.
 *
 * <p>Order of checks on login: the message must parse and name the logging-in address; the nonce
 * is then consumed (whatever follows, it cannot be tried again), which also checks its expiry and
 * what it was bound to (domain, network, exact message); last the signature: Ed25519 over {@code
 * "MX" ‖ message} with the key of the address or, for a rekeyed account, of its auth-addr; or the
 * EIP-191 signer recovered from an EVM signature. Every outcome is written to the audit log.
 */
public final class LoginService {
  public static final String DEFAULT_TIER = "free";
  public static final List<String> WALLET_ROLES = List.of("wallet");
  private static final int MAX_CACHED_ACCOUNTS = 100_000;

  private final ClusterSharding sharding;
  private final AuthSettings settings;
  private final NetworkProfile network;
  private final String algorandNetwork;
  private final AlgorandAccounts accounts;
  private final Supplier<AccessTokens> tokens;
  private final RefreshTokens refreshTokens;
  private final AuditLog audit;
  private final Executor blockingIo;
  private final Clock clock;
  private final Duration askTimeout;
  private final Consumer<String> onLogin;
  private final ConcurrentHashMap<String, CachedAuth> authAddresses = new ConcurrentHashMap<>();

  private record CachedAuth(Optional<String> authAddress, long untilMillis) {}

  public LoginService(ClusterSharding sharding, AuthSettings settings, NetworkProfile network, String genesisHash,
      AlgorandAccounts accounts, Supplier<AccessTokens> tokens, RefreshTokens refreshTokens, AuditLog audit,
      Executor blockingIo, Clock clock, Duration askTimeout, Consumer<String> onLogin) {
    this.sharding = sharding;
    this.settings = settings;
    this.network = network;
    this.algorandNetwork = LoginMessage.algorandNetwork(genesisHash);
    this.accounts = accounts;
    this.tokens = tokens;
    this.refreshTokens = refreshTokens;
    this.audit = audit;
    this.blockingIo = blockingIo;
    this.clock = clock;
    this.askTimeout = askTimeout;
    this.onLogin = onLogin;
  }

  // Roles a wallet's tokens carry; the node grants admin to the configured admin wallets.
  private volatile java.util.function.Function<String, List<String>> rolesOf = subject -> WALLET_ROLES;

  /** Sets which roles a wallet's tokens carry (at start, before the first login). */
  public void grantRoles(java.util.function.Function<String, List<String>> rolesOf) {
    this.rolesOf = rolesOf;
  }

  // ---- nonce ----

  public CompletionStage<AuthDtos.NonceResponse> issueNonce(String rawAddress, String chain, String requestedNetwork, String domain) {
    WalletAddress address = WalletAddress.parse(rawAddress);
    if (chain != null && !chain.equalsIgnoreCase(address.chain().name())) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "chain=" + chain + " does not match the address, which is "
          + address.chain().name().toLowerCase(Locale.ROOT));
    }
    String boundNetwork = networkFor(address.chain(), requestedNetwork);
    String boundDomain = domain == null ? settings.defaultDomain() : domain;
    if (!settings.domains().contains(boundDomain)) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "domain " + boundDomain + " is not served here; allowed: " + settings.domains());
    }
    Instant now = clock.instant();
    LoginMessage message = LoginMessage.issue(address, boundDomain, settings.statement(), boundNetwork, Secrets.hex(16),
        now, now.plus(settings.nonceTtl()));
    String text = message.text();
    NonceEntity.Binding binding = new NonceEntity.Binding(boundDomain, boundNetwork, Secrets.sha256(text));
    return Stages.direct(sharding.entityRefFor(NonceEntity.ENTITY_KEY, address.value())
        .<NonceEntity.Issued>ask(replyTo -> new NonceEntity.Issue(message.nonce(), binding, message.expiresAt().toEpochMilli(), replyTo), askTimeout))
        .thenApply(issued -> new AuthDtos.NonceResponse(message.nonce(), text, message.issuedAt(), message.expiresAt(),
            address.chain().name().toLowerCase(Locale.ROOT), boundNetwork));
  }

  private String networkFor(WalletAddress.Chain chain, String requested) {
    if (chain == WalletAddress.Chain.ALGORAND) {
      if (requested != null && !requested.equalsIgnoreCase(network.network().id()) && !requested.equals(algorandNetwork)) {
        throw new ApiException(ApiError.NETWORK_NOT_ALLOWED, "Algorand network " + requested + " is not enabled; this node serves "
            + network.network().id());
      }
      return algorandNetwork;
    }
    if (requested == null) return LoginMessage.evmNetwork(network.defaultEvmChainId());
    String digits = requested.startsWith("eip155:") ? requested.substring(7) : requested;
    long chainId;
    try {
      chainId = Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new ApiException(ApiError.NETWORK_NOT_ALLOWED, "EVM network " + requested + " is not enabled; enabled chain ids: " + network.evmChainIdList());
    }
    if (!network.evmChainIds().contains(chainId)) {
      throw new ApiException(ApiError.NETWORK_NOT_ALLOWED, "EVM chain id " + chainId + " is not enabled; enabled: " + network.evmChainIdList());
    }
    return LoginMessage.evmNetwork(chainId);
  }

  // ---- login ----

  public CompletionStage<AuthDtos.TokenResponse> login(AuthDtos.LoginRequest request, String requestId) {
    String claimed = request.address() == null ? "-" : request.address();
    try {
      return doLogin(request, requestId).whenComplete((ok, failure) -> {
        if (failure != null) auditFailure(claimed, failure, requestId);
      });
    } catch (RuntimeException e) {
      auditFailure(claimed, e, requestId);
      throw e;
    }
  }

  private CompletionStage<AuthDtos.TokenResponse> doLogin(AuthDtos.LoginRequest request, String requestId) {
    return verified(request).thenCompose(message -> issueTokens(message.address(), message, requestId));
  }

  /**
   * A proof that the caller controls another wallet: the same signed login message as a login
   * (nonce single use, domain, network and signature checked the same way), issuing no token.
   * Answers the proven wallet's canonical address; audited as {@code auth.wallet-proven} for
   * {@code actor}, the wallet that presented it.
   */
  public CompletionStage<String> prove(AuthDtos.LoginRequest proof, String actor, String requestId) {
    String claimed = proof == null || proof.address() == null ? "-" : proof.address();
    try {
      if (proof == null) throw new ApiException(ApiError.INVALID_PARAMETER, "the proof is missing");
      return verified(proof).<String>thenApply(message -> {
        audit.record(new AuditLog.Entry(actor, "auth.wallet-proven", "wallet:" + message.address(),
            Map.of("chain", message.chain().name().toLowerCase(Locale.ROOT), "network", message.network()), requestId));
        return message.address();
      }).whenComplete((ok, failure) -> {
        if (failure != null) auditFailure(claimed, failure, requestId);
      });
    } catch (RuntimeException e) {
      auditFailure(claimed, e, requestId);
      throw e;
    }
  }

  /** Checks a signed login message (nonce consumed, then the signature); answers the message. */
  private CompletionStage<LoginMessage> verified(AuthDtos.LoginRequest request) {
    if (request.address() == null) throw new ApiException(ApiError.INVALID_PARAMETER, "address is missing");
    WalletAddress address = WalletAddress.parse(request.address());
    byte[] signature;
    try {
      signature = WalletSignatures.decode(request.signature());
    } catch (IllegalArgumentException e) {
      throw new ApiException(ApiError.INVALID_PARAMETER, e.getMessage());
    }
    LoginMessage message;
    try {
      message = LoginMessage.parse(request.message());
    } catch (LoginMessage.MalformedException e) {
      throw new ApiException(ApiError.INVALID_LOGIN_MESSAGE, "not a login message: " + e.getMessage());
    }
    if (!message.address().equals(address.value())) {
      throw new ApiException(ApiError.NONCE_MISMATCH, "the message was issued for " + message.address() + ", not " + address.value());
    }
    if (message.chain() == WalletAddress.Chain.EVM) {
      long chainId = Long.parseLong(message.network().substring("eip155:".length()));
      if (!network.evmChainIds().contains(chainId)) {
        throw new ApiException(ApiError.NETWORK_NOT_ALLOWED, "EVM chain id " + chainId + " is not enabled; enabled: " + network.evmChainIdList());
      }
    }
    Instant now = clock.instant();
    if (message.notBefore() != null && now.isBefore(message.notBefore())) {
      throw new ApiException(ApiError.NONCE_EXPIRED, "the message is not valid before " + message.notBefore());
    }
    NonceEntity.Binding presented = new NonceEntity.Binding(message.domain(), message.network(), Secrets.sha256(request.message()));
    return Stages.direct(sharding.entityRefFor(NonceEntity.ENTITY_KEY, address.value())
        .<NonceEntity.Verdict>ask(replyTo -> new NonceEntity.Consume(message.nonce(), presented, now.toEpochMilli(), replyTo), askTimeout))
        .thenCompose(verdict -> {
          refuseUnlessAccepted(verdict);
          return signatureValid(address, request.message(), signature);
        })
        .thenApply(valid -> {
          if (!valid) throw new ApiException(ApiError.INVALID_SIGNATURE, "the signature does not verify for " + address.value());
          return message;
        });
  }

  private static void refuseUnlessAccepted(NonceEntity.Verdict verdict) {
    switch (verdict.outcome()) {
      case ACCEPTED -> { }
      case UNKNOWN -> throw new ApiException(ApiError.NONCE_UNKNOWN, verdict.detail());
      case REPLAYED -> throw new ApiException(ApiError.NONCE_REPLAYED, verdict.detail());
      case EXPIRED -> throw new ApiException(ApiError.NONCE_EXPIRED, verdict.detail());
      case MISMATCH -> throw new ApiException(ApiError.NONCE_MISMATCH, verdict.detail());
      case TAMPERED -> throw new ApiException(ApiError.MESSAGE_TAMPERED, verdict.detail());
    }
  }

  private CompletionStage<Boolean> signatureValid(WalletAddress address, String text, byte[] signature) {
    if (address.chain() == WalletAddress.Chain.EVM) {
      return CompletableFuture.completedFuture(
          WalletSignatures.evmSigner(text, signature).map(address.value()::equals).orElse(false));
    }
    return authAddress(address.value())
        .thenApply(auth -> WalletSignatures.algorandValid(auth.orElse(address.value()), text, signature));
  }

  /** The account's auth-addr, reused for {@code auth-address-cache-ttl}; algod down → 503, never "not rekeyed". */
  private CompletionStage<Optional<String>> authAddress(String address) {
    long now = clock.millis();
    CachedAuth cached = authAddresses.get(address);
    if (cached != null && cached.untilMillis() > now) return CompletableFuture.completedFuture(cached.authAddress());
    return accounts.authAddress(address).handle((auth, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof AlgodAccounts.AlgodUnavailableException) {
          throw new ApiException(ApiError.NOT_READY, "the Algorand node cannot be asked whether the account is rekeyed; try again");
        }
        throw failure instanceof CompletionException c ? c : new CompletionException(failure);
      }
      long ttl = settings.authAddressCacheTtl().toMillis();
      if (ttl > 0) {
        if (authAddresses.size() >= MAX_CACHED_ACCOUNTS) authAddresses.clear();
        authAddresses.put(address, new CachedAuth(auth, clock.millis() + ttl));
      }
      return auth;
    });
  }

  private CompletionStage<AuthDtos.TokenResponse> issueTokens(String subject, LoginMessage message, String requestId) {
    AccessTokens access = tokens.get();
    AccessTokens.Issued token = access.issue(subject, DEFAULT_TIER, rolesOf.apply(subject));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("chain", message.chain().name().toLowerCase(Locale.ROOT));
    details.put("network", message.network());
    details.put("domain", message.domain());
    details.put("jti", token.jti());
    return refreshTokens.startFamily(subject, DEFAULT_TIER,
            new AuditLog.Entry(subject, "auth.login", "wallet:" + subject, details, requestId))
        .handle((refresh, failure) -> {
          if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof SQLException sql) throw databaseUnavailable(sql);
            throw failure instanceof CompletionException c ? c : new CompletionException(failure);
          }
          onLogin.accept(subject);
          return new AuthDtos.TokenResponse(token.token(), refresh.token(), "Bearer", access.ttl().toSeconds());
        });
  }

  // ---- refresh and logout ----

  public CompletionStage<AuthDtos.TokenResponse> refresh(AuthDtos.RefreshRequest request, String requestId) {
    if (request.refreshToken() == null || request.refreshToken().isBlank()) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "refreshToken is missing");
    }
    return CompletableFuture.supplyAsync(() -> {
      RefreshTokens.Issued next;
      try {
        next = refreshTokens.rotate(request.refreshToken(), requestId);
      } catch (SQLException e) {
        throw databaseUnavailable(e);
      } catch (RefreshTokens.RefusedException e) {
        if (e.refusal() == RefreshTokens.Refusal.UNKNOWN) {
          audit.record(new AuditLog.Entry("-", "auth.refresh.failed", "refresh-token", Map.of("reason", "unknown"), requestId));
        }
        throw refused(e.refusal());
      }
      AccessTokens access = tokens.get();
      AccessTokens.Issued token = access.issue(next.subject(), next.tier(), rolesOf.apply(next.subject()));
      return new AuthDtos.TokenResponse(token.token(), next.token(), "Bearer", access.ttl().toSeconds());
    }, blockingIo);
  }

  /** Revokes the refresh family (which must be the caller's) and denies the access token's jti cluster-wide. */
  public CompletionStage<Void> logout(Principal principal, AuthDtos.RefreshRequest request, RevokedTokens revoked, String requestId) {
    if (principal.jti() == null) throw new ApiException(ApiError.UNAUTHORIZED, "logout needs the access token (Bearer), not an API key");
    if (request.refreshToken() == null || request.refreshToken().isBlank()) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "refreshToken is missing");
    }
    return revoked.revoke(principal.jti(), principal.expiresAt().toEpochMilli())
        .thenApplyAsync(done -> {
          try {
            refreshTokens.revokeForLogout(request.refreshToken(), principal.subject(), principal.jti(), requestId);
          } catch (SQLException e) {
            throw databaseUnavailable(e);
          } catch (RefreshTokens.RefusedException e) {
            audit.record(new AuditLog.Entry(principal.subject(), "auth.logout.failed", "refresh-token", Map.of("reason", "not the caller's token"), requestId));
            throw new ApiException(ApiError.INVALID_REFRESH_TOKEN, "the refresh token is not one of yours; the access token is logged out all the same");
          }
          return null;
        }, blockingIo);
  }

  private static ApiException refused(RefreshTokens.Refusal refusal) {
    return switch (refusal) {
      case UNKNOWN -> new ApiException(ApiError.INVALID_REFRESH_TOKEN, "unknown refresh token");
      case EXPIRED -> new ApiException(ApiError.INVALID_REFRESH_TOKEN, "the refresh token expired; log in again");
      case REVOKED -> new ApiException(ApiError.INVALID_REFRESH_TOKEN, "the refresh token was revoked; log in again");
      case REUSED -> new ApiException(ApiError.REFRESH_TOKEN_REUSED,
          "this refresh token was already used: every token of its family is now revoked; log in again");
    };
  }

  static ApiException databaseUnavailable(SQLException e) {
    return new ApiException(ApiError.NOT_READY, "the database is unavailable; try again");
  }

  private void auditFailure(String claimed, Throwable failure, String requestId) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    String reason = cause instanceof ApiException api ? api.kind().error()
        : cause instanceof WalletAddress.InvalidAddressException ? ApiError.INVALID_ADDRESS.error() : "internal_error";
    audit.record(new AuditLog.Entry(claimed, "auth.login.failed", "wallet:" + claimed, Map.of("reason", reason), requestId));
  }
}
