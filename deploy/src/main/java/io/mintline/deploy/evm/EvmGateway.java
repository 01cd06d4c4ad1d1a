package io.mintline.deploy.evm;

import io.mintline.deploy.algorand.ChainException;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.DefaultBlockParameterNumber;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthFeeHistory;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;

/**
 * One EVM network's JSON-RPC, through web3j, with a primary and an optional backup URL: a call that
 * cannot reach the primary (connection refused, timeout) is tried once on the backup. An
 * unreachable node is {@link ChainException.Kind#UNAVAILABLE} (retryable); a JSON-RPC error answer
 * is {@link ChainException.Kind#REJECTED}.
 */
public final class EvmGateway implements AutoCloseable {

  /** A mined transaction's receipt, as far as deployments need it. */
  public record Receipt(String txHash, long blockNumber, String blockHash, String contractAddress, BigInteger gasUsed,
      boolean succeeded) {}

  /** EIP-1559 fees offered by a transaction. */
  public record Fees(BigInteger maxFeePerGas, BigInteger maxPriorityFeePerGas) {
    /** These fees raised by at least {@code percent} (nodes replace a pooled transaction only at +10 % or more). */
    public Fees bumped(int percent, BigInteger cap) {
      BigInteger fee = up(maxFeePerGas, percent);
      BigInteger tip = up(maxPriorityFeePerGas, percent);
      if (fee.compareTo(cap) > 0) fee = cap;
      if (tip.compareTo(fee) > 0) tip = fee;
      return new Fees(fee, tip);
    }

    private static BigInteger up(BigInteger value, int percent) {
      // Rounded up, plus one wei: 10 % of a small value must still be a strict 10 % increase.
      return value.multiply(BigInteger.valueOf(100L + percent)).add(BigInteger.valueOf(99)).divide(BigInteger.valueOf(100)).add(BigInteger.ONE);
    }
  }

  private final List<Web3j> clients;
  private final List<HttpService> services;
  private final List<String> urls;

  public EvmGateway(String url, String backupUrl, Duration timeout) {
    OkHttpClient http = new OkHttpClient.Builder()
        .connectTimeout(timeout).readTimeout(timeout).writeTimeout(timeout).callTimeout(timeout).build();
    List<Web3j> c = new ArrayList<>();
    List<HttpService> sv = new ArrayList<>();
    List<String> u = new ArrayList<>();
    u.add(url);
    if (backupUrl != null && !backupUrl.isEmpty()) u.add(backupUrl);
    for (String each : u) {
      HttpService service = new HttpService(each, http);
      sv.add(service);
      c.add(Web3j.build(service));
    }
    this.clients = Collections.unmodifiableList(c);
    this.services = Collections.unmodifiableList(sv);
    this.urls = Collections.unmodifiableList(u);
  }

  public String url() {
    return urls.get(0);
  }

  public CompletionStage<Long> chainId() {
    return call("eth_chainId", w -> w.ethChainId(), r -> r.getChainId().longValueExact());
  }

  /** The account's next nonce counting its pooled transactions ({@code eth_getTransactionCount(pending)}). */
  public CompletionStage<BigInteger> pendingNonce(String address) {
    return call("eth_getTransactionCount", w -> w.ethGetTransactionCount(address, DefaultBlockParameterName.PENDING),
        r -> r.getTransactionCount());
  }

  /** The account's nonce counting mined transactions only. */
  public CompletionStage<BigInteger> minedNonce(String address) {
    return call("eth_getTransactionCount", w -> w.ethGetTransactionCount(address, DefaultBlockParameterName.LATEST),
        r -> r.getTransactionCount());
  }

  /**
   * Fees for a transaction now, from {@code eth_feeHistory} over the last blocks: the next block's
   * base fee doubled (room for six full blocks of +12.5 %) plus the median tip paid (at least 1
   * wei), both capped at {@code cap}.
   */
  public CompletionStage<Fees> fees(BigInteger cap) {
    return call("eth_feeHistory", w -> w.ethFeeHistory(5, DefaultBlockParameterName.LATEST, List.of(50d)), r -> {
      EthFeeHistory.FeeHistory history = r.getFeeHistory();
      List<BigInteger> baseFees = history.getBaseFeePerGas();
      BigInteger nextBase = baseFees == null || baseFees.isEmpty() ? BigInteger.ZERO : baseFees.get(baseFees.size() - 1);
      List<BigInteger> tips = new ArrayList<>();
      if (history.getReward() != null) history.getReward().forEach(row -> { if (!row.isEmpty()) tips.add(row.get(0)); });
      Collections.sort(tips);
      BigInteger tip = tips.isEmpty() ? BigInteger.ONE : tips.get(tips.size() / 2).max(BigInteger.ONE);
      BigInteger fee = nextBase.shiftLeft(1).add(tip).min(cap);
      return new Fees(fee, tip.min(fee));
    });
  }

