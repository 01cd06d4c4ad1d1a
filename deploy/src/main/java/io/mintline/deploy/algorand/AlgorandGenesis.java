package io.mintline.deploy.algorand;

import com.algorand.algosdk.v2.client.common.AlgodClient;
import com.algorand.algosdk.v2.client.common.Response;
import com.algorand.algosdk.v2.client.model.TransactionParametersResponse;
import io.mintline.config.SettingsException;
import java.net.URI;

/** The identity of the chain an algod serves: its genesis id and base64 genesis hash. */
public record AlgorandGenesis(String id, String hash) {

  /** Asks {@code GET /v2/transactions/params}; fails with the reason when algod cannot be asked. */
  public static AlgorandGenesis of(AlgodClient algod) {
    Response<TransactionParametersResponse> response;
    try {
      response = algod.TransactionParams().execute();
    } catch (Exception e) {
      throw new IllegalStateException("algod did not answer /v2/transactions/params: " + e.getMessage(), e);
    }
    if (!response.isSuccessful()) {
      throw new IllegalStateException("algod answered " + response.code() + " to /v2/transactions/params: " + response.message());
    }
    return new AlgorandGenesis(response.body().genesisId, response.body().genesisHash());
  }

  /**
   * The network guard at start: the genesis of the chain behind {@code algod}, which must be {@code
   * expectedHash} unless that is null (devnet). A mismatch names both hashes, so an operator sees at
   * once that the node points at the wrong chain.
   */
  public static AlgorandGenesis require(AlgodClient algod, String url, String network, String expectedHash) {
    AlgorandGenesis actual;
    try {
      actual = of(algod);
    } catch (IllegalStateException e) {
      throw new SettingsException("mintline.algod.url", "a reachable algod of " + network + " to check its genesis hash",
          url + " (" + e.getMessage() + ")");
    }
    if (expectedHash != null && !expectedHash.equals(actual.hash())) {
      throw new SettingsException("mintline.algod.url",
          "an algod of " + network + " (genesis hash " + expectedHash + ")",
          url + ", which serves genesis hash " + actual.hash() + " (" + actual.id() + "); refusing to start");
    }
    return actual;
  }

  /** An algosdk client for {@code url} (scheme, host and port) and API token. */
  public static AlgodClient client(String url, String token) {
    URI uri = URI.create(url);
    int port = uri.getPort() != -1 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
    String host = uri.getScheme() + "://" + uri.getHost();
    return new AlgodClient(host, port, token);
  }
}
