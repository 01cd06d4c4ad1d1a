package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.MultisigAccount;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TipProxies created under a 2-of-3 multisig deploy account: the node signs its share, each
 * transaction (the app creation, then the app account's funding) waits as a proposal, and a second
 * wallet — the JavaScript algosdk, as a co-signer's wallet would — adds its signature through the
 * API; only then is it submitted, and the app's creator on chain is the multisig. Bad co-signatures
 * are refused with their 4xx, and a proposal left unsigned past its window expires (410) and is
 * proposed anew.
 */
class MultisigDeploymentHttpTest {
  @TempDir Path dataDir;

  @Test
  void tipProxiesAreCreatedUnderATwoOfThreeDeployAccountWithAJavaScriptCosigner() throws Exception {
    Path repo = NodeToolchain.require("algosdk");
    Account nodeKey = new Account();
    Account cosigner = new Account(); // the JavaScript wallet
    Account offline = new Account(); // the third member, who never signs here
    Account admin = new Account();
    MultisigAccount multisig = MultisigAccount.of(2, List.of(nodeKey.getAddress(), cosigner.getAddress(), offline.getAddress()));
    Config config = ConfigFactory.parseMap(Map.of(
        "mintline.devnet.block-interval", "200ms",
        "mintline.keys.deploy-mnemonic", nodeKey.toMnemonic(),
        "mintline.keys.multisig.deploy-keys", nodeKey.getAddress() + "," + cosigner.getAddress() + "," + offline.getAddress(),
        "mintline.keys.multisig.deploy-threshold", 2,
        // 100 rounds of 200 ms: 20 s for a co-signer, and a test that sees a proposal expire
        "mintline.keys.multisig.validity-rounds", 100,
        "mintline.keys.multisig.poll-interval", "100ms",
        "mintline.edge.admin-wallets", admin.getAddress().toString()));
    try (TestNode node = TestNode.start(config.withFallback(TestDatabases.h2(dataDir)))) {
      NodeHttpTest.awaitHealthy(node);
      node.node.devnet().fund(multisig.address().toString(), 10_000_000);
      String adminToken = Creators.login(node, admin);
      Account creator = new Account();
      String creatorToken = Creators.login(node, creator);

      String first = deploymentId(Creators.becomeCreator(node, creatorToken, "msig-1", "{\"displayName\": \"Multisig One\"}"));
      JsonNode proposal = awaitProposal(node, adminToken, "deploy:" + first, null);
      assertEquals("deploy", proposal.path("role").asText());
      assertEquals(multisig.address().toString(), proposal.path("multisig").path("address").asText());
      assertEquals(multisig.address().toString(), proposal.path("sender").asText(), "the multisig account creates the app");
      assertEquals(2, proposal.path("multisig").path("threshold").asInt());
      assertEquals(List.of(nodeKey.getAddress().toString()), texts(proposal.path("signers")), "the node signed its share");
      assertEquals("requested", Json.MAPPER.readTree(Creators.get(node, creatorToken, "/api/v1/deployments/" + first).body())
          .path("status").asText(), "nothing is submitted before the threshold");

      // Bad co-signatures, each refused with its own 4xx; none is stored.
      String id = proposal.path("id").asText();
      byte[] message = ProposalSigning.message(proposal);
      NodeHttpTest.assertErrorJson(post(node, creatorToken, id, raw(cosigner, message)), 403, "forbidden");
      Account outsider = new Account();
      NodeHttpTest.assertErrorJson(post(node, adminToken, id, raw(outsider, message)), 403, "not_a_cosigner");
      byte[] other = message.clone();
      other[other.length - 1] ^= 1;
      NodeHttpTest.assertErrorJson(post(node, adminToken, id, Map.of("signer", offline.getAddress().toString(),
          "signature", b64(Ed25519Signer.fromMnemonic("test", offline.toMnemonic()).signBytes(other)))), 422, "invalid_cosignature");
      NodeHttpTest.assertErrorJson(post(node, adminToken, id, Map.of("signer", offline.getAddress().toString(),
          "signature", b64(new byte[10]))), 422, "invalid_cosignature");
      NodeHttpTest.assertErrorJson(post(node, adminToken, id, raw(nodeKey, message)), 409, "already_signed");
      NodeHttpTest.assertErrorJson(post(node, adminToken, id, Map.of("signedTransaction", "bm90IG1zZ3BhY2s=")), 400, "invalid_parameter");
      NodeHttpTest.assertErrorJson(post(node, adminToken, id, Map.of()), 400, "invalid_parameter");
      NodeHttpTest.assertErrorJson(post(node, adminToken, "prop_0000000000000000000000000000", raw(cosigner, message)), 404, "not_found");
      assertEquals(List.of(nodeKey.getAddress().toString()),
          texts(Json.MAPPER.readTree(Creators.get(node, adminToken, "/api/v1/admin/proposals/" + id).body()).path("signers")));

      // The co-signer's wallet signs the creation and then the funding, as each appears.
      List<String> signed = cosign(repo, node, adminToken, cosigner, "deploy:" + first, "fund:" + first);
      assertEquals(2, signed.size(), signed.toString());
      JsonNode active = Creators.awaitActive(node, creatorToken, first);
      assertEquals(multisig.address().toString(), appCreator(node, active.path("appId").asLong()),
          "the app was created by the multisig account");
      JsonNode submitted = Json.MAPPER.readTree(Creators.get(node, adminToken, "/api/v1/admin/proposals/" + id).body());
      assertEquals("submitted", submitted.path("status").asText());
      assertEquals(List.of(nodeKey.getAddress().toString(), cosigner.getAddress().toString()), texts(submitted.path("signers")));
      assertEquals(proposal.path("txId").asText(), active.path("txId").asText(), "the proposed transaction is the one on chain");
      NodeHttpTest.assertErrorJson(post(node, adminToken, id, raw(offline, message)), 409, "proposal_closed");

      // A proposal nobody co-signs in its window expires; a late signature is refused, the deployment proposes anew.
      String second = deploymentId(Creators.becomeCreator(node, creatorToken, "msig-2", "{\"displayName\": \"Multisig Two\"}"));
      JsonNode stale = awaitProposal(node, adminToken, "deploy:" + second, null);
      String staleId = stale.path("id").asText();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      String status = "pending";
      while (!status.equals("expired") && System.nanoTime() < deadline) {
        Thread.sleep(250);
        status = Json.MAPPER.readTree(Creators.get(node, adminToken, "/api/v1/admin/proposals/" + staleId).body()).path("status").asText();
      }
      assertEquals("expired", status, "past round " + stale.path("lastValid").asLong());
      NodeHttpTest.assertErrorJson(post(node, adminToken, staleId, raw(cosigner, ProposalSigning.message(stale))), 410, "proposal_expired");
      JsonNode fresh = awaitProposal(node, adminToken, "deploy:" + second, staleId);
      assertTrue(fresh.path("firstValid").asLong() >= stale.path("lastValid").asLong() - 1, fresh.toString());
      assertEquals(2, cosign(repo, node, adminToken, cosigner, "deploy:" + second, "fund:" + second).size());
      JsonNode secondActive = Creators.awaitActive(node, creatorToken, second);
      assertEquals(multisig.address().toString(), appCreator(node, secondActive.path("appId").asLong()));
      assertEquals(1, Creators.appCreations(node, node.node.devnet().url(), node.node.devnet().apiToken(),
          secondActive.path("confirmedRound").asLong(), second), "one app for the deployment, however often it was proposed");
    }
  }

  private static String deploymentId(HttpResponse<String> created) throws Exception {
    assertEquals(202, created.statusCode(), created.body());
    return Json.MAPPER.readTree(created.body()).path("deploymentId").asText();
  }

  /** The pending proposal of {@code purpose} (other than {@code not}), within 30 s. */
  private static JsonNode awaitProposal(TestNode node, String token, String purpose, String not) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      HttpResponse<String> page = Creators.get(node, token, "/api/v1/admin/proposals?status=pending");
      assertEquals(200, page.statusCode(), page.body());
      for (JsonNode p : Json.MAPPER.readTree(page.body()).path("items")) {
        if (p.path("purpose").asText().equals(purpose) && !p.path("id").asText().equals(not)) return p;
      }
      Thread.sleep(100);
    }
    fail("no pending proposal for " + purpose);
    return null;
  }

  /** Runs the JavaScript co-signer for {@code purposes}; answers its "signed …" lines. */
  private List<String> cosign(Path repo, TestNode node, String token, Account wallet, String... purposes) throws Exception {
    Path logFile = Files.createTempFile(dataDir, "cosign", ".log");
    ProcessBuilder builder = new ProcessBuilder("node", repo.resolve("http-api/src/test/js/cosign-proposals.mjs").toString())
        .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(logFile.toFile());
    builder.environment().put("MINTLINE_URL", node.url(""));
    builder.environment().put("ADMIN_TOKEN", token);
    builder.environment().put("COSIGNER_MNEMONIC", wallet.toMnemonic());
    builder.environment().put("PURPOSES", String.join(",", purposes));
    builder.environment().put("TIMEOUT_MS", "45000");
    Process process = builder.start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the JavaScript co-signer did not finish");
    String transcript = Files.readString(logFile);
    assertEquals(0, process.exitValue(), transcript);
    List<String> signed = new ArrayList<>();
    for (String line : transcript.lines().toList()) if (line.startsWith("signed ")) signed.add(line);
    assertTrue(transcript.contains("done " + purposes.length), transcript);
    return signed;
  }

  private static HttpResponse<String> post(TestNode node, String token, String id, Map<String, String> body) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/admin/proposals/" + id + "/signatures")))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body))));
  }

  /** A raw co-signature: {@code wallet}'s Ed25519 signature of {@code message}. */
  private static Map<String, String> raw(Account wallet, byte[] message) {
    return Map.of("signer", wallet.getAddress().toString(),
        "signature", b64(Ed25519Signer.fromMnemonic("test", wallet.toMnemonic()).signBytes(message)));
  }

  private static String appCreator(TestNode node, long appId) throws Exception {
    HttpResponse<String> app = node.http.send(
        HttpRequest.newBuilder(URI.create(node.node.devnet().url() + "/v2/applications/" + appId))
            .header("X-Algo-API-Token", node.node.devnet().apiToken()).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertEquals(200, app.statusCode(), app.body());
    return Json.MAPPER.readTree(app.body()).path("params").path("creator").asText();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
