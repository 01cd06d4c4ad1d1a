package io.mintline.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.deploy.keys.Ed25519Signer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Map;

/** What a multisig co-signer does with a proposal of the admin API, as the key custody tests drive it. */
final class ProposalSigning {
  private ProposalSigning() {}

  /** "TX" ‖ the proposal's transaction: what a co-signer signs. */
  static byte[] message(JsonNode proposal) {
    byte[] txn = Base64.getDecoder().decode(proposal.path("transaction").asText());
    byte[] message = new byte[txn.length + 2];
    message[0] = 'T';
    message[1] = 'X';
    System.arraycopy(txn, 0, message, 2, txn.length);
    return message;
  }

  /** {@code member} signs {@code message} and posts it to proposal {@code id}; answers the proposal. */
  static JsonNode cosign(TestNode node, String token, String id, Account member, byte[] message) throws Exception {
    String body = Json.MAPPER.writeValueAsString(Map.of("signer", member.getAddress().toString(), "signature",
        Base64.getEncoder().encodeToString(Ed25519Signer.fromMnemonic("test", member.toMnemonic()).signBytes(message))));
    HttpResponse<String> r = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/admin/proposals/" + id + "/signatures")))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(200, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body());
  }

  /** Waits until the chain says {@code account} is rekeyed to {@code authAddr}, then asserts it. */
  static void awaitAuthAddr(DevnetCalls chain, String account, String authAddr, long deadlineNanos, String what) throws Exception {
    while (!authAddr.equals(chain.account(account).path("auth-addr").asText()) && System.nanoTime() < deadlineNanos) {
      Thread.sleep(100);
    }
    assertEquals(authAddr, chain.account(account).path("auth-addr").asText(), what);
  }
}
