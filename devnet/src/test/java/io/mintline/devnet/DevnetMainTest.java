package io.mintline.devnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DevnetMainTest {

  @Test
  void defaultsAreTheSandboxConventions() {
    DevnetSettings d = DevnetSettings.defaults();
    assertEquals("127.0.0.1", d.host());
    assertEquals(4001, d.port());
    assertEquals("a".repeat(64), d.apiToken());
    assertEquals(Duration.ofSeconds(1), d.blockInterval());
    assertEquals(26_000, d.maxTxnsPerBlock());
  }

  @Test
  void flagsOverrideDefaults() {
    DevnetSettings s = DevnetMain.parse(new String[] {"--port", "0", "--block-interval-ms", "0",
        "--token", "secret"}, DevnetSettings.defaults());
    assertEquals(0, s.port());
    assertTrue(s.instant());
    assertEquals("secret", s.apiToken());
  }

  @Test
  void badFlagsAreExplained() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> DevnetMain.parse(new String[] {"--port"}, DevnetSettings.defaults()))
        .getMessage().contains("--port"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> DevnetMain.parse(new String[] {"--port", "x"}, DevnetSettings.defaults()))
        .getMessage().contains("--port"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> DevnetMain.parse(new String[] {"--colour", "red"}, DevnetSettings.defaults()))
        .getMessage().contains("--colour"));
    assertThrows(IllegalArgumentException.class,
        () -> DevnetMain.parse(new String[] {"--port", "70000"}, DevnetSettings.defaults()));
    assertThrows(IllegalArgumentException.class,
        () -> DevnetSettings.defaults().withBlockInterval(Duration.ofMillis(-1)));
  }
}
