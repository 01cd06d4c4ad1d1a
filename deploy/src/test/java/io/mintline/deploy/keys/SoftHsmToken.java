package io.mintline.deploy.keys;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import io.mintline.devnet.testing.Processes;
import java.time.Duration;

/**
 * A fresh SoftHSM2 token in a test's own directory: a {@code softhsm2.conf} naming a token
 * directory under {@code dir}, initialised by Debian's {@code softhsm2-util}. SoftHSM2 reads the file
 * named by {@code SOFTHSM2_CONF} when the module is initialised; the test JVM's variable (set by
 * deploy's surefire configuration) names a file that this fixture rewrites, so each test's
 * {@link Pkcs11Token} sees only that test's token. Without SoftHSM2 the test is skipped locally and
 * fails on CI.
 */
final class SoftHsmToken {
  static final String LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";
  static final String SO_PIN = "so-12345678";

  final Path conf;
  final String label;
  final String pin;

  private SoftHsmToken(Path conf, String label, String pin) {
    this.conf = conf;
    this.label = label;
    this.pin = pin;
  }

  /** Skips (locally) or fails (CI=true) when SoftHSM2 is not installed. */
  static void requireSoftHsm() {
    boolean present = Files.isRegularFile(Path.of(LIBRARY)) && onPath("softhsm2-util");
    if (!present) {
      String message = "SoftHSM2 is not installed (apt-get install softhsm2; .ci/run installs it)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message + " (CI=true: PKCS#11 tests must run)");
      Assumptions.assumeTrue(false, message);
    }
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) return true;
    }
    return false;
  }

  /** Initialises a token labelled {@code label} with user PIN {@code pin} in {@code dir}. */
  static SoftHsmToken create(Path dir, String label, String pin) throws IOException, InterruptedException {
    requireSoftHsm();
    Path tokens = Files.createDirectories(dir.resolve("tokens"));
    Path conf = dir.resolve("softhsm2.conf");
    Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
    String jvmConf = System.getenv("SOFTHSM2_CONF");
    if (jvmConf == null || jvmConf.isEmpty()) {
      fail("SOFTHSM2_CONF is not set in the test JVM (deploy's surefire configuration sets it); run the test through Maven");
    }
    // The module in this JVM reads this file at C_Initialize.
    Files.createDirectories(Path.of(jvmConf).getParent());
    Files.copy(conf, Path.of(jvmConf), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    ProcessBuilder init = new ProcessBuilder(List.of("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", pin))
        .redirectErrorStream(true);
    init.environment().put("SOFTHSM2_CONF", conf.toString());
    Processes.Finished p = Processes.run(init, Duration.ofSeconds(60));
    if (p.exitValue() != 0) fail("softhsm2-util --init-token failed: " + p.output());
    return new SoftHsmToken(conf, label, pin);
  }

  Pkcs11Token open() {
    return Pkcs11Token.open(LIBRARY, label, -1, pin.toCharArray(), 2);
  }
}
