package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.transaction.Transaction;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.MultisigAccount;
import io.mintline.engine.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key-compromise drill (docs/runbooks/key-compromise.md): the node's deployment key, one member
 * of the 2-of-3 deploy multisig, is stolen. The admins' wallets — the two other members — revoke it
 * by rekeying the deploy account to the multisig with a new node key in its place, without the
 * compromised key's signature. Afterwards the thief's key moves nothing, even together with a
 * member's signature that was good before; the account's address, its apps and balance stay, and
 * the node deploys on with its new key without a restart.
 */
class KeyCompromiseDrillTest {
  @TempDir Path dataDir;

  @Test
  void theAdminMultisigRevokesACompromisedDeploymentKey() throws Exception {
    Account stolen = new Account(); // the node's deploy key, now also the attacker's
    Account alice = new Account();
    Account bob = new Account();
    Account admin = new Account();
    MultisigAccount before = MultisigAccount.of(2, List.of(stolen.getAddress(), alice.getAddress(), bob.getAddress()));
    Config config = ConfigFactory.parseMap(Map.of(
        "mintline.devnet.block-interval", "200ms",
        "mintline.keys.deploy-mnemonic", stolen.toMnemonic(),
        "mintline.keys.multisig.deploy-keys", stolen.getAddress() + "," + alice.getAddress() + "," + bob.getAddress(),
        "mintline.keys.multisig.deploy-threshold", 2,
        "mintline.keys.multisig.validity-rounds", 300,
        "mintline.keys.multisig.poll-interval", "100ms",
        "mintline.edge.admin-wallets", admin.getAddress().toString()));
    try (TestNode node = TestNode.start(config.withFallback(TestDatabases.h2(dataDir)))) {
      NodeHttpTest.awaitHealthy(node);
      DevnetCalls chain = new DevnetCalls(node);
      String deployAccount = before.address().toString();
      node.node.devnet().fund(deployAccount, 20_000_000);
      String adminToken = Creators.login(node, admin);
      Account thief = new Account();

      // Before: the stolen key alone moves nothing (a 2-of-3 multisig), but with a member's signature it would.
      Transaction theft = theft(chain, before, thief);
      assertRefused(chain.submit(before.encode(theft, sigs(theft, stolen))), "fewer than the threshold");
      assertRefused(chain.submit(plain(theft(chain, before, thief), stolen)), "should have been authorized by");
      Transaction tricked = chain.payment(before.address(), thief.getAddress(), 200_000, "a co-signer tricked into signing");
      HttpResponse<String> accepted = chain.submit(before.encode(tricked, sigs(tricked, stolen, alice)));
      assertEquals(200, accepted.statusCode(), "the old multisig is in force before the revocation: " + accepted.body());

      // The revocation: proposed without the stolen key's signature; Alice and Bob sign it from their wallets.
      HttpResponse<String> revoked = call(node, adminToken, "POST", "/api/v1/admin/keys/deploy/revocation");
      assertEquals(202, revoked.statusCode(), revoked.body());
      JsonNode change = Json.MAPPER.readTree(revoked.body());
      assertEquals(stolen.getAddress().toString(), change.path("oldKey").asText());
      assertEquals(deployAccount, change.path("account").asText());
      String newKey = change.path("newKey").asText();
      assertNotEquals(stolen.getAddress().toString(), newKey);
      String proposalId = change.path("proposalId").asText();
      JsonNode proposal = Json.MAPPER.readTree(call(node, adminToken, "GET", "/api/v1/admin/proposals/" + proposalId).body());
      assertEquals(List.of(), texts(proposal.path("signers")), "the compromised key does not sign its own revocation");
      byte[] message = ProposalSigning.message(proposal);
      assertEquals("pending", ProposalSigning.cosign(node, adminToken, proposalId, alice, message).path("status").asText());
      assertEquals("signed", ProposalSigning.cosign(node, adminToken, proposalId, bob, message).path("status").asText());

      MultisigAccount after = MultisigAccount.of(2, List.of(new Address(newKey), alice.getAddress(), bob.getAddress()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      ProposalSigning.awaitAuthAddr(chain, deployAccount, after.address().toString(), deadline,
          "the deploy account is rekeyed to the multisig with the new node key");
      JsonNode deployRole = role(node, adminToken, "deploy");
      while (!deployRole.path("key").asText().equals(newKey) && System.nanoTime() < deadline) {
        Thread.sleep(100);
        deployRole = role(node, adminToken, "deploy");
      }
      assertEquals(newKey, deployRole.path("key").asText(), "the node signs with its new key, without a restart");
      assertEquals(deployAccount, deployRole.path("account").asText(), "the address stays");
      assertEquals(after.address().toString(), deployRole.path("multisig").asText());

      // After: the thief's key moves nothing, not even with the signature that worked before.
      long thiefBalance = chain.account(thief.getAddress().toString()).path("amount").asLong();
      Transaction again = chain.payment(before.address(), thief.getAddress(), 200_000, "the same trick, after");
      assertRefused(chain.submit(before.encode(again, sigs(again, stolen, alice))), "should have been authorized by " + after.address());
      assertRefused(chain.submit(plain(theft(chain, before, thief), stolen)), "should have been authorized by");
      Transaction drain = chain.payment(before.address(), thief.getAddress(), 5_000_000, "drain");
      // Named as a member of the new multisig the stolen key counts for nothing: it is not one.
      assertRefused(chain.submit(after.encode(drain, sigs(drain, stolen))), "fewer than the threshold");
      assertEquals(thiefBalance, chain.account(thief.getAddress().toString()).path("amount").asLong());

      // The node deploys on: its new share plus Alice's signature create a TipProxy from the same account.
      Account creator = new Account();
      String creatorToken = Creators.login(node, creator);
      HttpResponse<String> created = Creators.becomeCreator(node, creatorToken, "after-revocation", "{\"displayName\": \"After\"}");
      assertEquals(202, created.statusCode(), created.body());
      String deploymentId = Json.MAPPER.readTree(created.body()).path("deploymentId").asText();
      for (String purpose : List.of("deploy:" + deploymentId, "fund:" + deploymentId)) {
        JsonNode p = awaitPending(node, adminToken, purpose);
        assertEquals(List.of(newKey), texts(p.path("signers")), "the node's share is its new key's");
        assertEquals(after.address().toString(), p.path("multisig").path("address").asText());
        // Two of three: signed, or already on its way to the chain when the answer was written.
        String status = ProposalSigning.cosign(node, adminToken, p.path("id").asText(), alice, ProposalSigning.message(p)).path("status").asText();
        assertTrue(status.equals("signed") || status.equals("submitted"), status);
      }
      JsonNode active = Creators.awaitActive(node, creatorToken, deploymentId);
      assertTrue(active.path("appId").asLong() > 0, active.toString());
    }
  }

  /** The thief's payment of most of the deploy account's balance to themselves. */
  private static Transaction theft(DevnetCalls chain, MultisigAccount account, Account thief) throws Exception {
    return chain.payment(account.address(), thief.getAddress(), 10_000_000, "theft");
  }

  /** The given members' signatures of {@code txn}. */
  private static Map<Address, byte[]> sigs(Transaction txn, Account... members) throws Exception {
    Map<Address, byte[]> out = new HashMap<>();
    for (Account m : members) out.put(m.getAddress(), Ed25519Signer.fromMnemonic("test", m.toMnemonic()).signBytes(txn.bytesToSign()));
    return out;
  }

  /** {@code txn} signed by {@code key} alone, claiming the account was rekeyed to it. */
  private static byte[] plain(Transaction txn, Account key) {
    return Ed25519Signer.fromMnemonic("thief", key.toMnemonic()).forAccount(txn.sender).signToBytes(txn);
  }

  private static void assertRefused(HttpResponse<String> answer, String reason) {
    assertEquals(400, answer.statusCode(), answer.body());
    assertTrue(answer.body().contains(reason), answer.body());
  }

  private static HttpResponse<String> call(TestNode node, String token, String method, String path) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url(path))).header("Authorization", "Bearer " + token)
        .method(method, HttpRequest.BodyPublishers.noBody()));
  }

  private static JsonNode role(TestNode node, String token, String role) throws Exception {
    for (JsonNode r : Json.MAPPER.readTree(call(node, token, "GET", "/api/v1/admin/keys").body()).path("items")) {
      if (r.path("role").asText().equals(role)) return r;
    }
    fail("no role " + role);
    return null;
  }

  private static JsonNode awaitPending(TestNode node, String token, String purpose) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (JsonNode p : Json.MAPPER.readTree(call(node, token, "GET", "/api/v1/admin/proposals?status=pending").body()).path("items")) {
        if (p.path("purpose").asText().equals(purpose)) return p;
      }
      Thread.sleep(100);
    }
    fail("no pending proposal for " + purpose);
    return null;
  }

  private static java.util.List<String> texts(JsonNode array) {
    java.util.List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
