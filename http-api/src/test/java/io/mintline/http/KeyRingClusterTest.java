package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.transaction.Transaction;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.KeyRole;
import io.mintline.deploy.keys.MultisigAccount;
import io.mintline.deploy.keys.MultisigSigner;
import io.mintline.deploy.keys.RotatingSigner;
import io.mintline.engine.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Key rotation and revocation across a cluster on one PostgreSQL (the shared key ring,
 * {@code KeyRingSync}): a key rotated on one node is the key every node signs with at once, a node
 * that missed the change (started after it, or in no contact with the others) signs with the new key
 * too, and a multisig revocation proposed on a node that is then lost is finished by another, after
 * which no node signs with the revoked key.
 */
class KeyRingClusterTest {

  @Test
  void aKeyRotatedOnOneNodeIsTheKeyEveryNodeSignsWith() throws Exception {
    Config database = TestDatabases.postgres();
    Account oldKey = new Account();
    Account admin = new Account();
    Config keys = ConfigFactory.parseMap(Map.of(
        "mintline.devnet.block-interval", "200ms",
        "mintline.keys.mint-mnemonic", oldKey.toMnemonic(),
        "mintline.edge.admin-wallets", admin.getAddress().toString(),
        // Long: what follows is the doorbell's doing (or the catch-up's), not the poll's.
        "mintline.keys.ring.poll-interval", "1h")).withFallback(database);
    try (TestNode a = TestNode.start(keys)) {
      try (TestNode b = TestNode.start(joining(a).withFallback(keys))) {
        awaitUp(b, 2);
        NodeHttpTest.awaitHealthy(a);
        DevnetCalls chain = new DevnetCalls(a);
        Address mintAccount = oldKey.getAddress();
        a.node.devnet().fund(mintAccount.toString(), 10_000_000L);
        // A node in no contact with the cluster (a cluster of its own), on the same database: it hears no doorbell.
        try (TestNode away = TestNode.start(ConfigFactory.parseMap(Map.of(
            "mintline.algod.url", a.node.devnet().url(),
            "mintline.algod.token", a.node.devnet().apiToken(),
            "mintline.listener.enabled", false)).withFallback(keys))) {
          assertEquals(mintAccount, away.node.keys().mint().keyAddress());
          assertAccepted(chain, b.node.keys().mint(), mintAccount, "node B, before");

          String adminToken = login(a, admin);
          HttpResponse<String> rotated = post(a, adminToken, "/api/v1/admin/keys/mint/rotation");
          assertEquals(200, rotated.statusCode(), rotated.body());
          long answeredAt = System.nanoTime();
          String newKey = Json.MAPPER.readTree(rotated.body()).path("newKey").asText();
          assertEquals(newKey, chain.account(mintAccount.toString()).path("auth-addr").asText());

          // Node B signs with the new key without a restart, and the chain takes it.
          long deadline = answeredAt + TimeUnit.SECONDS.toNanos(5);
          while (!b.node.keys().mint().keyAddress().toString().equals(newKey) && System.nanoTime() < deadline) Thread.sleep(10);
          long switchedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answeredAt);
          assertEquals(newKey, b.node.keys().mint().keyAddress().toString(), "node B signs with the new key");
          System.out.println("KeyRingClusterTest: node B signed with the new key " + switchedMs + " ms after node A answered");
          assertAccepted(chain, b.node.keys().mint(), mintAccount, "node B, after");
          assertEquals(newKey, roleKey(b, adminToken, "mint"), "GET /api/v1/admin/keys on node B");

          // The node that heard nothing still holds the old key, until the chain refuses it: the refusal
          // names the key it wants, which the node finds in the ring.
          RotatingSigner awayMint = (RotatingSigner) away.node.keys().mint();
          assertEquals(mintAccount, awayMint.keyAddress(), "no doorbell reached it");
          HttpResponse<String> refused = chain.submit(awayMint.signToBytes(chain.payment(mintAccount, mintAccount, 0, "old key")));
          assertEquals(400, refused.statusCode(), refused.body());
          assertTrue(refused.body().contains("should have been authorized by " + newKey), refused.body());
          assertTrue(awayMint.isOrBecomes(new Address(newKey)), "the refusal's key is in the ring");
          assertEquals(newKey, awayMint.keyAddress().toString());
          assertAccepted(chain, awayMint, mintAccount, "the node in no contact, after its catch-up");
        }

        // A node started after the rotation with the old key in its settings signs with the new one from the start.
        try (TestNode c = TestNode.start(joining(a).withFallback(keys))) {
          String newKey = chain.account(mintAccount.toString()).path("auth-addr").asText();
          assertEquals(newKey, c.node.keys().mint().keyAddress().toString(), "node C read the ring at start");
          assertAccepted(chain, c.node.keys().mint(), mintAccount, "node C");
        }

        // The old key is refused by the chain, whoever holds it.
        HttpResponse<String> old = chain.submit(Ed25519Signer.fromMnemonic("old", oldKey.toMnemonic())
            .signToBytes(chain.payment(mintAccount, mintAccount, 0, "the old key")));
        assertEquals(400, old.statusCode(), old.body());
      }
    }
  }

  @Test
  void aRevocationProposedOnALostNodeIsFinishedByAnotherAndTheRevokedKeySignsNowhere() throws Exception {
    Config database = TestDatabases.postgres();
    Account stolen = new Account();
    Account alice = new Account();
    Account bob = new Account();
    Account admin = new Account();
    MultisigAccount before = MultisigAccount.of(2, List.of(stolen.getAddress(), alice.getAddress(), bob.getAddress()));
    Map<String, Object> settings = new HashMap<>();
    settings.put("mintline.devnet.block-interval", "200ms");
    settings.put("mintline.keys.deploy-mnemonic", stolen.toMnemonic());
    settings.put("mintline.keys.multisig.deploy-keys", stolen.getAddress() + "," + alice.getAddress() + "," + bob.getAddress());
    settings.put("mintline.keys.multisig.deploy-threshold", 2);
    settings.put("mintline.keys.multisig.validity-rounds", 1000);
    settings.put("mintline.keys.multisig.poll-interval", "100ms");
    settings.put("mintline.keys.ring.poll-interval", "500ms");
    settings.put("mintline.keys.ring.takeover-after", "2s");
    settings.put("mintline.edge.admin-wallets", admin.getAddress().toString());
    Config keys = ConfigFactory.parseMap(settings).withFallback(database);
    try (TestNode a = TestNode.start(keys)) {
      DevnetCalls chain = new DevnetCalls(a);
      String deployAccount = before.address().toString();
      a.node.devnet().fund(deployAccount, 20_000_000);
      String adminToken;
      String proposalId;
      String newKey;
      // Node B proposes the revocation and is gone before the co-signers sign.
      try (TestNode b = TestNode.start(joining(a).withFallback(keys))) {
        awaitUp(b, 2);
        adminToken = login(b, admin);
        HttpResponse<String> revoked = post(b, adminToken, "/api/v1/admin/keys/deploy/revocation");
        assertEquals(202, revoked.statusCode(), revoked.body());
        JsonNode change = Json.MAPPER.readTree(revoked.body());
        proposalId = change.path("proposalId").asText();
        newKey = change.path("newKey").asText();
      }
      JsonNode proposal = Json.MAPPER.readTree(get(a, adminToken, "/api/v1/admin/proposals/" + proposalId).body());
      byte[] message = ProposalSigning.message(proposal);
      assertEquals("pending", ProposalSigning.cosign(a, adminToken, proposalId, alice, message).path("status").asText());
      assertEquals("signed", ProposalSigning.cosign(a, adminToken, proposalId, bob, message).path("status").asText());

      MultisigAccount after = MultisigAccount.of(2, List.of(new Address(newKey), alice.getAddress(), bob.getAddress()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      ProposalSigning.awaitAuthAddr(chain, deployAccount, after.address().toString(), deadline,
          "node A submitted the rekey that node B proposed");
      while (!a.node.keys().deploy().keyAddress().toString().equals(newKey) && System.nanoTime() < deadline) Thread.sleep(100);
      assertEquals(newKey, a.node.keys().deploy().keyAddress().toString(), "node A signs its share with the new key");
      assertEquals(after.address(), ((MultisigSigner) a.node.keys().deploy().current()).multisig().address());

      // A node started with the revoked key in its settings does not sign with it.
      try (TestNode c = TestNode.start(joining(a).withFallback(keys))) {
        assertEquals(newKey, c.node.keys().deploy().keyAddress().toString(), "node C signs with the new key from the start");
        assertEquals(deployAccount, c.node.keys().deploy().address().toString(), "the address stays");
      }
      // And the chain refuses the revoked key even with a member's signature that was good before.
      Transaction theft = chain.payment(before.address(), alice.getAddress(), 1_000_000, "with the revoked key");
      Map<Address, byte[]> sigs = new HashMap<>();
      sigs.put(stolen.getAddress(), Ed25519Signer.fromMnemonic("stolen", stolen.toMnemonic()).signBytes(theft.bytesToSign()));
      sigs.put(alice.getAddress(), Ed25519Signer.fromMnemonic("alice", alice.toMnemonic()).signBytes(theft.bytesToSign()));
      HttpResponse<String> refused = chain.submit(before.encode(theft, sigs));
      assertEquals(400, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("should have been authorized by " + after.address()), refused.body());
    }
  }

  /** Logs in once the node has loaded its token signing keys (a node that just joined answers 503 not_ready meanwhile). */
  private static String login(TestNode node, Account wallet) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        return Creators.login(node, wallet);
      } catch (org.opentest4j.AssertionFailedError e) {
        if (!String.valueOf(e.getMessage()).contains("not_ready") || System.nanoTime() > deadline) throw e;
        Thread.sleep(250);
      }
    }
  }

  private static Config joining(TestNode seed) {
    return ConfigFactory.parseMap(Map.of(
        "akka.cluster.seed-nodes", List.of(Cluster.get(seed.node.system()).selfMember().address().toString()),
        "mintline.algod.url", seed.node.devnet().url(),
        "mintline.algod.token", seed.node.devnet().apiToken()));
  }

  private static void awaitUp(TestNode node, int members) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (StreamSupport.stream(Cluster.get(node.node.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count() < members) {
      assertTrue(System.nanoTime() < deadline, members + " members not Up within 60 s");
      Thread.sleep(200);
    }
  }

  /** {@code signer} signs a 0-Algo payment of {@code account} to itself; the chain must take it. */
  private static void assertAccepted(DevnetCalls chain, io.mintline.deploy.keys.Signer signer, Address account, String who)
      throws Exception {
    HttpResponse<String> r = chain.submit(signer.signToBytes(chain.payment(account, account, 0, who)));
    assertEquals(200, r.statusCode(), who + ": " + r.body());
  }

  private static String roleKey(TestNode node, String token, String role) throws Exception {
    for (JsonNode r : Json.MAPPER.readTree(get(node, token, "/api/v1/admin/keys").body()).path("items")) {
      if (r.path("role").asText().equals(role)) return r.path("key").asText();
    }
    return fail("no role " + role);
  }

  private static HttpResponse<String> post(TestNode node, String token, String path) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url(path))).header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.noBody()));
  }

  private static HttpResponse<String> get(TestNode node, String token, String path) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url(path))).header("Authorization", "Bearer " + token).GET());
  }
}
