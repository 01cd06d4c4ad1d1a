package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.deploy.keys.MultisigAccount;
import io.mintline.deploy.keys.Pkcs11Token;
import io.mintline.deploy.keys.Signer;
import io.mintline.engine.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose admin key is on a PKCS#11 token (SoftHSM2) closes its sessions with the token when
 * it stops (coordinated shutdown): afterwards nothing signs with that key any more, and the token
 * opens again in the same process.
 */
class Pkcs11NodeShutdownTest {
  static final String LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";

  @TempDir Path dir;

  @Test
  void stoppingTheNodeClosesItsTokenSessions() throws Exception {
    String pin = "1234";
    initToken("mintline-shutdown", pin);
    try (Pkcs11Token token = Pkcs11Token.open(LIBRARY, "mintline-shutdown", -1, pin.toCharArray(), 1)) {
      token.generateEd25519("admin-key");
    }
    Config config = ConfigFactory.parseMap(Map.of(
        "mintline.keys.pkcs11.library", LIBRARY,
        "mintline.keys.pkcs11.token-label", "mintline-shutdown",
        "mintline.keys.pkcs11.pin", pin,
        "mintline.keys.pkcs11.admin-label", "admin-key"));
    TestNode node = TestNode.start(config.withFallback(TestDatabases.h2(dir.resolve("db"))));
    Signer admin;
    byte[] message = "a message".getBytes(StandardCharsets.UTF_8);
    try {
      admin = node.node.keys().admin();
      assertTrue(MultisigAccount.verifies(admin.keyAddress(), message, admin.signBytes(message)), "the node signs on the token");
    } finally {
      node.close();
    }
    assertThrows(RuntimeException.class, () -> admin.signBytes(message), "the stopped node's token sessions are closed");
    try (Pkcs11Token again = Pkcs11Token.open(LIBRARY, "mintline-shutdown", -1, pin.toCharArray(), 1)) {
      Signer key = again.ed25519("admin", "admin-key");
      assertTrue(MultisigAccount.verifies(key.keyAddress(), message, key.signBytes(message)), "the token opens again");
    }
  }

  /** A fresh SoftHSM2 token in this test's directory, named by the JVM's SOFTHSM2_CONF (http-api's surefire sets it). */
  private void initToken(String label, String pin) throws Exception {
    boolean present = Files.isRegularFile(Path.of(LIBRARY)) && Files.isExecutable(Path.of("/usr/bin/softhsm2-util"));
    if (!present) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) fail("SoftHSM2 is not installed (CI=true: PKCS#11 tests must run)");
      Assumptions.assumeTrue(false, "SoftHSM2 is not installed (apt-get install softhsm2)");
    }
    String jvmConf = System.getenv("SOFTHSM2_CONF");
    if (jvmConf == null || jvmConf.isEmpty()) fail("SOFTHSM2_CONF is not set in the test JVM; run the test through Maven");
    Path tokens = Files.createDirectories(dir.resolve("tokens"));
    Path conf = dir.resolve("softhsm2.conf");
    Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
    Files.createDirectories(Path.of(jvmConf).getParent());
    Files.copy(conf, Path.of(jvmConf), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    ProcessBuilder init = new ProcessBuilder(List.of("softhsm2-util", "--init-token", "--free", "--label", label,
        "--so-pin", "so-12345678", "--pin", pin)).redirectErrorStream(true);
    init.environment().put("SOFTHSM2_CONF", conf.toString());
    Process p = init.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) fail("softhsm2-util --init-token failed: " + out);
  }
}
