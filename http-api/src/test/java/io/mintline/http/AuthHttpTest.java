package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import com.algorand.algosdk.v2.client.common.AlgodClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.deploy.algorand.AlgorandGenesis;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.http.auth.SigningKeys;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * Wallet login end to end on a real node (H2, in-process devnet with instant rounds): Algorand and
 * EVM logins, every refusal with its own code, access-token forgeries, refresh rotation and reuse,
 * logout, API keys and the audit log.
 */
class AuthHttpTest {
  @TempDir static Path dataDir;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Config auth = ConfigFactory.parseMap(Map.of(
        "mintline.auth.nonce-ttl", "3s",
        "mintline.auth.domains", "localhost,other.example",
        "mintline.devnet.block-interval", "0s",
        "mintline.evm.chain-ids", "31337,8453"));
    node = TestNode.start(auth.withFallback(TestDatabases.h2(dataDir)));
    NodeHttpTest.awaitHealthy(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  // ---- helpers ----

  static JsonNode nonce(String address) throws Exception {
    HttpResponse<String> r = node.get("/api/v1/auth/nonce?address=" + address);
    assertEquals(200, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body());
  }

  static HttpResponse<String> post(String path, Object body, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url(path)))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)));
    if (bearer != null) b.header("Authorization", "Bearer " + bearer);
    return node.send(b);
  }

  static HttpResponse<String> login(String address, String message, String signature) throws Exception {
    return post("/api/v1/auth/login", Map.of("address", address, "message", message, "signature", signature), null);
  }

  static String algoSign(Account account, String message) throws Exception {
    return Base64.getEncoder().encodeToString(account.signBytes(message.getBytes(StandardCharsets.UTF_8)).getBytes());
  }

  static String evmSign(ECKeyPair key, String message) {
    Sign.SignatureData s = Sign.signPrefixedMessage(message.getBytes(StandardCharsets.UTF_8), key);
    byte[] out = new byte[65];
    System.arraycopy(s.getR(), 0, out, 0, 32);
    System.arraycopy(s.getS(), 0, out, 32, 32);
    out[64] = s.getV()[0];
    return "0x" + HexFormat.of().formatHex(out);
  }

  static JsonNode tokens(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = Json.MAPPER.readTree(r.body());
    assertEquals("Bearer", body.path("tokenType").asText());
    assertEquals(900, body.path("expiresIn").asLong());
    assertFalse(body.path("accessToken").asText().isBlank());
    assertTrue(body.path("refreshToken").asText().startsWith("mlr_"));
    return body;
  }

  static HttpResponse<String> session(String bearer) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/auth/session"))).header("Authorization", "Bearer " + bearer).GET());
  }

  static void refused(HttpResponse<String> r, int code, String error) throws Exception {
    NodeHttpTest.assertErrorJson(r, code / 10 == 401 ? 401 : 400, error);
    assertEquals(code, Json.MAPPER.readTree(r.body()).path("code").asInt(), r.body());
  }

  static JsonNode algorandLogin(Account account) throws Exception {
    String address = account.getAddress().toString();
    String message = nonce(address).path("message").asText();
    return tokens(login(address, message, algoSign(account, message)));
  }

  // ---- Algorand ----

  /**
   * Every address is a nonce entity, and a shard's first message waits for the coordinator to
   * allocate it, one shard at a time: a crowd of new wallets must land on few shards (with Akka's
   * default of 1,000, a third of 1,000 arriving wallets' nonce requests timed out under load).
   */
  @Test
  void aCrowdOfNewWalletsLandsOnABoundedNumberOfNonceShards() throws Exception {
    java.security.SecureRandom random = new java.security.SecureRandom();
    for (int i = 0; i < 400; i++) {
      byte[] key = new byte[32];
      random.nextBytes(key);
      nonce(new com.algorand.algosdk.crypto.Address(key).toString());
    }
    akka.actor.typed.ActorSystem<Void> system = node.node.system();
    akka.cluster.sharding.ShardRegion.CurrentShardRegionState state = akka.actor.typed.javadsl.AskPattern
        .<akka.cluster.sharding.typed.ClusterShardingQuery, akka.cluster.sharding.ShardRegion.CurrentShardRegionState>ask(
            akka.cluster.sharding.typed.javadsl.ClusterSharding.get(system).shardState(),
            reply -> new akka.cluster.sharding.typed.GetShardRegionState(io.mintline.http.auth.NonceEntity.ENTITY_KEY, reply),
            java.time.Duration.ofSeconds(10), system.scheduler())
        .toCompletableFuture().get(15, java.util.concurrent.TimeUnit.SECONDS);
    int entities = state.getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum();
    assertTrue(entities >= 400, "the 400 wallets' nonce entities are live: " + entities);
    assertTrue(state.getShards().size() <= io.mintline.http.auth.NonceEntity.SHARDS,
        state.getShards().size() + " nonce shards for " + entities + " wallets");
  }

  @Test
  void javaAlgosdkSignBytesLogsIn() throws Exception {
    Account wallet = new Account();
    String address = wallet.getAddress().toString();
    JsonNode issued = nonce(address);
    String message = issued.path("message").asText();
    assertTrue(issued.path("nonce").asText().matches("[0-9a-f]{32}"), "128-bit nonce");
    assertTrue(message.startsWith("localhost wants you to sign in with your Algorand account:\n" + address + "\n"), message);
    assertTrue(message.contains("\nGenesis Hash: " + node.node.devnet().genesisHashBase64() + "\n"), message);
    assertTrue(message.contains("\nNonce: " + issued.path("nonce").asText() + "\n"), message);
    assertTrue(Instant.parse(issued.path("expiresAt").asText()).isAfter(Instant.now()));

    JsonNode tokens = tokens(login(address, message, algoSign(wallet, message)));
    HttpResponse<String> me = session(tokens.path("accessToken").asText());
    assertEquals(200, me.statusCode(), me.body());
    assertEquals(address, Json.MAPPER.readTree(me.body()).path("subject").asText());

    SignedJWT jwt = SignedJWT.parse(tokens.path("accessToken").asText());
    assertEquals(JWSAlgorithm.ES256, jwt.getHeader().getAlgorithm());
    assertEquals(new JOSEObjectType("at+jwt"), jwt.getHeader().getType());
    assertNotNull(jwt.getHeader().getKeyID());
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertEquals("mintline", claims.getIssuer());
    assertEquals(List.of("mintline-api"), claims.getAudience());
    assertEquals(address, claims.getSubject());
    assertNotNull(claims.getJWTID());
    assertNotNull(claims.getIssueTime());
    assertEquals("free", claims.getStringClaim("tier"));

    JsonNode jwks = Json.MAPPER.readTree(node.get("/.well-known/jwks.json").body());
    assertEquals(jwt.getHeader().getKeyID(), jwks.path("keys").get(0).path("kid").asText());
    assertFalse(jwks.path("keys").get(0).has("d"), "public keys only");
    assertTrue(auditActions(address).contains("auth.login"));
  }

  @Test
  void aRekeyedAccountLogsInWithItsAuthKeyOnly() throws Exception {
    Account owner = new Account();
    Account authKey = new Account();
    AlgodClient algod = AlgorandGenesis.client(node.node.devnet().url(), node.node.devnet().apiToken());
    awaitConfirmed(algod, node.node.devnet().fund(owner.getAddress().toString(), 1_000_000));
    Transaction rekey = Transaction.PaymentTransactionBuilder().sender(owner.getAddress()).receiver(owner.getAddress())
        .amount(0).suggestedParams(algod.TransactionParams().execute().body()).rekey(authKey.getAddress()).build();
    var sent = algod.RawTransaction().rawtxn(Encoder.encodeToMsgPack(owner.signTransaction(rekey))).execute();
    assertTrue(sent.isSuccessful(), sent.message());
    awaitConfirmed(algod, sent.body().txId);

    String address = owner.getAddress().toString();
    String message = nonce(address).path("message").asText();
    refused(login(address, message, algoSign(owner, message)), 4011, "invalid_signature");
    message = nonce(address).path("message").asText();
    JsonNode tokens = tokens(login(address, message, algoSign(authKey, message)));
    assertEquals(address, SignedJWT.parse(tokens.path("accessToken").asText()).getJWTClaimsSet().getSubject());
  }

  @Test
  void everyRefusalHasItsOwnCode() throws Exception {
    Account wallet = new Account();
    Account other = new Account();
    String address = wallet.getAddress().toString();

    String m = nonce(address).path("message").asText();
    refused(login(address, m, algoSign(other, m)), 4011, "invalid_signature"); // wrong key

    m = nonce(address).path("message").asText();
    String othersMessage = nonce(other.getAddress().toString()).path("message").asText();
    refused(login(address, othersMessage, algoSign(other, othersMessage)), 4015, "nonce_mismatch"); // another address's message and signature

    m = nonce(address).path("message").asText();
    tokens(login(address, m, algoSign(wallet, m)));
    refused(login(address, m, algoSign(wallet, m)), 4013, "nonce_replayed");

    m = nonce(address).path("message").asText();
    String unknown = m.replaceFirst("Nonce: [0-9a-f]{32}", "Nonce: " + "0".repeat(32));
    refused(login(address, unknown, algoSign(wallet, unknown)), 4012, "nonce_unknown");

    m = nonce(address).path("message").asText();
    String otherDomain = m.replace("localhost wants", "other.example wants").replace("URI: https://localhost", "URI: https://other.example");
    refused(login(address, otherDomain, algoSign(wallet, otherDomain)), 4015, "nonce_mismatch");

    m = nonce(address).path("message").asText();
    String otherNetwork = m.replaceFirst("Genesis Hash: \\S+", "Genesis Hash: SGO1GKSzyE7IEPItTxCByw9x8FmnrCDexi9/cOUJOiI=");
    refused(login(address, otherNetwork, algoSign(wallet, otherNetwork)), 4015, "nonce_mismatch");

    m = nonce(address).path("message").asText();
    String tampered = m.replace("Sign in to Mintline.", "Sign in to Mintline and approve everything.");
    refused(login(address, tampered, algoSign(wallet, tampered)), 4016, "message_tampered");

    m = nonce(address).path("message").asText();
    Thread.sleep(3_200);
    refused(login(address, m, algoSign(wallet, m)), 4014, "nonce_expired");

    refused(login(address, "hello", algoSign(wallet, "hello")), 4007, "invalid_login_message");
    refused(login(address, m, "not base64!"), 4004, "invalid_parameter");
    refused(node.get("/api/v1/auth/nonce?address=" + address + "&network=mainnet"), 4006, "network_not_allowed");
    List<String> actions = auditActions(address);
    assertTrue(actions.stream().filter("auth.login.failed"::equals).count() >= 8, actions.toString());
  }

  // ---- EVM ----

  @Test
  void web3jSignedSiweMessageLogsIn() throws Exception {
    ECKeyPair key = Keys.createEcKeyPair();
    String address = Keys.toChecksumAddress(Keys.getAddress(key));
    JsonNode issued = nonce(address);
    String message = issued.path("message").asText();
    assertTrue(message.startsWith("localhost wants you to sign in with your Ethereum account:\n" + address + "\n\n"), message);
    assertTrue(message.contains("\nVersion: 1\nChain ID: 31337\nNonce: "), message);
    tokens(login(address, message, evmSign(key, message)));

    // Another key's signature recovers another address.
    String again = nonce(address).path("message").asText();
    refused(login(address, again, evmSign(Keys.createEcKeyPair(), again)), 4011, "invalid_signature");

    HttpResponse<String> base = node.get("/api/v1/auth/nonce?address=" + address + "&network=8453");
    assertEquals(200, base.statusCode(), base.body());
    assertTrue(Json.MAPPER.readTree(base.body()).path("message").asText().contains("\nChain ID: 8453\n"));
    refused(node.get("/api/v1/auth/nonce?address=" + address + "&network=1"), 4006, "network_not_allowed");
  }

  // ---- access tokens ----

  @Test
  void forgedAndStaleAccessTokensAreRefused() throws Exception {
    Account wallet = new Account();
    String good = algorandLogin(wallet).path("accessToken").asText();
    assertEquals(200, session(good).statusCode());
    JWKSet keys = SigningKeys.loadOrCreate(JournalDatabase.get(node.node.system()));
    ECKey signing = (ECKey) keys.getKeys().get(0);
    JWTClaimsSet claims = SignedJWT.parse(good).getJWTClaimsSet();
    String subject = wallet.getAddress().toString();

    // Sanity: the test's own signing reproduces an accepted token.
    assertEquals(200, session(sign(signing, signing.getKeyID(), claims)).statusCode());

    List<String> forged = new ArrayList<>();
    forged.add(new PlainJWT(claims).serialize()); // alg: none
    SignedJWT hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(signing.getKeyID()).type(new JOSEObjectType("at+jwt")).build(), claims);
    hs.sign(new MACSigner(padded(signing.toPublicJWK().toJSONString())));
    forged.add(hs.serialize()); // HS256 keyed with the public key
    forged.add(sign(signing, "another-kid", claims));
    forged.add(sign(signing, signing.getKeyID(), with(claims, b -> b.expirationTime(Date.from(Instant.now().minusSeconds(60))))));
    forged.add(sign(signing, signing.getKeyID(), with(claims, b -> b.audience("someone-else"))));
    forged.add(sign(signing, signing.getKeyID(), with(claims, b -> b.issuer("https://evil.example"))));
    forged.add(sign(signing, signing.getKeyID(), with(claims, b -> b.expirationTime(null))));
    String[] parts = good.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("\"free\"", "\"paid\"");
    forged.add(parts[0] + "." + Base64URL.encode(payload) + "." + parts[2]); // tampered payload
    forged.add(sign(signing, signing.getKeyID(), with(claims, b -> b.subject(subject)), new JOSEObjectType("JWT"))); // wrong typ
    for (String token : forged) {
      refused(session(token), 4017, "invalid_token");
    }
  }

  // ---- refresh, logout ----

  @Test
  void reusingARotatedRefreshTokenRevokesItsFamily() throws Exception {
    JsonNode first = algorandLogin(new Account());
    String r1 = first.path("refreshToken").asText();
    JsonNode second = tokens(post("/api/v1/auth/refresh", Map.of("refreshToken", r1), null));
    String r2 = second.path("refreshToken").asText();
    assertNotEquals(r1, r2);
    refused(post("/api/v1/auth/refresh", Map.of("refreshToken", r1), null), 4019, "refresh_token_reused");
    refused(post("/api/v1/auth/refresh", Map.of("refreshToken", r2), null), 4018, "invalid_refresh_token");
    refused(post("/api/v1/auth/refresh", Map.of("refreshToken", "mlr_nothing"), null), 4018, "invalid_refresh_token");
  }

  @Test
  void logoutRevokesTheFamilyAndDeniesTheAccessToken() throws Exception {
    Account wallet = new Account();
    JsonNode tokens = algorandLogin(wallet);
    String access = tokens.path("accessToken").asText();
    HttpResponse<String> out = post("/api/v1/auth/logout", Map.of("refreshToken", tokens.path("refreshToken").asText()), access);
    assertEquals(204, out.statusCode(), out.body());
    refused(session(access), 4017, "invalid_token");
    refused(post("/api/v1/auth/refresh", Map.of("refreshToken", tokens.path("refreshToken").asText()), null), 4018, "invalid_refresh_token");
    List<String> actions = auditActions(wallet.getAddress().toString());
    assertTrue(actions.containsAll(List.of("auth.login", "auth.logout")), actions.toString());
  }

  // ---- API keys ----

  @Test
  void apiKeysAreShownOnceListedByPrefixAndRevocable() throws Exception {
    Account wallet = new Account();
    String access = algorandLogin(wallet).path("accessToken").asText();
    HttpResponse<String> created = post("/api/v1/api-keys", Map.of("name", "ci-bot"), access);
    assertEquals(201, created.statusCode(), created.body());
    JsonNode key = Json.MAPPER.readTree(created.body());
    String secret = key.path("key").asText();
    assertTrue(secret.startsWith("mlk_" + key.path("prefix").asText() + "_"), secret);

    HttpResponse<String> list = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/api-keys"))).header("X-Api-Key", secret).GET());
    assertEquals(200, list.statusCode(), list.body());
    assertFalse(list.body().contains(secret.substring(14)), "the secret is never listed");
    JsonNode item = Json.MAPPER.readTree(list.body()).path("items").get(0);
    assertEquals(key.path("prefix").asText(), item.path("prefix").asText());
    assertEquals("free", item.path("tier").asText());
    assertFalse(item.path("lastUsedAt").isNull(), "the key was just used");

    HttpResponse<String> me = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/auth/session"))).header("X-Api-Key", secret).GET());
    assertEquals(wallet.getAddress().toString(), Json.MAPPER.readTree(me.body()).path("subject").asText());

    HttpResponse<String> deleted = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/api-keys/" + key.path("id").asText())))
        .header("Authorization", "Bearer " + access).DELETE());
    assertEquals(204, deleted.statusCode(), deleted.body());
    NodeHttpTest.assertErrorJson(node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/auth/session"))).header("X-Api-Key", secret).GET()),
        401, "unauthorized");
    NodeHttpTest.assertErrorJson(node.get("/api/v1/api-keys"), 401, "unauthorized");
    assertTrue(auditActions(wallet.getAddress().toString()).containsAll(List.of("api-key.create", "api-key.revoke")));
  }

  @Test
  void badInputIsA4xxNeverA5xx() throws Exception {
    NodeHttpTest.assertErrorJson(node.get("/api/v1/auth/nonce"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(node.get("/api/v1/auth/nonce?address=nope"), 400, "invalid_address");
    NodeHttpTest.assertErrorJson(node.get("/api/v1/auth/nonce?address=" + new Account().getAddress() + "&chain=evm"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(node.get("/api/v1/auth/nonce?address=" + new Account().getAddress() + "&domain="
        + URLEncoder.encode("evil.example", StandardCharsets.UTF_8)), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(post("/api/v1/auth/login", Map.of("address", "x", "extra", 1), null), 400, "invalid_json");
    NodeHttpTest.assertErrorJson(post("/api/v1/auth/refresh", Map.of(), null), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(post("/api/v1/auth/logout", Map.of("refreshToken", "x"), null), 401, "unauthorized");
  }

  // ---- helpers for forging ----

  interface Edit {
    void apply(JWTClaimsSet.Builder builder);
  }

  static JWTClaimsSet with(JWTClaimsSet claims, Edit edit) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder(claims).jwtID(UUID.randomUUID().toString());
    edit.apply(b);
    return b.build();
  }

  static String sign(ECKey key, String kid, JWTClaimsSet claims) throws Exception {
    return sign(key, kid, claims, new JOSEObjectType("at+jwt"));
  }

  static String sign(ECKey key, String kid, JWTClaimsSet claims, JOSEObjectType type) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).type(type).build(), claims);
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  static byte[] padded(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return bytes.length >= 32 ? bytes : java.util.Arrays.copyOf(bytes, 32);
  }

  static List<String> auditActions(String actor) throws Exception {
    List<String> actions = new ArrayList<>();
    Thread.sleep(300); // failures are appended asynchronously
    try (Connection c = JournalDatabase.get(node.node.system()).dataSource().getConnection();
        var select = c.prepareStatement("SELECT action FROM audit_logs WHERE actor = ? ORDER BY id")) {
      select.setString(1, actor);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) actions.add(rs.getString(1));
      }
    }
    return actions;
  }

  static void awaitConfirmed(AlgodClient algod, String txid) throws Exception {
    for (int i = 0; i < 100; i++) {
      var pending = algod.PendingTransactionInformation(txid).execute();
      if (pending.isSuccessful() && pending.body().confirmedRound != null && pending.body().confirmedRound > 0) return;
      Thread.sleep(50);
    }
    fail("transaction " + txid + " not confirmed");
  }
}
