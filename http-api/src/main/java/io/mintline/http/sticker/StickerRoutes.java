package io.mintline.http.sticker;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import io.mintline.deploy.algorand.ChainException;
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
 * Stickers and minting: {@code GET /api/v1/wallets/{address}/stickers} (keyset paged),
 * {@code GET /api/v1/stickers/{assetId}/draw} (the golden draw's inputs and result),
 * {@code POST /api/v1/stickers/{assetId}/claim} (Bearer, the fan) and
 * {@code GET /api/v1/minting/status} (this node's pipeline). Routes only translate HTTP.
 */
public final class StickerRoutes {
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  /** One sticker in a list. */
  public record StickerItem(long assetId, String tipTxId, boolean golden, boolean claimed, long mintedRound) {}

  public record StickerPage(List<StickerItem> items, String next) {}

  /** Everything needed to recompute the golden draw of a sticker. */
  public record DrawView(long assetId, String tipTxId, long round, String seed, String seedHex, String txidBytesHex,
      String digest, int value, int modulus, int threshold, boolean result, boolean recordedGolden, String formula) {}

  public record ClaimView(long assetId, String status, String txId, Long round) {}

  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;
  private final StickerReadSide readSide;
  private final StickerClaims claims;
  private final MintingPipeline pipeline;

  public StickerRoutes(BiFunction<String, Function<Principal, Route>, Route> authenticated, StickerReadSide readSide,
      StickerClaims claims, MintingPipeline pipeline) {
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
        path(PathMatchers.segment("minting").slash("status"), () -> get(() ->
            complete(Json.response(StatusCodes.OK, pipeline.status())))));
  }

  private Route list(String raw) {
    WalletAddress owner = WalletAddress.parse(raw);
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
              .map(r -> new StickerItem(r.assetId(), r.tipTxId(), r.golden(), r.claimed(), r.mintedRound()))
              .toList(), page.next()))));
    }));
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
        throw why instanceof RuntimeException runtime ? runtime : new IllegalStateException(why);
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
