package io.mintline.deploy.algorand;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.v2.client.common.AlgodClient;
import com.algorand.algosdk.v2.client.common.Response;
import com.algorand.algosdk.v2.client.model.Account;
import com.algorand.algosdk.v2.client.model.Enums;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** {@link AlgorandAccounts} on algosdk's {@link AlgodClient} ({@code GET /v2/accounts/{addr}?exclude=all}). */
public final class AlgodAccounts implements AlgorandAccounts {
  private final AlgodClient algod;
  private final Executor blockingIo;

  /** {@code blockingIo} runs algosdk's blocking HTTP calls. */
  public AlgodAccounts(AlgodClient algod, Executor blockingIo) {
    this.algod = algod;
    this.blockingIo = blockingIo;
  }

  @Override
  public CompletionStage<Optional<String>> authAddress(String address) {
    return CompletableFuture.supplyAsync(() -> lookUp(address), blockingIo);
  }

  private Optional<String> lookUp(String address) {
    Response<Account> response;
    try {
      response = algod.AccountInformation(new Address(address)).exclude(Enums.Exclude.ALL).execute();
    } catch (Exception e) {
      throw new AlgodUnavailableException("algod did not answer for account " + address + ": " + e.getMessage(), e);
    }
    if (!response.isSuccessful()) {
      throw new AlgodUnavailableException("algod answered " + response.code() + " for account " + address + ": " + response.message(), null);
    }
    Address auth = response.body().authAddr;
    if (auth == null || auth.toString().equals(address)) return Optional.empty();
    return Optional.of(auth.toString());
  }

  /** algod could not be asked; the caller cannot decide and should answer "try again". */
  public static final class AlgodUnavailableException extends RuntimeException {
    public AlgodUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
