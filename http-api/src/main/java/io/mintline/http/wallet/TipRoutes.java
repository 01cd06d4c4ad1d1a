package io.mintline.http.wallet;

import static akka.http.javadsl.server.Directives.*;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import io.mintline.engine.wallet.TipReadSide;
import io.mintline.engine.wallet.TipReceived;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.http.Json;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /api/v1/wallets/{address}/tips?limit=&after=}: the tips a wallet sent or received,
 * from the read side, oldest first, keyset paged; each item says its {@code chain} and {@code direction}.
 */
public final class TipRoutes {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  /**
   * One tip as the API shows it, naming its {@code chain} ({@code algorand} or {@code evm}). Amounts
   * are microAlgos on Algorand and wei on EVM networks; {@code round} is the Algorand round or the
   * EVM block number; {@code blockSeed} is the round's seed or the EVM block's hash.
   */
  public record TipView(String txId, String chain, String direction, String fan, String creator, long amount,
      boolean belowMinimum, long round, String blockSeed, String recordedAt) {
    static TipView of(TipReadSide.Row r) {
      return new TipView(r.txId(), TipReceived.chainOf(r.txId()), r.direction(), r.fan(), r.creator(), r.amount(),
          r.belowMinimum(), r.round(), r.blockSeed(), r.recordedAt().toString());
    }
  }

  public record TipPage(List<TipView> items, String next) {}

  private final TipReadSide readSide;

  public TipRoutes(ActorSystem<?> system) {
    this.readSide = new TipReadSide(system);
  }

  public Route route() {
    return pathPrefix("wallets", () -> pathPrefix(PathMatchers.segment(), raw -> path("tips", () -> get(() ->
        parameterOptional("limit", limit -> parameterOptional("after", after -> {
          WalletAddress address = WalletAddress.parse(raw);
          int pageSize = limit.map(TipRoutes::limit).orElse(DEFAULT_LIMIT);
          Optional<TipReadSide.After> cursor;
          try {
            cursor = after.map(TipReadSide.After::decode);
          } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_PARAMETER, e.getMessage());
          }
          return onSuccess(readSide.list(address, pageSize, cursor), page -> complete(Json.response(StatusCodes.OK,
              new TipPage(page.items().stream().map(TipView::of).toList(), page.next()))));
        }))))));
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
