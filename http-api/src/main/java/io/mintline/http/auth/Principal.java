package io.mintline.http.auth;

import java.time.Instant;
import java.util.List;

/**
 * Who a request acts for: a wallet through its access token ({@code via = "jwt"}, with the token's
 * {@code jti} and expiry) or through one of its API keys ({@code via = "api-key"}).
 */
public record Principal(String subject, String tier, List<String> roles, String via, String jti, Instant expiresAt) {}
