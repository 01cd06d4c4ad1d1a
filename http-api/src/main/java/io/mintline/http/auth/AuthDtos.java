package io.mintline.http.auth;

import java.time.Instant;
import java.util.List;

/** Request and response bodies of the auth and API-key routes. */
public final class AuthDtos {
  private AuthDtos() {}

  /** {@code GET /api/v1/auth/nonce}: the nonce and the exact message to sign. */
  public record NonceResponse(String nonce, String message, Instant issuedAt, Instant expiresAt, String chain, String network) {}

  /** {@code POST /api/v1/auth/login}. {@code signature}: base64 (Algorand) or 0x-hex (EVM). */
  public record LoginRequest(String address, String message, String signature) {}

  /** The answer to a login or refresh. {@code expiresIn}: seconds until the access token expires. */
  public record TokenResponse(String accessToken, String refreshToken, String tokenType, long expiresIn) {}

  /** {@code POST /api/v1/auth/refresh} and {@code /logout}. */
  public record RefreshRequest(String refreshToken) {}

  /** {@code GET /api/v1/auth/session}: who the presented credentials stand for. */
  public record SessionResponse(String subject, String tier, List<String> roles, String via, Instant expiresAt) {}

  /** {@code POST /api/v1/api-keys} body (optional). */
  public record ApiKeyRequest(String name) {}

  /** The new key: {@code key} is shown this once. */
  public record ApiKeyCreated(String id, String key, String name, String prefix, String tier, Instant createdAt) {}

  /** A page of keys; {@code next} is always null (a wallet holds at most {@link ApiKeys#MAX_PER_OWNER}). */
  public record ApiKeyList(List<ApiKeys.Key> items, String next) {}
}
