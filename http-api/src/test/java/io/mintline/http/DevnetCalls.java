package io.mintline.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;

/** What a wallet (or an attacker) does against the test node's devnet directly over algod's HTTP API. */
final class DevnetCalls {
  private final TestNode node;

  DevnetCalls(TestNode node) {
    this.node = node;
  }

  /** A payment of {@code microAlgos} from {@code sender} to {@code receiver}, valid from now for 100 rounds. */
  Transaction payment(Address sender, Address receiver, long microAlgos, String note) throws Exception {
    JsonNode params = get("/v2/transactions/params");
    long round = params.path("last-round").asLong();
    return Transaction.PaymentTransactionBuilder()
        .sender(sender)
        .receiver(receiver)
        .amount(microAlgos)
        .note(note.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .flatFee(Math.max(1000L, params.path("min-fee").asLong()))
        .firstValid(round)
        .lastValid(round + 100)
        .genesisID(params.path("genesis-id").asText())
        .genesisHash(new Digest(Base64.getDecoder().decode(params.path("genesis-hash").asText())))
        .build();
  }

  /** POST /v2/transactions: the devnet's answer (200 with the txid, or 400 with algod's message). */
  HttpResponse<String> submit(byte[] signed) throws Exception {
    return node.http.send(HttpRequest.newBuilder(URI.create(node.node.devnet().url() + "/v2/transactions"))
        .header("X-Algo-API-Token", node.node.devnet().apiToken())
        .header("Content-Type", "application/x-binary")
        .POST(HttpRequest.BodyPublishers.ofByteArray(signed)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A tip as a wallet sends one: {@code fan} pays {@code microAlgos} to a TipProxy's address; its txid once accepted. */
  String submitTip(Account fan, Address app, long microAlgos) throws Exception {
    SignedTransaction signed = fan.signTransaction(payment(fan.getAddress(), app, microAlgos, "tip " + java.util.UUID.randomUUID()));
    HttpResponse<String> accepted = submit(Encoder.encodeToMsgPack(signed));
    assertEquals(200, accepted.statusCode(), accepted.body());
    return signed.transactionID;
  }

  JsonNode account(String address) throws Exception {
    return get("/v2/accounts/" + address);
  }

  JsonNode block(long round) throws Exception {
    return get("/v2/blocks/" + round + "?format=json").path("block");
  }

  long lastRound() throws Exception {
    return get("/v2/status").path("last-round").asLong();
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = node.http.send(HttpRequest.newBuilder(URI.create(node.node.devnet().url() + path))
        .header("X-Algo-API-Token", node.node.devnet().apiToken()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return Json.MAPPER.readTree(r.body());
  }
}
