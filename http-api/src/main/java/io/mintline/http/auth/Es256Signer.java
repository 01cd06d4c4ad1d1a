package io.mintline.http.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Set;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.util.BigIntegers;

/**
 * ES256 (ECDSA P-256 with SHA-256) for nimbus on BouncyCastle's lightweight API. Going through JCA
 * (even with the BC provider) converts the key and the curve on every signature, which throws away
 * BC's precomputed multiples of the generator: measured about ten times slower. Here the domain
 * parameters come once from BC's custom P-256 curve, so every signature reuses the precomputation.
 */
final class Es256Signer implements JWSSigner {
  private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
  private static final ECDomainParameters DOMAIN =
      new ECDomainParameters(P256.getCurve(), P256.getG(), P256.getN(), P256.getH(), P256.getSeed());

  private final ECPrivateKeyParameters key;
  private final SecureRandom random = new SecureRandom();
  private final JCAContext jca = new JCAContext();

  Es256Signer(ECKey jwk) throws JOSEException {
    if (!"P-256".equals(jwk.getCurve().getName()) || !jwk.isPrivate()) {
      throw new JOSEException("ES256 needs a private P-256 key");
    }
    this.key = new ECPrivateKeyParameters(jwk.getD().decodeToBigInteger(), DOMAIN);
  }

  @Override
  public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
    if (!JWSAlgorithm.ES256.equals(header.getAlgorithm())) throw new JOSEException("only ES256 is signed here");
    SHA256Digest sha = new SHA256Digest();
    sha.update(signingInput, 0, signingInput.length);
    byte[] digest = new byte[32];
    sha.doFinal(digest, 0);
    ECDSASigner ecdsa = new ECDSASigner();
    ecdsa.init(true, new ParametersWithRandom(key, random));
    BigInteger[] rs = ecdsa.generateSignature(digest);
    // JWS wants R ‖ S, each 32 bytes big-endian (RFC 7518 §3.4), not DER.
    byte[] out = new byte[64];
    BigIntegers.asUnsignedByteArray(rs[0], out, 0, 32);
    BigIntegers.asUnsignedByteArray(rs[1], out, 32, 32);
    return Base64URL.encode(out);
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return Set.of(JWSAlgorithm.ES256);
  }

  @Override
  public JCAContext getJCAContext() {
    return jca;
  }
}
