package io.mintline.bench.crypto;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Ed25519 ceiling every Algorand path sits under: one signature per minted sticker, one
 * verification per login and per transaction the devnet accepts. Compares BouncyCastle's lightweight
 * Ed25519 (what the node and the devnet use) with the JDK's own {@code Signature.getInstance("Ed25519")}
 * (SunEC, what algosdk's {@code Account.signTransaction} reaches when no provider is named).
 *
 * <p>Single-threaded by default; {@code -t 2} gives the two-core figure.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Ed25519Bench {

  /** A transaction-sized message: a payment's canonical msgpack is about 200 bytes. */
  private static final byte[] MESSAGE =
      ("TX" + "a".repeat(200)).getBytes(StandardCharsets.US_ASCII);

  @State(Scope.Thread)
  public static class BouncyCastleKeys {
    Ed25519Signer signer;
    Ed25519Signer verifier;
    byte[] signature;

    @Setup
    public void setUp() {
      Ed25519PrivateKeyParameters privateKey = new Ed25519PrivateKeyParameters(new SecureRandom());
      Ed25519PublicKeyParameters publicKey = privateKey.generatePublicKey();
      signer = new Ed25519Signer();
      signer.init(true, privateKey);
      verifier = new Ed25519Signer();
      verifier.init(false, publicKey);
      signer.update(MESSAGE, 0, MESSAGE.length);
      signature = signer.generateSignature();
    }
  }

  @State(Scope.Thread)
  public static class JdkKeys {
    KeyPair keys;
    byte[] signature;

    @Setup
    public void setUp() throws Exception {
      keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      Signature sign = Signature.getInstance("Ed25519");
      sign.initSign(keys.getPrivate());
      sign.update(MESSAGE);
      signature = sign.sign();
    }
  }

  @Benchmark
  public byte[] bouncyCastleSign(BouncyCastleKeys keys) {
    keys.signer.update(MESSAGE, 0, MESSAGE.length);
    return keys.signer.generateSignature();
  }

  @Benchmark
  public boolean bouncyCastleVerify(BouncyCastleKeys keys) {
    keys.verifier.update(MESSAGE, 0, MESSAGE.length);
    return keys.verifier.verifySignature(keys.signature);
  }

  @Benchmark
  public byte[] jdkSign(JdkKeys keys) throws Exception {
    Signature sign = Signature.getInstance("Ed25519");
    sign.initSign(keys.keys.getPrivate());
    sign.update(MESSAGE);
    return sign.sign();
  }

  @Benchmark
  public boolean jdkVerify(JdkKeys keys) throws Exception {
    Signature verify = Signature.getInstance("Ed25519");
    verify.initVerify(keys.keys.getPublic());
    verify.update(MESSAGE);
    return verify.verify(keys.signature);
  }
}
