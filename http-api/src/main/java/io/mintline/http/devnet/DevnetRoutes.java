package io.mintline.http.devnet;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.algorand.ChainException;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.http.Json;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Devnet only: what a browser wallet of the web console needs from the test chain, through this
 * node (so the console connects to nothing but its node): {@code POST /api/v1/devnet/fund} (the
 * devnet's faucet, bounded), {@code GET /api/v1/devnet/params} (suggested transaction parameters),
 * {@code POST /api/v1/devnet/transactions} (submit a signed transaction and wait for its round) and
 * {@code GET /api/v1/devnet/accounts/{address}/assets/{assetId}} (a holding, frozen or not). On
 * testnet and mainnet every one is {@code 403 forbidden}: real funds never come from a faucet and
 * a real wallet talks to its own algod.
 */
public final class DevnetRoutes {
  /** Most a faucet request may ask for: enough for tips and opt-ins, far below anything that drains the devnet. */
  public static final long MAX_FAUCET_MICRO_ALGOS = 10_000_000;
  /** What a faucet request without an amount gets (5 Algo). */
  public static final long DEFAULT_FAUCET_MICRO_ALGOS = 5_000_000;
  /** A devnet makes a round every second or so; a transaction not confirmed by then is answered as a chain outage. */
  private static final Duration CONFIRMATION_WAIT = Duration.ofSeconds(30);
  /** Rounds a submitted transaction is followed for (the console's transactions are valid for 1,000). */
  private static final long FOLLOW_ROUNDS = 1_000;

  /** Body of {@code POST /api/v1/devnet/fund}. */
  public record FundRequest(String address, Long microAlgos) {}

  /** Body of {@code POST /api/v1/devnet/transactions}: the signed transaction (or group) as base64 msgpack. */
  public record SubmitRequest(String signedTransaction) {}

  /** A confirmed faucet payment. */
  public record Funded(String address, long microAlgos, String txId, long round) {}

  /** A confirmed transaction. */
  public record Submitted(String txId, long round) {}

  /** Suggested parameters for a new transaction (algod's, in the shape algosdk's SuggestedParams takes). */
  public record Params(long lastRound, long minFee, long fee, String genesisId, String genesisHash) {}

  /** An account's holding of an asset; {@code optedIn} false (and amount 0) when there is none. */
  public record Holding(String address, long assetId, boolean optedIn, long amount, boolean frozen) {}

  private final MintlineSettings.Network network;
  private final AlgorandGateway gateway;
  private final String algodUrl;
  private final String algodToken;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public DevnetRoutes(MintlineSettings.Network network, AlgorandGateway gateway, String algodUrl, String algodToken) {
    this.network = network;
    this.gateway = gateway;
    this.algodUrl = algodUrl;
    this.algodToken = algodToken;
  }

  public Route route() {
    return pathPrefix("devnet", () -> devnetOnly(() -> concat(
        path("fund", () -> post(() -> entity(Json.body(FundRequest.class), this::fund))),
        path("params", () -> get(() -> completeWithFuture(chain(gateway.params()).thenApply(p -> Json.response(StatusCodes.OK,
            new Params(p.lastRound(), p.minFee(), p.fee(), p.genesisId(), Base64.getEncoder().encodeToString(p.genesisHash()))))))),
        path("transactions", () -> post(() -> entity(Json.body(SubmitRequest.class), this::submit))),
        path(PathMatchers.segment("accounts").slash(PathMatchers.segment()).slash("assets").slash(PathMatchers.longSegment()),
            (address, assetId) -> get(() -> holding(address, assetId))))));
  }

  private Route devnetOnly(Supplier<Route> inner) {
    if (network != MintlineSettings.Network.DEVNET) {
      return extractUnmatchedPath(ignored -> {
        throw new ApiException(ApiError.FORBIDDEN, "the devnet routes (faucet, transaction relay) exist only on devnet; this node runs on "
            + network.id() + ": get Algos from that network's dispenser or exchange, and send transactions from your wallet");
      });
    }
    return inner.get();
  }

  private Route fund(FundRequest body) {
    String address = algorand(body.address());
    long amount = body.microAlgos() == null ? DEFAULT_FAUCET_MICRO_ALGOS : body.microAlgos();
    if (amount < 1 || amount > MAX_FAUCET_MICRO_ALGOS) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "microAlgos must be from 1 to " + MAX_FAUCET_MICRO_ALGOS);
    }
    String json = Json.MAPPER.createObjectNode().put("address", address).put("microAlgos", amount).toString();
    HttpRequest request = HttpRequest.newBuilder(URI.create(algodUrl + "/devnet/fund"))
        .timeout(Duration.ofSeconds(10))
        .header("X-Algo-API-Token", algodToken)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    CompletionStage<Funded> funded = http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenCompose(answer -> {
          if (answer.statusCode() != 200) {
            throw new ChainException(ChainException.Kind.UNAVAILABLE,
                "the devnet faucet answered " + answer.statusCode() + " (is this node's algod a Mintline devnet?)", null);
          }
          String txId = txId(answer.body());
          return gateway.params().thenCompose(p -> gateway.awaitConfirmation(txId, p.lastRound() + FOLLOW_ROUNDS))
              .thenApply(c -> new Funded(address, amount, txId, c.round()));
        });
    return completeWithFuture(chain(funded).thenApply(f -> Json.response(StatusCodes.OK, f)));
  }

  private Route submit(SubmitRequest body) {
    byte[] signed;
    try {
      signed = Base64.getDecoder().decode(body.signedTransaction() == null ? "" : body.signedTransaction());
    } catch (IllegalArgumentException e) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "signedTransaction must be the signed transaction's msgpack bytes in base64");
    }
    if (signed.length == 0) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "signedTransaction is required: the signed transaction's msgpack bytes in base64");
    }
    CompletionStage<Submitted> submitted = gateway.submit(signed)
        .thenCompose(txId -> gateway.params().thenCompose(p -> gateway.awaitConfirmation(txId, p.lastRound() + FOLLOW_ROUNDS))
            .thenApply(c -> new Submitted(txId, c.round())));
    return completeWithFuture(chain(submitted).thenApply(s -> Json.response(StatusCodes.OK, s)));
  }

  private Route holding(String rawAddress, long assetId) {
    String address = algorand(rawAddress);
    return completeWithFuture(chain(gateway.holding(address, assetId)).thenApply(h -> Json.response(StatusCodes.OK,
        h.map(x -> new Holding(address, assetId, true, x.amount(), x.frozen()))
            .orElseGet(() -> new Holding(address, assetId, false, 0, false)))));
  }

  private static String algorand(String raw) {
    WalletAddress address = WalletAddress.parse(raw == null ? "" : raw);
    if (address.chain() != WalletAddress.Chain.ALGORAND) {
      throw new ApiException(ApiError.INVALID_ADDRESS, "the devnet is an Algorand chain: give an Algorand address");
    }
    return address.value();
  }

  private static String txId(String body) {
    try {
      JsonNode node = Json.MAPPER.readTree(body);
      return node.path("txId").asText();
    } catch (IOException e) {
      throw new ChainException(ChainException.Kind.UNAVAILABLE, "the devnet faucet's answer is not JSON", e);
    }
  }

  /**
   * Chain answers as the API's errors: a transaction algod refuses is the caller's (400, with
   * algod's reason), an unreachable or slow chain is {@code 503 chain_unavailable}.
   */
  private static <T> CompletionStage<T> chain(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(CONFIRMATION_WAIT.toMillis(), TimeUnit.MILLISECONDS).handle((value, failure) -> {
      if (failure == null) return value;
      Throwable why = failure;
      while (why instanceof CompletionException && why.getCause() != null) why = why.getCause();
      if (why instanceof ApiException api) throw api;
      if (why instanceof ChainException c && !c.retryable()) {
        throw new ApiException(ApiError.INVALID_PARAMETER, "the devnet refused the transaction: " + c.getMessage());
      }
      if (why instanceof TimeoutException) {
        throw new ApiException(ApiError.CHAIN_UNAVAILABLE, "the devnet did not confirm within " + CONFIRMATION_WAIT.toSeconds() + " s; try again");
      }
      throw new ApiException(ApiError.CHAIN_UNAVAILABLE, "the devnet could not be asked now: " + why.getMessage());
    });
  }
}
