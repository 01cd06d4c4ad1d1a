package io.mintline.http.sticker;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import io.mintline.deploy.algorand.ChainException;
import io.mintline.engine.minting.EvmStickerMinter;
import io.mintline.engine.minting.EvmStickerReadSide;
import io.mintline.engine.minting.GoldenDraw;
import io.mintline.engine.minting.MintingPipeline;
import io.mintline.engine.minting.StickerClaims;
import io.mintline.engine.minting.StickerReadSide;
import io.mintline.engine.readside.Cursor;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.http.Json;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Stickers and minting: {@code GET /api/v1/wallets/{address}/stickers} (keyset paged; an EVM
 * address lists its ERC-5192 stickers), {@code GET /api/v1/stickers/{id}/draw} (the golden draw's
 * inputs and result, for an Algorand asset id or an EVM sticker id {@code evm:<chainId>:<collection>:<tokenId>}),
 * {@code POST /api/v1/stickers/{assetId}/claim} (Bearer, the fan) and
 * {@code GET /api/v1/minting/status} (this node's pipeline). Routes only translate HTTP.
 */
public final class StickerRoutes {
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  /**
   * One sticker in a list, naming its {@code chain}. {@code id} is the asset id on Algorand and
   * {@code evm:<chainId>:<collection>:<tokenId>} on an EVM network (where {@code assetId} is null,
   * {@code mintedRound} is the mint's block and the token is the fan's from the start: claimed).
   */
  public record StickerItem(String id, String chain, Long assetId, String tipTxId, boolean golden, boolean claimed,
      long mintedRound, String collection, String tokenId) {}

  /** Everything needed to recompute the golden draw of an EVM sticker. */
  public record EvmDrawView(String id, String chain, String tipTxId, long tipBlock, String blockHash, String tokenId,
      String tokenIdHex, String digest, int value, int modulus, int threshold, boolean result, boolean recordedGolden,
      String formula) {}

  public record StickerPage(List<StickerItem> items, String next) {}

  /** Everything needed to recompute the golden draw of a sticker. */
  public record DrawView(long assetId, String tipTxId, long round, String seed, String seedHex, String txidBytesHex,
      String digest, int value, int modulus, int threshold, boolean result, boolean recordedGolden, String formula) {}

  public record ClaimView(long assetId, String status, String txId, Long round) {}

  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;
  private final StickerReadSide readSide;
  private final StickerClaims claims;
  private final MintingPipeline pipeline;
  private final EvmStickerReadSide evm;

  public StickerRoutes(BiFunction<String, Function<Principal, Route>, Route> authenticated, StickerReadSide readSide,
      StickerClaims claims, MintingPipeline pipeline, EvmStickerReadSide evm) {
    this.evm = evm;
    this.authenticated = authenticated;
    this.readSide = readSide;
    this.claims = claims;
    this.pipeline = pipeline;
  }

  public Route route(String requestId) {
    return concat(
        path(PathMatchers.segment("wallets").slash(PathMatchers.segment()).slash("stickers"), raw -> get(() -> list(raw))),
        pathPrefix("stickers", () -> pathPrefix(PathMatchers.longSegment(), assetId -> concat(
            path("draw", () -> get(() -> draw(assetId))),
            path("claim", () -> post(() -> authenticated.apply(requestId, p -> claim(p, assetId))))))),
        pathPrefix("stickers", () -> path(PathMatchers.segment(EvmStickerReadSide.ID).slash("draw"), id -> get(() -> evmDraw(id)))),
        path(PathMatchers.segment("minting").slash("status"), () -> get(() ->
            complete(Json.response(StatusCodes.OK, pipeline.status())))));
  }

  private Route list(String raw) {
    WalletAddress owner = WalletAddress.parse(raw);
    if (owner.chain() == WalletAddress.Chain.EVM) return evmList(owner);
    return parameterOptional("limit", limit -> parameterOptional("after", after -> {
      int pageSize = limit.map(StickerRoutes::limit).orElse(DEFAULT_LIMIT);
      Optional<Cursor> cursor;
      try {
        cursor = after.map(Cursor::decode);
      } catch (IllegalArgumentException e) {
        throw new ApiException(ApiError.INVALID_PARAMETER, e.getMessage());
      }
      return onSuccess(readSide.byOwner(owner, pageSize, cursor), page -> complete(Json.response(StatusCodes.OK,
          new StickerPage(page.items().stream()
              .filter(r -> r.assetId() != null)
              .map(r -> new StickerItem(String.valueOf(r.assetId()), "algorand", r.assetId(), r.tipTxId(), r.golden(), r.claimed(),
                  r.mintedRound(), null, null))
              .toList(), page.next()))));
    }));
  }

  private Route evmList(WalletAddress owner) {
    return parameterOptional("limit", limit -> parameterOptional("after", after -> {
      int pageSize = limit.map(StickerRoutes::limit).orElse(DEFAULT_LIMIT);
      Optional<EvmStickerReadSide.After> cursor;
      try {
        cursor = after.map(EvmStickerReadSide.After::decode);
      } catch (IllegalArgumentException e) {
        throw new ApiException(ApiError.INVALID_PARAMETER, e.getMessage());
      }
      return onSuccess(evm.byOwner(owner.value(), pageSize, cursor), page -> complete(Json.response(StatusCodes.OK,
          new StickerPage(page.items().stream()
              .map(r -> new StickerItem(r.id(), "evm", null, r.tipTxId(), r.golden(), true, r.mintedBlock(), r.collection(), r.tokenId()))
              .toList(), page.next()))));
    }));
  }

  private Route evmDraw(String id) {
    return onSuccess(evm.byId(id), row -> {
      EvmStickerReadSide.Row r = row.orElseThrow(() -> new ApiException(ApiError.NOT_FOUND, "no sticker " + id));
      EvmStickerMinter.Draw d = EvmStickerMinter.draw(r.blockHash(), new java.math.BigInteger(r.tokenId()),
          pipeline.settings().goldenBasisPoints());
      return complete(Json.response(StatusCodes.OK, new EvmDrawView(r.id(), "evm", r.tipTxId(), r.tipBlock(), r.blockHash(),
          r.tokenId(), d.tokenIdHex(), d.digestHex(), d.value(), GoldenDraw.MODULUS, d.threshold(), d.golden(), r.golden(),
          "golden = uint256(keccak256(blockHash ‖ uint256(tokenId))) mod 10000 < threshold; blockHash = the hash of the tip's "
              + "block, tokenId = uint256(keccak256(abi.encodePacked(uint256 chainId, bytes32 txHash, uint256 n)))")));
    });
  }

  private Route draw(long assetId) {
    return onSuccess(readSide.byAsset(assetId), row -> {
      StickerReadSide.Row r = row.orElseThrow(() -> new ApiException(ApiError.NOT_FOUND, "no sticker " + assetId));
      byte[] seed = Base64.getDecoder().decode(r.blockSeed());
      GoldenDraw d = GoldenDraw.of(seed, r.tipTxId(), pipeline.settings().goldenBasisPoints());
      return complete(Json.response(StatusCodes.OK, new DrawView(assetId, r.tipTxId(), r.tipRound(), d.seedBase64(), hex(seed),
          hex(com.algorand.algosdk.util.Encoder.decodeFromBase32StripPad(r.tipTxId())), d.digestHex(), d.value(),
          GoldenDraw.MODULUS, d.threshold(), d.golden(), r.golden(),
          "golden = uint256_be(SHA-512/256(seed ‖ txidBytes)) mod 10000 < threshold; seed = the 32-byte seed of the tip's "
              + "block (round), txidBytes = the tip txid base32-decoded to its 32 raw bytes")));
    });
  }

  private Route claim(Principal principal, long assetId) {
    WalletAddress fan = WalletAddress.parse(principal.subject());
    return onComplete(claims.claim(fan.value(), assetId), result -> {
      if (result.isFailure()) {
        Throwable why = result.failed().get();
        while (why instanceof CompletionException && why.getCause() != null) why = why.getCause();
        if (why instanceof ChainException chain) {
          throw new ApiException(ApiError.CHAIN_UNAVAILABLE, "the claim could not be completed on chain now: " + chain.getMessage());
        }
        // A checked failure (the sticker book's ask timing out) goes to the error handler as it came,
        // wrapped only in the CompletionException it unwraps: a timeout answers 503 timeout, not 500.
        throw why instanceof RuntimeException runtime ? runtime : new CompletionException(why);
      }
      StickerClaims.Result r = result.get();
      return switch (r.outcome()) {
        case CLAIMED -> complete(Json.response(StatusCodes.OK, new ClaimView(assetId, "claimed", r.txId(), r.round())));
        case ALREADY_CLAIMED -> complete(Json.response(StatusCodes.OK, new ClaimView(assetId, "already_claimed", null, null)));
        case NOT_FOUND, NOT_YOURS -> throw new ApiException(ApiError.NOT_FOUND, "no sticker " + assetId + " for " + fan.value());
        case NOT_MINTED -> throw new ApiException(ApiError.NOT_MINTED, "sticker " + assetId + " is not confirmed yet; try again shortly");
        case NOT_OPTED_IN -> throw new ApiException(ApiError.NOT_OPTED_IN, "opt in to asset " + assetId
            + " first: from your wallet, send a 0-unit transfer of asset " + assetId + " to yourself (an ASA opt-in), then claim again");
      };
    });
  }

  private static String hex(byte[] bytes) {
    StringBuilder b = new StringBuilder(bytes.length * 2);
    for (byte x : bytes) b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    return b.toString();
  }

  private static int limit(String text) {
    try {
      int value = Integer.parseInt(text);
      if (value >= 1 && value <= MAX_LIMIT) return value;
    } catch (NumberFormatException ignored) {
      // answered below
    }
    throw new ApiException(ApiError.INVALID_PARAMETER, "limit must be an integer from 1 to " + MAX_LIMIT);
  }
}
