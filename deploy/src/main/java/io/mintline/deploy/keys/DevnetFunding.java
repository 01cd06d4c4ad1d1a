package io.mintline.deploy.keys;

import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.Transaction;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.algorand.ChainParams;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devnet start-up step that pays the keys a {@link KeyRing} generated (devnet only) from the
 * devnet's genesis account, and waits until the payments are confirmed. The node calls it once,
 * after the gateway is up and before anything signs with those keys.
 */
public final class DevnetFunding {
  private static final Logger log = LoggerFactory.getLogger(DevnetFunding.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private DevnetFunding() {}

  /**
   * Pays {@code microAlgos} from {@code genesis} to every generated key of {@code keys}.
   * Completes when all payments are confirmed (at once when nothing was generated).
   */
  public static CompletionStage<Void> fund(AlgorandGateway gateway, Signer genesis, KeyRing keys, long microAlgos) {
    if (keys.generated().isEmpty()) return CompletableFuture.completedFuture(null);
    return gateway.params().thenCompose(params -> {
      List<CompletableFuture<?>> confirmations = new ArrayList<>();
      for (KeyRole role : keys.generated()) {
        Transaction pay = payment(genesis, keys.signer(role), role, microAlgos, params);
        byte[] bytes = genesis.signToBytes(pay);
        long lastValid = pay.lastValid.longValue();
        confirmations.add(gateway.submit(bytes)
            .thenCompose(txId -> gateway.awaitConfirmation(txId, lastValid))
            .thenAccept(c -> log.info("devnet: funded generated {} key {} with {} µAlgo (round {})",
                role.id(), keys.signer(role).address(), microAlgos, c.round()))
            .toCompletableFuture());
      }
      return CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new));
    });
  }

  private static Transaction payment(Signer from, Signer to, KeyRole role, long microAlgos, ChainParams params) {
    return Transaction.PaymentTransactionBuilder()
        .sender(from.address())
        .receiver(to.address())
        .amount(microAlgos)
        .flatFee(params.minFee())
        .firstValid(params.lastRound())
        .lastValid(params.lastRound() + 1000)
        .genesisID(params.genesisId())
        .genesisHash(new Digest(params.genesisHash()))
        .note(("mintline:devnet-funding:" + role.id()).getBytes(StandardCharsets.UTF_8))
        .build();
  }

  /**
   * The first genesis account of a Mintline devnet reached over HTTP ({@code GET /devnet/accounts}),
   * for a node on network=devnet whose algod URL is an external devnet. (The in-process devnet
   * hands its accounts over directly.)
   */
  public static Signer genesisAccount(String devnetUrl, String token) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(devnetUrl + "/devnet/accounts"))
        .timeout(Duration.ofSeconds(10)).header("X-Algo-API-Token", token).GET().build();
    try {
      HttpResponse<byte[]> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(devnetUrl + " is not a Mintline devnet (GET /devnet/accounts answered " + response.statusCode() + ")");
      }
      JsonNode first = JSON.readTree(response.body()).path("accounts").path(0);
      if (!first.hasNonNull("mnemonic")) throw new IllegalStateException(devnetUrl + " lists no genesis account");
      return Ed25519Signer.fromMnemonic("devnet-genesis", first.get("mnemonic").asText());
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the devnet at " + devnetUrl + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking " + devnetUrl + " for its genesis account", e);
    }
  }
}
