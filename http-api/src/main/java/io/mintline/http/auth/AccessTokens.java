package io.mintline.http.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.security.Provider;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Issues and verifies the access JWTs: ES256 only, header {@code typ: at+jwt} and {@code kid};
 * claims {@code iss, aud, sub, exp, iat, jti, tier, roles}.
 *
 * <p>Verification is nimbus's {@link DefaultJWTProcessor} with the algorithm allow-list (ES256),
 * the type verifier, a key chosen by {@code kid} from the public keys of the {@link JWKSet}, exact
 * {@code iss}, accepted {@code aud}, and {@code exp}/{@code iat}/{@code jti}/{@code sub} required.
 * Unsigned ({@code alg: none}) tokens never pass. Signing runs on BouncyCastle's lightweight API
 * ({@link Es256Signer}), verification on nimbus with the BouncyCastle provider.
 *
 * <p>A P-256 verification costs more CPU than the rest of a read request, and a client sends the same
 * token with every request for its lifetime, so the claims of a token that passed are kept (bounded,
 * {@link #VERIFIED_CACHE_SIZE}) under the token's exact text: the same bytes always give the same
 * answer, except for time, so a kept token is checked against its expiry again on every use. Only
 * tokens that passed are kept, so refused tokens cannot fill it. Revocation (logout) is checked by
 * the caller after {@link #verify}, so a kept token that was logged out is still refused.
 */
public final class AccessTokens {
  public static final JOSEObjectType TYPE = new JOSEObjectType("at+jwt");
  public static final JWSAlgorithm ALGORITHM = JWSAlgorithm.ES256;
  private static final Provider BC = new BouncyCastleProvider();
  /** Verified tokens kept: one per active session, about 1 KB each. */
  static final int VERIFIED_CACHE_SIZE = 50_000;
  /** The clock skew the claims verifier allows on {@code exp}, seconds. */
  private static final int MAX_CLOCK_SKEW_SECONDS = 5;

  /** A verified token's subject and identity. */
  public record Claims(String subject, String tier, List<String> roles, String jti, Instant expiresAt) {}

  /** An issued token. */
  public record Issued(String token, String jti, Instant expiresAt) {}

  /** The token was refused; the message says why and is safe to show. */
  public static final class RejectedException extends Exception {
    public RejectedException(String message) {
      super(message, null, false, false);
    }
  }

  private final String issuer;
  private final String audience;
  private final Duration ttl;
  private final Clock clock;
  private final String signingKid;
  private final Es256Signer signer;
  private final JWKSet publicKeys;
  private final DefaultJWTProcessor<SecurityContext> processor;
  private final Cache<String, Claims> verified;

  /** {@code keys}: the first private EC key signs, every key verifies (rotation keeps the old one). */
  public AccessTokens(JWKSet keys, String issuer, String audience, Duration ttl, Clock clock) {
    this.issuer = issuer;
    this.audience = audience;
    this.ttl = ttl;
    this.clock = clock;
    ECKey signing = keys.getKeys().stream()
        .filter(k -> k instanceof ECKey ec && ec.isPrivate() && k.getKeyID() != null)
        .map(ECKey.class::cast)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("the JWK set has no private EC P-256 key with a kid"));
    try {
      this.signer = new Es256Signer(signing);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("the signing key is not a P-256 key: " + e.getMessage(), e);
    }
    this.signingKid = signing.getKeyID();
    this.publicKeys = keys.toPublicJWKSet();

    DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();
    verifiers.getJCAContext().setProvider(BC);
    processor = new DefaultJWTProcessor<>();
    processor.setJWSVerifierFactory(verifiers);
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(TYPE));
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHM, new ImmutableJWKSet<>(publicKeys)));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        audience,
        new JWTClaimsSet.Builder().issuer(issuer).build(),
        Set.of("sub", "exp", "iat", "jti")) {
      // The same clock as issuing and the kept tokens' expiry check.
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    claims.setMaxClockSkew(MAX_CLOCK_SKEW_SECONDS);
    processor.setJWTClaimsSetVerifier(claims);
    verified = Caffeine.newBuilder().maximumSize(VERIFIED_CACHE_SIZE).expireAfterWrite(ttl.plusSeconds(MAX_CLOCK_SKEW_SECONDS)).build();
  }

  /** The public keys, for {@code /.well-known/jwks.json}. */
  public JWKSet publicKeys() {
    return publicKeys;
  }

  public String signingKid() {
    return signingKid;
  }

  public Duration ttl() {
    return ttl;
  }

  public Issued issue(String subject, String tier, List<String> roles) {
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    String jti = UUID.randomUUID().toString();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience(audience)
        .subject(subject)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(expires))
        .jwtID(jti)
        .claim("tier", tier)
        .claim("roles", roles)
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(ALGORITHM).keyID(signingKid).type(TYPE).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing an access token failed", e);
    }
    return new Issued(jwt.serialize(), jti, Date.from(expires).toInstant());
  }

  public Claims verify(String token) throws RejectedException {
    if (token == null || token.isBlank() || token.length() > 8192) throw new RejectedException("access token is missing or too long");
    Claims kept = verified.getIfPresent(token);
    if (kept != null) {
      if (clock.instant().isBefore(kept.expiresAt().plusSeconds(MAX_CLOCK_SKEW_SECONDS))) return kept;
      verified.invalidate(token);
    }
    Claims claims = verifySignatureAndClaims(token);
    verified.put(token, claims);
    return claims;
  }

  /** Tokens verified so far and still kept (for tests). */
  long keptTokens() {
    verified.cleanUp();
    return verified.estimatedSize();
  }

  private Claims verifySignatureAndClaims(String token) throws RejectedException {
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      throw new RejectedException("access token is not a JWT");
    } catch (BadJOSEException e) {
      throw new RejectedException("access token refused: " + e.getMessage());
    } catch (JOSEException e) {
      throw new RejectedException("access token could not be verified: " + e.getMessage());
    }
    try {
      List<String> roles = claims.getStringListClaim("roles");
      return new Claims(claims.getSubject(), claims.getStringClaim("tier") == null ? "free" : claims.getStringClaim("tier"),
          roles == null ? List.of() : roles, claims.getJWTID(), claims.getExpirationTime().toInstant());
    } catch (ParseException e) {
      throw new RejectedException("access token claims have the wrong types");
    }
  }

  /** True when {@code key} could sign access tokens: a private EC P-256 key with a kid. */
  static boolean canSign(JWK key) {
    return key instanceof ECKey ec && ec.isPrivate() && key.getKeyID() != null;
  }
}
