package io.mintline.http.sticker;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import io.mintline.engine.minting.StickerReadSide;
import io.mintline.http.Json;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Admin only: {@code GET /api/v1/admin/failed-mints?limit=}, the most recent mints the chain refused
 * for good (newest first, from the stickers read side), for the operator view. Callers without
 * the admin role get 403.
 */
public final class FailedMintRoutes {
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  /** The answer: the newest failures; {@code next} is always null (a window, not a paged list). */
  public record FailedMintPage(List<StickerReadSide.FailedMint> items, String next) {}

  private final StickerReadSide stickers;
  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;

  public FailedMintRoutes(StickerReadSide stickers, BiFunction<String, Function<Principal, Route>, Route> authenticated) {
    this.stickers = stickers;
    this.authenticated = authenticated;
  }

  public Route route(String requestId) {
    return pathPrefix("admin", () -> path("failed-mints", () -> get(() -> authenticated.apply(requestId, principal -> {
      if (principal.roles() == null || !principal.roles().contains("admin")) {
        throw new ApiException(ApiError.FORBIDDEN, "only an admin can read the failed mints");
      }
      return parameterOptional("limit", limit -> {
        int n = limit.map(FailedMintRoutes::limit).orElse(DEFAULT_LIMIT);
        return onSuccess(stickers.recentFailed(n), items -> complete(Json.response(StatusCodes.OK, new FailedMintPage(items, null))));
      });
    }))));
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
