package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * What actually runs is the project's one dependency line (the root pom's managed versions): the enforcer refuses a
 * second version at build time; this checks the versions the node's classpath reports at run time.
 */
class DependencyLineTest {

  @Test
  void theNodeRunsOnAkka2621AndAkkaHttp10210() {
    assertEquals("2.6.21", akka.Version.current());
    assertEquals("10.2.10", akka.http.Version.current());
  }

  @Test
  void oneJacksonAndOneScalaLibrary() {
    assertEquals("2.19.4", com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString());
    assertEquals("2.19.4", com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString());
    assertEquals("2.19.4", com.fasterxml.jackson.dataformat.cbor.PackageVersion.VERSION.toString());
    assertEquals("2.13.16", scala.util.Properties.versionNumberString());
  }

  @Test
  void noBouncyCastleJdk15to18OnTheClasspath() {
    // bcprov-jdk15to18 (algosdk's) duplicates bcprov-jdk18on's classes; only jdk18on may be present.
    assertNull(getClass().getClassLoader().getResource("META-INF/versions/9/bcprov-jdk15to18.properties"));
    String location = org.bouncycastle.crypto.digests.KeccakDigest.class.getProtectionDomain().getCodeSource().getLocation().toString();
    assertTrue(location.contains("bcprov-jdk18on"), location);
  }
}
