package io.mintline.http.auth;

import static org.junit.jupiter.api.Assertions.*;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Access tokens: standard ES256 signatures, and key rotation that keeps the old key verifying. */
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
}