  public CompletionStage<BigInteger> estimateDeployGas(String from, String initCode) {
    return call("eth_estimateGas", w -> w.ethEstimateGas(
        org.web3j.protocol.core.methods.request.Transaction.createContractTransaction(from, null, null, initCode)),
        r -> r.getAmountUsed());
  }

  /**
   * Sends a signed transaction; answers its hash. A node that already has it (pooled or mined)
   * answers either the same hash or an error such as "already known", "nonce too low" or
   * "transaction underpriced": those are not failures here when the node has this hash (or the
   * nonce is used) — the receipt or the account's nonce decides.
   */
  public CompletionStage<String> sendRaw(String rawHex, String txHash) {
    return call("eth_sendRawTransaction", w -> w.ethSendRawTransaction(rawHex), r -> r.getTransactionHash())
        .exceptionallyCompose(failure -> {
          Throwable why = unwrap(failure);
          String message = String.valueOf(why.getMessage()).toLowerCase(java.util.Locale.ROOT);
          if (!(why instanceof ChainException c) || c.kind() != ChainException.Kind.REJECTED) {
            return CompletableFuture.failedFuture(why);
          }
          if (message.contains("already known") || message.contains("known transaction")
              || message.contains("nonce too low") || message.contains("already imported")) {
            return CompletableFuture.completedFuture(txHash);
          }
          // Ganache answers a resend of a transaction still in its pool (waiting behind a lower
          // nonce) as an underpriced replacement of itself: a node that has this very hash has it.
          return knows(txHash).thenCompose(known -> known
              ? CompletableFuture.completedFuture(txHash) : CompletableFuture.failedFuture(why));
        });
  }

  /** Whether the node has the transaction {@code txHash}, pooled or mined. */
  public CompletionStage<Boolean> knows(String txHash) {
    return call("eth_getTransactionByHash", w -> w.ethGetTransactionByHash(txHash), r -> r.getTransaction().isPresent());
  }

  public CompletionStage<Optional<Receipt>> receipt(String txHash) {
    return call("eth_getTransactionReceipt", w -> w.ethGetTransactionReceipt(txHash), r -> r.getTransactionReceipt()
        .map(EvmGateway::receipt));
  }

  public CompletionStage<Long> blockNumber() {
    return call("eth_blockNumber", Web3j::ethBlockNumber, r -> r.getBlockNumber().longValueExact());
  }

  /** The hash of the canonical block at {@code number}, or empty when there is none yet. */
  public CompletionStage<Optional<String>> blockHash(long number) {
    return call("eth_getBlockByNumber",
        w -> w.ethGetBlockByNumber(new DefaultBlockParameterNumber(number), false),
        r -> Optional.ofNullable(r.getBlock()).map(EthBlock.Block::getHash));
  }

  public CompletionStage<String> code(String address) {
    return call("eth_getCode", w -> w.ethGetCode(address, DefaultBlockParameterName.LATEST), r -> r.getCode());
  }

  /** A raw JSON-RPC call (test and dev-chain controls such as {@code evm_snapshot}). */
  public CompletionStage<Object> raw(String method, List<?> params) {
    return call(method, w -> new org.web3j.protocol.core.Request<>(method, params, serviceOf(w), RawResponse.class),
        RawResponse::getResult);
  }

  /** The answer of a raw call. */
  public static final class RawResponse extends Response<Object> {}

  private org.web3j.protocol.Web3jService serviceOf(Web3j client) {
    return services.get(clients.indexOf(client));
  }

  private static Receipt receipt(TransactionReceipt r) {
    return new Receipt(r.getTransactionHash(), r.getBlockNumber().longValueExact(), r.getBlockHash(),
        r.getContractAddress(), r.getGasUsed(), r.isStatusOK());
  }

  private <R extends Response<?>, T> CompletionStage<T> call(
      String method, Function<Web3j, org.web3j.protocol.core.Request<?, R>> request, Function<R, T> answer) {
    return attempt(0, method, request, answer);
  }

  private <R extends Response<?>, T> CompletionStage<T> attempt(
      int index, String method, Function<Web3j, org.web3j.protocol.core.Request<?, R>> request, Function<R, T> answer) {
    CompletableFuture<R> sent;
    try {
      sent = request.apply(clients.get(index)).sendAsync();
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.<T>thenApply(response -> {
      if (response.hasError()) {
        throw new ChainException(ChainException.Kind.REJECTED, method + ": " + response.getError().getMessage(), null);
      }
      return answer.apply(response);
    }).exceptionallyCompose(failure -> {
      Throwable why = unwrap(failure);
      if (why instanceof ChainException) return CompletableFuture.failedFuture(why);
      if (index + 1 < clients.size()) return attempt(index + 1, method, request, answer);
      return CompletableFuture.failedFuture(new ChainException(ChainException.Kind.UNAVAILABLE,
          "EVM node unavailable at " + String.join(" and ", urls) + " (" + method + "): "
              + (why.getMessage() == null ? why.getClass().getSimpleName() : why.getMessage()),
          why instanceof IOException ? why : null));
    });
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }

  @Override
  public void close() {
    clients.forEach(Web3j::shutdown);
  }
}
