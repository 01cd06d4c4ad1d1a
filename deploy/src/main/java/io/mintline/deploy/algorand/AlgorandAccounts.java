package io.mintline.deploy.algorand;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** What the chain says about an Algorand account that matters before trusting a signature from it. */
public interface AlgorandAccounts {

  /**
   * The account's auth-addr when it has been rekeyed (its transactions and login messages must then
   * be signed by that address's key), or empty when it signs with its own key.
   */
  CompletionStage<Optional<String>> authAddress(String address);
}
