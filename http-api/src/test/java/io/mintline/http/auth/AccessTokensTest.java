package io.mintline.http.auth;

import static org.junit.jupiter.api.Assertions.*;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Access tokens: standard ES256 signatures, key rotation that keeps the old key verifying, and the
 * kept (already verified) tokens: still refused once expired, never standing in for a changed token.
 */
class AccessTokensTest {
  static final ECKey OLD = SigningKeys.generate("k-2026-01");
  static final ECKey NEW = SigningKeys.generate("k-2026-02");

  static AccessTokens tokens(ECKey... keys) {
    return new AccessTokens(new JWKSet(List.of(keys)), "mintline", "mintline-api", Duration.ofMinutes(15), Clock.systemUTC());
  }

  @Test
  void signaturesVerifyWithAnyStandardEs256Verifier() throws Exception {
    AccessTokens.Issued issued = tokens(OLD).issue("ADDR", "free", List.of("wallet"));
    SignedJWT jwt = SignedJWT.parse(issued.token());
    assertTrue(jwt.verify(new ECDSAVerifier(OLD.toPublicJWK())), "JCA's ECDSA verifies what the BouncyCastle signer made");
    assertEquals("ADDR", tokens(OLD).verify(issued.token()).subject());
  }

  @Test
  void afterRotationTheNewKeySignsAndTheOldKeyStillVerifies() throws Exception {
    String beforeRotation = tokens(OLD).issue("ADDR", "free", List.of("wallet")).token();
    AccessTokens rotated = tokens(NEW, OLD);
    assertEquals("k-2026-02", rotated.signingKid());
    assertEquals("ADDR", rotated.verify(beforeRotation).subject());
    assertEquals(2, rotated.publicKeys().getKeys().size());
    assertTrue(rotated.publicKeys().getKeys().stream().noneMatch(k -> k.isPrivate()), "jwks.json never holds private parts");
    // Once the old key is dropped, its tokens stop verifying.
    assertThrows(AccessTokens.RejectedException.class, () -> tokens(NEW).verify(beforeRotation));
  }

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    Instant now = Instant.parse("2026-12-03T12:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aKeptTokenIsRefusedOnceItExpires() throws Exception {
    MovingClock clock = new MovingClock();
    AccessTokens tokens = new AccessTokens(new JWKSet(List.of(OLD)), "mintline", "mintline-api", Duration.ofMinutes(15), clock);
    String token = tokens.issue("ADDR", "free", List.of("wallet")).token();
    assertEquals("ADDR", tokens.verify(token).subject());
    assertEquals(1, tokens.keptTokens(), "a token that passed is kept");
    clock.now = clock.now.plus(Duration.ofMinutes(14));
    assertEquals("ADDR", tokens.verify(token).subject(), "still valid a minute before it expires");
    clock.now = clock.now.plus(Duration.ofMinutes(1)).plusSeconds(6);
    AccessTokens.RejectedException refused = assertThrows(AccessTokens.RejectedException.class, () -> tokens.verify(token));
    assertTrue(refused.getMessage().contains("xpired"), refused.getMessage());
    assertEquals(0, tokens.keptTokens(), "an expired token is dropped");
  }

  @Test
  void aChangedCopyOfAKeptTokenIsVerifiedAfreshAndRefused() throws Exception {
    AccessTokens tokens = tokens(OLD);
    String token = tokens.issue("ADDR", "free", List.of("wallet")).token();
    tokens.verify(token);
    String[] parts = token.split("\\.");
    // The same signature over claims naming another wallet, and over an admin's roles.
    for (String claims : List.of("ATTACKER", "admin")) {
      String payload = new String(Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
          .replace(claims.equals("admin") ? "\"wallet\"" : "ADDR", claims.equals("admin") ? "\"admin\"" : claims);
      String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8))
          + "." + parts[2];
      assertNotEquals(token, forged);
      AccessTokens.RejectedException refused = assertThrows(AccessTokens.RejectedException.class, () -> tokens.verify(forged));
      assertTrue(refused.getMessage().contains("signature"), refused.getMessage());
    }
    // One character of the signature changed.
    char last = token.charAt(token.length() - 2);
    String badSignature = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
    assertThrows(AccessTokens.RejectedException.class, () -> tokens.verify(badSignature));
    assertEquals(1, tokens.keptTokens(), "refused tokens are never kept");
    assertEquals("ADDR", tokens.verify(token).subject());
  }
}
