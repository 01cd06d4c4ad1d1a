package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.deploy.evm.EvmGateway;
import io.mintline.deploy.evm.LocalEvmNode;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.testing.TestDatabases;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.utils.Numeric;
import io.mintline.devnet.testing.Processes;

/**
 * EVM contract deployment through the API on a real local EVM node (ganache 7.9, started by the
 * test and given to the node as its dev network's rpc-url), a real node on PostgreSQL and solc-js:
 * generate → compile → audit → deploy a soulbound sticker contract, then use it from web3j and from
 * ethers; the CRITICAL-finding gate; bad input; idempotency and gapless nonces under concurrent
 * deploys; an RPC node that is down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EvmDeploymentHttpTest {
  private static final long CHAIN_ID = 31337;
  @TempDir static Path chainDir;
  static Path root;
  static LocalEvmNode ganache;
  static EvmGateway chain;
  static Web3j web3;
  static Credentials deployer;
  static Credentials owner;
  static Config database;
  static TestNode node;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    root = NodeToolchain.require("ganache", "solc", "@openzeppelin/contracts", "ethers");
    ganache = LocalEvmNode.start("node", root.resolve("node_modules"), CHAIN_ID, LocalEvmNode.Mining.INSTANT, chainDir.resolve("chain"));
    chain = new EvmGateway(ganache.url(), "", Duration.ofSeconds(10));
    web3 = Web3j.build(new HttpService(ganache.url()));
    deployer = Credentials.create(Keys.createEcKeyPair());
    owner = Credentials.create(Keys.createEcKeyPair());
    fund(deployer.getAddress());
    fund(owner.getAddress());
    database = TestDatabases.postgres();
    Config config = ConfigFactory.parseMap(Map.of(
        "mintline.contracts.node-modules", root.resolve("node_modules").toString(),
        "mintline.contracts.workers", 1,
        "mintline.devnet.block-interval", "0s",
        "mintline.evm.networks.dev.rpc-url", ganache.url(),
        "mintline.evm.deploy-key", Numeric.toHexStringWithPrefixZeroPadded(deployer.getEcKeyPair().getPrivateKey(), 64),
        "mintline.evm.rpc-timeout", "3s",
        // Well over the ~150 deploy requests (retries included) this class makes from one wallet.
        "mintline.edge.quotas.free", "compilations=1000,deployments=10000,audits=10000",
        // Kanela cannot instrument the PostgreSQL driver once this JVM loaded it (the test's own
        // connection above): the node would fail every pool connection with a ClassCastException.
        "mintline.metrics.instrumentation", false));
    node = TestNode.start(config.withFallback(database).withFallback(TestDatabases.h2(chainDir.resolve("h2"))));
    NodeHttpTest.awaitHealthy(node);
    token = Creators.login(node, new Account());
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
    if (web3 != null) web3.shutdown();
    if (chain != null) chain.close();
    if (ganache != null) ganache.close();
  }

  static void fund(String address) throws Exception {
    chain.raw("evm_setAccountBalance", List.of(address, "0x" + BigInteger.TEN.pow(24).toString(16)))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * POSTs as a client does: an answer of {@code 503 timeout} with {@code retry: true} (the engine
   * busy, as right after the node started on a loaded machine) is sent again, up to five times.
   */
  static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url(path)))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
    HttpRequest built = request.timeout(Duration.ofSeconds(120)).build();
    HttpResponse<String> response = node.http.send(built, HttpResponse.BodyHandlers.ofString());
    for (int attempt = 1; attempt < 5 && retryable(response) && response.body().contains("\"error\":\"timeout\""); attempt++) {
      Thread.sleep(1000);
      response = node.http.send(built, HttpResponse.BodyHandlers.ofString());
    }
    return response;
  }

  static boolean retryable(HttpResponse<String> response) {
    return response.statusCode() == 503 && response.body().contains("\"retry\":true");
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.MAPPER.readTree(response.body());
  }

  /** Compiles {@code sources} for Shanghai (the local chain's newest EVM) as a job; answers the succeeded job. */
  static JsonNode compile(JsonNode sources) throws Exception {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("sources", sources);
    body.putObject("settings").put("evmVersion", "shanghai");
    HttpResponse<String> compiled = post("/api/v1/contracts/compile?wait=60", Json.MAPPER.writeValueAsString(body));
    assertEquals(200, compiled.statusCode(), compiled.body());
    JsonNode job = json(compiled);
    assertEquals("succeeded", job.path("status").asText(), compiled.body());
    return job;
  }

  static JsonNode audit(JsonNode sources) throws Exception {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("sources", sources);
    body.putObject("settings").put("evmVersion", "shanghai");
    HttpResponse<String> audited = post("/api/v1/contracts/audit?wait=60", Json.MAPPER.writeValueAsString(body));
    assertEquals(200, audited.statusCode(), audited.body());
    return json(audited);
  }

  static HttpResponse<String> deploy(String key, ObjectNode body) throws Exception {
    return post("/api/v1/contracts/deploy", Json.MAPPER.writeValueAsString(body), "Idempotency-Key", key);
  }

  static ObjectNode deployBody(String jobId, Object... args) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("jobId", jobId).put("network", "dev");
    ArrayNode a = body.putArray("constructorArgs");
    for (Object arg : args) a.add(Json.MAPPER.valueToTree(arg));
    return body;
  }

  /** Polls the deployment until it is active (or failed: then the test fails with its error). */
  static JsonNode awaitActive(String id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = Creators.get(node, token, "/api/v1/deployments/" + id);
      assertEquals(200, r.statusCode(), r.body());
      last = json(r);
      if (last.path("status").asText().equals("active")) return last;
      assertNotEquals("failed", last.path("status").asText(), r.body());
      Thread.sleep(100);
    }
    fail("deployment " + id + " not active in time: " + last);
    return last;
  }

  static String sendAs(Credentials from, String to, Function function) throws Exception {
    RawTransactionManager tx = new RawTransactionManager(web3, from, CHAIN_ID);
    var sent = tx.sendTransaction(BigInteger.valueOf(10_000_000_000L), BigInteger.valueOf(500_000), to,
        FunctionEncoder.encode(function), BigInteger.ZERO);
    assertFalse(sent.hasError(), () -> sent.getError().getMessage());
    return sent.getTransactionHash();
  }

  static TransactionReceipt receipt(String hash) throws Exception {
    for (int i = 0; i < 200; i++) {
      var r = web3.ethGetTransactionReceipt(hash).send().getTransactionReceipt();
      if (r.isPresent()) return r.get();
      Thread.sleep(50);
    }
    throw new AssertionError("no receipt for " + hash);
  }

  @SuppressWarnings("rawtypes")
  static List<Type> call(String to, Function function) throws Exception {
    String value = web3.ethCall(org.web3j.protocol.core.methods.request.Transaction.createEthCallTransaction(
        owner.getAddress(), to, FunctionEncoder.encode(function)), DefaultBlockParameterName.LATEST).send().getValue();
    return FunctionReturnDecoder.decode(value, function.getOutputParameters());
  }

  @Test
  @Order(1)
  void aGeneratedSoulboundContractDeploysThroughTheApiAndWorksFromWeb3jAndEthers() throws Exception {
    HttpResponse<String> generated = post("/api/v1/contracts/generate",
        "{\"template\":\"soulbound-erc721\",\"name\":\"Sticker\",\"options\":{\"symbol\":\"STK\"}}");
    assertEquals(200, generated.statusCode(), generated.body());
    JsonNode sources = json(generated).path("sources");
    JsonNode job = compile(sources);
    JsonNode report = audit(sources).path("result");
    for (JsonNode finding : report.path("findings")) assertNotEquals("CRITICAL", finding.path("severity").asText(), finding.toString());

    HttpResponse<String> accepted = deploy("sticker-1", deployBody(job.path("id").asText(), owner.getAddress()));
    assertEquals(202, accepted.statusCode(), accepted.body());
    String id = json(accepted).path("deploymentId").asText();
    JsonNode active = awaitActive(id);
    assertEquals("contract", active.path("kind").asText());
    assertEquals("Sticker", active.path("displayName").asText());
    JsonNode evm = active.path("evm");
    String address = evm.path("contractAddress").asText();
    assertTrue(address.matches("0x[0-9a-fA-F]{40}"), active.toString());
    assertEquals(Keys.toChecksumAddress(deployer.getAddress()), evm.path("signer").asText());
    assertTrue(evm.path("gasUsed").asLong() > 100_000, "gasUsed is the receipt's: " + evm);
    assertEquals(1, evm.path("txHashes").size());
    assertEquals(job.path("id").asText(), evm.path("jobId").asText());
    // The read side carries the chain fields too.
    JsonNode listed = json(Creators.get(node, token, "/api/v1/deployments?limit=100"));
    JsonNode row = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (row == null || !row.path("status").asText().equals("active")) {
      assertTrue(System.nanoTime() < deadline, "the read side did not catch up: " + listed);
      listed = json(Creators.get(node, token, "/api/v1/deployments?limit=100"));
      row = null;
      for (JsonNode item : listed.path("items")) if (item.path("id").asText().equals(id)) row = item;
      if (row == null || !row.path("status").asText().equals("active")) Thread.sleep(100);
    }
    assertEquals(evm.path("gasUsed").asLong(), row.path("evm").path("gasUsed").asLong(), row.toString());
    assertEquals(evm.path("blockHash").asText(), row.path("evm").path("blockHash").asText());
    assertEquals(address, row.path("evm").path("contractAddress").asText());

    // The code at the address is the compile job's runtime bytecode (the template has no immutables).
    String deployed = job.path("result").path("contracts").path("Sticker.sol").path("Sticker").path("deployedBytecode").asText();
    String code = chain.code(address).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(deployed.toLowerCase(), code.toLowerCase());

    // web3j: the owner mints, the token is locked, a transfer reverts.
    String fan = Keys.toChecksumAddress(Credentials.create(Keys.createEcKeyPair()).getAddress());
    TransactionReceipt minted = receipt(sendAs(owner, address, new Function("mint",
        List.of(new Address(owner.getAddress()), new Uint256(1), new Utf8String("ipfs://sticker-1")), List.of())));
    assertTrue(minted.isStatusOK(), minted.toString());
    List<Type> locked = call(address, new Function("locked", List.of(new Uint256(1)), List.of(new TypeReference<Bool>() {})));
    assertEquals(Boolean.TRUE, locked.get(0).getValue());
    TransactionReceipt transfer = receipt(sendAs(owner, address, new Function("transferFrom",
        List.of(new Address(owner.getAddress()), new Address(fan), new Uint256(1)), List.of())));
    assertFalse(transfer.isStatusOK(), "a soulbound token does not move: " + transfer);
    List<Type> holder = call(address, new Function("ownerOf", List.of(new Uint256(1)), List.of(new TypeReference<Address>() {})));
    assertEquals(owner.getAddress().toLowerCase(), holder.get(0).getValue().toString().toLowerCase());
    Credentials someone = Credentials.create(Keys.createEcKeyPair());
    fund(someone.getAddress());
    TransactionReceipt stranger = receipt(sendAs(someone, address, new Function("mint",
        List.of(new Address(fan), new Uint256(2), new Utf8String("x")), List.of())));
    assertFalse(stranger.isStatusOK(), "only the owner mints");

    // ethers, as a wallet dApp uses it.
    ProcessBuilder js = new ProcessBuilder("node", "--test", "--test-reporter=tap", "http-api/src/test/js-evm/")
        .directory(root.toFile()).redirectErrorStream(true);
    js.environment().put("EVM_RPC_URL", ganache.url());
    js.environment().put("CONTRACT_ADDRESS", address);
    js.environment().put("OWNER_KEY", Numeric.toHexStringWithPrefixZeroPadded(owner.getEcKeyPair().getPrivateKey(), 64));
    Processes.Finished process = Processes.run(js, Duration.ofMinutes(2));
    String transcript = process.output();
    assertEquals(0, process.exitValue(), transcript);
    List<String> lines = transcript.lines().map(String::strip).toList();
    assertEquals(1, NodeToolchain.tapCount(lines, "pass"), transcript);
    assertEquals(0, NodeToolchain.tapCount(lines, "skipped"), transcript);

    // The same request again: the same deployment, 200, nothing new on chain.
    HttpResponse<String> again = deploy("sticker-1", deployBody(job.path("id").asText(), owner.getAddress()));
    assertEquals(200, again.statusCode(), again.body());
    assertEquals(id, json(again).path("deploymentId").asText());
    // The same key for other arguments is a conflict, not a second contract.
    NodeHttpTest.assertErrorJson(deploy("sticker-1", deployBody(job.path("id").asText(), fan)), 409, "conflict");
  }

  static final String BOMB = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n"
      + "contract Bomb {\n    function boom() external {\n        selfdestruct(payable(msg.sender));\n    }\n}\n";

  @Test
  @Order(2)
  void sourcesWithCriticalFindingsDeployOnlyWhenAcknowledgedAndTheOverrideIsAudited() throws Exception {
    ObjectNode sources = Json.MAPPER.createObjectNode();
    sources.putObject("Bomb.sol").put("content", BOMB);
    JsonNode job = compile(sources);
    JsonNode report = audit(sources).path("result");
    List<String> critical = new ArrayList<>();
    for (JsonNode f : report.path("findings")) if ("CRITICAL".equals(f.path("severity").asText())) critical.add(f.path("id").asText());
    assertFalse(critical.isEmpty(), "the auditor finds the unprotected selfdestruct: " + report);
    awaitListed(job.path("sourceHash").asText());

    HttpResponse<String> refused = deploy("bomb-1", deployBody(job.path("id").asText()));
    NodeHttpTest.assertErrorJson(refused, 409, "critical_findings");
    assertEquals(critical.size(), json(refused).path("findings").size(), refused.body());

    ObjectNode acknowledged = deployBody(job.path("id").asText());
    ArrayNode ack = acknowledged.putArray("acknowledge");
    critical.forEach(ack::add);
    HttpResponse<String> accepted = deploy("bomb-1", acknowledged);
    assertEquals(202, accepted.statusCode(), accepted.body());
    JsonNode active = awaitActive(json(accepted).path("deploymentId").asText());
    assertTrue(chain.code(active.path("evm").path("contractAddress").asText()).toCompletableFuture().get(30, TimeUnit.SECONDS).length() > 2);

    try (Connection c = DriverManager.getConnection(database.getString("mintline.db.url"), database.getString("mintline.db.user"),
        database.getString("mintline.db.password"));
        PreparedStatement s = c.prepareStatement("SELECT resource, details::text FROM audit_logs WHERE action = 'deploy.critical_override'")) {
      try (ResultSet rs = s.executeQuery()) {
        assertTrue(rs.next(), "the override is in audit_logs");
        assertEquals("source:" + job.path("sourceHash").asText(), rs.getString(1));
        for (String id : critical) assertTrue(rs.getString(2).contains(id), rs.getString(2));
        assertFalse(rs.next(), "one override row for one acknowledged deploy");
      }
    }
  }

  /**
   * The deploy gate finds audits through the jobs read side: wait until the audit of these sources
   * is listed (a deploy racing its own audit's projection sees the sources as never audited).
   */
  static void awaitListed(String sourceHash) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      JsonNode page = json(Creators.get(node, token, "/api/v1/jobs?type=audit&limit=100"));
      for (JsonNode item : page.path("items")) {
        if (sourceHash.equals(item.path("sourceHash").asText()) && "succeeded".equals(item.path("status").asText())) return;
      }
      Thread.sleep(100);
    }
    fail("the audit of " + sourceHash + " is not in the jobs list");
  }

  static final String COUNTER = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n"
      + "contract Counter {\n    uint256 public count;\n    address public owner;\n"
      + "    constructor(uint256 start, address who) {\n        count = start;\n        owner = who;\n    }\n}\n";

  static JsonNode counterJob;

  static String counterJobId() throws Exception {
    if (counterJob == null) {
      ObjectNode sources = Json.MAPPER.createObjectNode();
      sources.putObject("Counter.sol").put("content", COUNTER);
      counterJob = compile(sources);
    }
    return counterJob.path("id").asText();
  }

  @Test
  @Order(3)
  void badInputIs400NamingWhatIsWrong() throws Exception {
    String jobId = counterJobId();
    ObjectNode unknownNetwork = deployBody(jobId, 1, owner.getAddress()).put("network", "mainnet-x");
    HttpResponse<String> network = deploy("bad-1", unknownNetwork);
    NodeHttpTest.assertErrorJson(network, 400, "network_not_allowed");
    assertTrue(json(network).path("message").asText().contains("mainnet-x"), network.body());

    HttpResponse<String> count = deploy("bad-2", deployBody(jobId, 1));
    NodeHttpTest.assertErrorJson(count, 400, "invalid_parameter");
    assertTrue(json(count).path("message").asText().contains("takes 2"), count.body());

    HttpResponse<String> type = deploy("bad-3", deployBody(jobId, 1, "0x1234"));
    NodeHttpTest.assertErrorJson(type, 400, "invalid_parameter");
    assertTrue(json(type).path("message").asText().contains("constructorArgs[1] (who)"), type.body());

    HttpResponse<String> range = deploy("bad-4", deployBody(jobId, -1, owner.getAddress()));
    NodeHttpTest.assertErrorJson(range, 400, "invalid_parameter");
    assertTrue(json(range).path("message").asText().contains("constructorArgs[0] (start)"), range.body());

    String badChecksum = Keys.toChecksumAddress(owner.getAddress());
    badChecksum = badChecksum.substring(0, 2) + swapCase(badChecksum.substring(2, 12)) + badChecksum.substring(12);
    if (!badChecksum.equals(Keys.toChecksumAddress(badChecksum))) {
      NodeHttpTest.assertErrorJson(deploy("bad-5", deployBody(jobId, 1, badChecksum)), 400, "invalid_parameter");
    }
    NodeHttpTest.assertErrorJson(deploy("bad-6", deployBody(jobId, 1, owner.getAddress()).put("gas", 1)), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(post("/api/v1/contracts/deploy", Json.MAPPER.writeValueAsString(deployBody(jobId, 1, owner.getAddress()))),
        400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(deploy("bad-7", deployBody("0123456789abcdef0123456789abcdef", 1, owner.getAddress())), 404, "not_found");
  }

  private static String swapCase(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) b.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
    return b.toString();
  }

  @Test
  @Order(4)
  void concurrentDeploysMakeOneContractPerKeyWithGaplessNonces() throws Exception {
    String jobId = counterJobId();
    String signer = deployer.getAddress();
    long before = chain.pendingNonce(signer).toCompletableFuture().get(30, TimeUnit.SECONDS).longValueExact();

    // 20 at once with one key: one deployment, one contract.
    List<CompletableFuture<HttpResponse<String>>> same = new ArrayList<>();
    String body = Json.MAPPER.writeValueAsString(deployBody(jobId, 7, owner.getAddress()));
    for (int i = 0; i < 20; i++) same.add(async("same-key", body));
    Set<String> ids = new HashSet<>();
    int created = 0;
    for (var f : same) {
      HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
      assertTrue(r.statusCode() == 200 || r.statusCode() == 202, r.body());
      if (r.statusCode() == 202) created++;
      ids.add(json(r).path("deploymentId").asText());
    }
    assertEquals(1, ids.size());
    // One 202 — unless the creating request's answer was lost to a 503 and its retry saw the deployment.
    assertTrue(created <= 1, "at most one request created the deployment: " + created);
    JsonNode one = awaitActive(ids.iterator().next());
    assertEquals(before, one.path("evm").path("nonce").asLong());
    assertEquals(before + 1, chain.pendingNonce(signer).toCompletableFuture().get(30, TimeUnit.SECONDS).longValueExact(),
        "one transaction for twenty requests");

    // 50 at once with different keys: 50 contracts, nonces before+1 .. before+50, none stuck.
    List<CompletableFuture<HttpResponse<String>>> many = new ArrayList<>();
    for (int i = 0; i < 50; i++) many.add(async("many-" + i, Json.MAPPER.writeValueAsString(deployBody(jobId, i, owner.getAddress()))));
    List<String> deployments = new ArrayList<>();
    for (var f : many) {
      HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
      assertTrue(r.statusCode() == 202 || r.statusCode() == 200, r.body());
      deployments.add(json(r).path("deploymentId").asText());
    }
    assertEquals(50, new HashSet<>(deployments).size(), "fifty keys, fifty deployments");
    TreeSet<Long> nonces = new TreeSet<>();
    Set<String> addresses = new HashSet<>();
    Map<String, String> signedFor = new java.util.HashMap<>();
    for (String id : deployments) {
      JsonNode active = awaitActive(id);
      for (JsonNode hash : active.path("evm").path("txHashes")) signedFor.put(hash.asText(), id);
      nonces.add(active.path("evm").path("nonce").asLong());
      addresses.add(active.path("evm").path("contractAddress").asText());
      assertEquals(1, active.path("evm").path("txHashes").size(), active.toString());
    }
    assertEquals(50, nonces.size(), "every deployment its own nonce: " + nonces);
    assertEquals(before + 1, nonces.first());
    assertEquals(before + 50, nonces.last(), "no gaps: " + nonces);
    assertEquals(50, addresses.size());
    assertEquals(before + 51, chain.pendingNonce(signer).toCompletableFuture().get(30, TimeUnit.SECONDS).longValueExact());
    assertEveryEvmSignatureAudited(signedFor);
  }

  /**
   * Every EVM transaction the deployment key signed is in the signature audit: a {@code key.signed}
   * row with the key id, the deployment as purpose and the transaction hash — and nothing secret.
   */
  static void assertEveryEvmSignatureAudited(Map<String, String> deploymentByTxHash) throws Exception {
    String keyId = "deploy:" + Keys.toChecksumAddress(deployer.getAddress());
    String secret = Numeric.toHexStringNoPrefix(deployer.getEcKeyPair().getPrivateKey());
    Map<String, String> missing = new java.util.HashMap<>(deploymentByTxHash);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Connection c = DriverManager.getConnection(database.getString("mintline.db.url"), database.getString("mintline.db.user"),
          database.getString("mintline.db.password"));
          PreparedStatement s = c.prepareStatement(
              "SELECT actor, resource, details::text FROM audit_logs WHERE action = 'key.signed' AND actor = ?")) {
        s.setString(1, "key:" + keyId);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            String details = rs.getString(3);
            assertFalse(details.contains(secret), "no key material in the audit: " + details);
            String id = missing.get(rs.getString(2));
            if (id != null && details.contains("\"deploy:" + id + "\"") && details.contains("\"" + keyId + "\"")) {
              missing.remove(rs.getString(2));
            }
          }
        }
      }
      if (missing.isEmpty()) return;
      assertTrue(System.nanoTime() < deadline, "signatures without a key.signed row (tx hash -> deployment): " + missing);
      Thread.sleep(200);
    }
  }

  /**
   * One deploy request, retried as a client does when the answer is {@code 503} with
   * {@code retry: true} (the engine busy under the burst on a loaded machine), with the same key.
   */
  static CompletableFuture<HttpResponse<String>> async(String key, String body) {
    return async(key, body, 0);
  }

  private static CompletableFuture<HttpResponse<String>> async(String key, String body, int attempt) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(node.url("/api/v1/contracts/deploy")))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
        .header("Idempotency-Key", key).timeout(Duration.ofSeconds(120))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return node.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenCompose(r -> {
      boolean retry = retryable(r) && attempt < 10;
      if (!retry) return CompletableFuture.completedFuture(r);
      return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS))
          .thenCompose(x -> async(key, body, attempt + 1));
    });
  }

  @Test
  @Order(5)
  void anRpcNodeThatIsDownIs503RetryAndTheDeploymentResumesWhenItIsBack() throws Exception {
    String jobId = counterJobId();
    int port = ganache.port();
    ganache.close();
    HttpResponse<String> down = deploy("while-down", deployBody(jobId, 42, owner.getAddress()));
    NodeHttpTest.assertErrorJson(down, 503, "chain_unavailable");
    assertTrue(json(down).path("retry").asBoolean());
    String id = json(down).path("deploymentId").asText();
    assertEquals("requested", json(Creators.get(node, token, "/api/v1/deployments/" + id)).path("status").asText());

    ganache = LocalEvmNode.start("node", root.resolve("node_modules"), CHAIN_ID, LocalEvmNode.Mining.INSTANT, chainDir.resolve("chain"), port);
    JsonNode active = awaitActive(id);
    List<Type> count = call(active.path("evm").path("contractAddress").asText(),
        new Function("count", List.of(), List.of(new TypeReference<Uint256>() {})));
    assertEquals(BigInteger.valueOf(42), count.get(0).getValue());
    HttpResponse<String> again = deploy("while-down", deployBody(jobId, 42, owner.getAddress()));
    assertEquals(200, again.statusCode(), again.body());
    assertEquals(id, json(again).path("deploymentId").asText());
  }
}
