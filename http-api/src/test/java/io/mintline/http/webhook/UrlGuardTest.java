package io.mintline.http.webhook;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The SSRF guard: on testnet/mainnet only https to public addresses; loopback only on devnet; a
 * name is judged by every address it resolves to, at registration and again at connect time.
 */
class UrlGuardTest {
  /** A resolver for names that do not exist in real DNS: literal IPs as the JVM parses them, names from the map. */
  static UrlGuard.Resolver names(Map<String, String> names) {
    return host -> {
      String ip = names.get(host);
      if (ip == null) return InetAddress.getAllByName(host);
      if (ip.isEmpty()) throw new UnknownHostException(host);
      return new InetAddress[] {InetAddress.getByAddress(host, InetAddress.getByName(ip).getAddress())};
    };
  }

  final UrlGuard production = new UrlGuard(false, UrlGuard.SYSTEM_DNS);
  final UrlGuard devnet = new UrlGuard(true, UrlGuard.SYSTEM_DNS);

  static UrlGuard.Refused refused(UrlGuard guard, String url) {
    return assertThrows(UrlGuard.Refused.class, () -> guard.check(url), url);
  }

  @Test
  void offDevnetOnlyHttpsToPublicAddressesIsAccepted() {
    assertEquals("https://93.184.216.34/hook", production.check("https://93.184.216.34/hook").toString());
    assertNotNull(production.check("https://[2606:4700:4700::1111]:8443/hook"));
    assertTrue(refused(production, "http://93.184.216.34/hook").malformed(), "plain http is refused off devnet");
    for (String url : new String[] {
        "https://127.0.0.1/hook", "https://127.8.9.10/hook", "https://localhost/hook", "https://[::1]/hook",
        "https://10.0.0.1/", "https://172.16.5.4/", "https://192.168.1.1/", "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/", "https://0.0.0.0/", "https://[fd00::1]/", "https://[fe80::1]/", "https://[::ffff:10.0.0.1]/",
        "https://[64:ff9b::7f00:1]/", "https://224.0.0.1/", "https://198.18.0.1/", "https://[2001:db8::1]/"}) {
      UrlGuard.Refused r = refused(production, url);
      assertFalse(r.malformed(), url);
      assertTrue(r.getMessage().contains("not a public address"), r.getMessage());
    }
  }

  @Test
  void devnetAllowsHttpAndLoopbackButStillNotPrivateAddresses() {
    assertNotNull(devnet.check("http://127.0.0.1:8080/hook"));
    assertNotNull(devnet.check("http://localhost:8080/hook"));
    assertNotNull(devnet.check("https://[::1]/hook"));
    assertFalse(refused(devnet, "http://10.0.0.1/hook").malformed());
    assertFalse(refused(devnet, "http://169.254.169.254/").malformed());
  }

  @Test
  void malformedUrlsAreRefusedAsSuch() {
    for (String url : new String[] {"", "ftp://93.184.216.34/", "not a url", "https:///nohost", "https://u:p@93.184.216.34/",
        "https://93.184.216.34/#frag", "https://93.184.216.34/" + "a".repeat(2100)}) {
      assertTrue(refused(production, url).malformed(), url);
    }
    assertTrue(refused(production, null).malformed());
  }

  @Test
  void aNameIsJudgedByEveryAddressAndAgainAtConnectTime() {
    UrlGuard.Resolver twoAddresses = host -> new InetAddress[] {
        InetAddress.getByAddress(host, new byte[] {93, (byte) 184, (byte) 216, 34}),
        InetAddress.getByAddress(host, new byte[] {10, 0, 0, 1})};
    assertFalse(refused(new UrlGuard(false, twoAddresses), "https://mixed.example/").malformed(),
        "one private address among public ones is enough to refuse");
    assertTrue(refused(new UrlGuard(false, names(Map.of("gone.example", ""))), "https://gone.example/")
        .getMessage().contains("does not resolve"));

    // DNS rebinding: public when registered, loopback when the worker connects.
    AtomicReference<String> answer = new AtomicReference<>("93.184.216.34");
    UrlGuard guard = new UrlGuard(false, host -> new InetAddress[] {
        InetAddress.getByAddress(host, InetAddress.getByName(answer.get()).getAddress())});
    assertNotNull(guard.check("https://rebind.example/hook"));
    assertEquals("93.184.216.34", guard.connectAddress("rebind.example").getHostAddress());
    answer.set("127.0.0.1");
    UrlGuard.Refused atConnect = assertThrows(UrlGuard.Refused.class, () -> guard.connectAddress("rebind.example"));
    assertTrue(atConnect.getMessage().contains("127.0.0.1"), atConnect.getMessage());
  }
}
