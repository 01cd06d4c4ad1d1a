package io.mintline.bench.crypto;

import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.Pkcs11EvmSigner;
import io.mintline.deploy.keys.Pkcs11Signer;
import io.mintline.deploy.keys.Pkcs11Token;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Signing on a PKCS#11 token (SoftHSM2) against the in-memory {@link Ed25519Signer}: what a role
 * pays for keeping its key on a token. The token is made fresh in the directory of the file that
 * {@code SOFTHSM2_CONF} names (this benchmark writes that file), so run it as
 * {@code SOFTHSM2_CONF=/tmp/mintline-bench-hsm/softhsm2.conf java -jar bench/target/mintline-bench.jar Pkcs11SignBench}.
 * The token and its session pool are shared by all benchmark threads, as the node shares them.
 *
 * <p>{@link #main} is the same comparison as a timed loop that also reports the signing thread's
 * CPU time per signature (the token runs in the caller's thread), which a loaded machine bends much
 * less than throughput: {@code java -cp bench/target/mintline-bench.jar io.mintline.bench.crypto.Pkcs11SignBench 20000}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Pkcs11SignBench {
  /** A transaction-sized message, as in {@link Ed25519Bench}. */
  private static final byte[] MESSAGE = ("TX" + "a".repeat(200)).getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HASH = new byte[32];

  @State(Scope.Benchmark)
  public static class Token {
    Pkcs11Token token;
    Pkcs11Signer ed25519;
    Pkcs11EvmSigner secp256k1;
    Ed25519Signer inMemory;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      String conf = System.getenv("SOFTHSM2_CONF");
      if (conf == null || conf.isEmpty()) throw new IllegalStateException("set SOFTHSM2_CONF to a file this benchmark may write");
      Path dir = Files.createDirectories(Path.of(conf).toAbsolutePath().getParent());
      Path tokens = Files.createTempDirectory(dir, "tokens");
      Files.writeString(Path.of(conf), "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
      Process init = new ProcessBuilder("softhsm2-util", "--init-token", "--free", "--label", "bench",
          "--so-pin", "so-bench-pin", "--pin", "bench-pin").inheritIO().start();
      if (init.waitFor() != 0) throw new IllegalStateException("softhsm2-util --init-token failed");
      token = Pkcs11Token.open("/usr/lib/softhsm/libsofthsm2.so", "bench", -1, "bench-pin".toCharArray(), 4);
      token.generateEd25519("mint");
      token.generateSecp256k1("evm");
      ed25519 = token.ed25519("mint", "mint");
      secp256k1 = token.secp256k1("evm");
      inMemory = Ed25519Signer.generate("mint");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      token.close();
    }
  }

  /** Signs {@code args[0]} messages (default 20,000) with each signer after as many for warm-up. */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    Token t = new Token();
    t.setUp();
    try {
      java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
      java.util.Map<String, Runnable> signers = new java.util.LinkedHashMap<>();
      signers.put("inMemoryEd25519", () -> t.inMemory.signBytes(MESSAGE));
      signers.put("pkcs11Ed25519", () -> t.ed25519.signBytes(MESSAGE));
      signers.put("pkcs11Secp256k1", () -> t.secp256k1.signHash(HASH));
      for (var e : signers.entrySet()) {
        for (int i = 0; i < n; i++) e.getValue().run();
        long cpu0 = cpu.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < n; i++) e.getValue().run();
        long wall = System.nanoTime() - wall0;
        long used = cpu.getCurrentThreadCpuTime() - cpu0;
        System.out.printf("%-16s %,8d signatures  %,9.0f /s wall  %7.1f µs CPU each  (%,9.0f /s per core)  load %s%n",
            e.getKey(), n, n * 1e9 / wall, used / 1e3 / n, n * 1e9 / used,
            java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0]);
      }
    } finally {
      t.tearDown();
    }
  }

  @Benchmark
  public byte[] pkcs11Ed25519(Token t) {
    return t.ed25519.signBytes(MESSAGE);
  }

  @Benchmark
  public Object pkcs11Secp256k1(Token t) {
    return t.secp256k1.signHash(HASH);
  }

  @Benchmark
  public byte[] inMemoryEd25519(Token t) {
    return t.inMemory.signBytes(MESSAGE);
  }
}
