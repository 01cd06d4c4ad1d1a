package io.mintline.http.tier;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.http.Json;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Admin only: {@code GET|PUT /api/v1/admin/tiers/{address}} reads or sets a wallet's tier (free or
 * paid), audited as {@code tier.set}. Callers without the admin role get 403.
 */
public final class TierRoutes {
  /** Tiers an admin can put a wallet on; anonymous is for requests without credentials only. */
  public static final List<String> SETTABLE = List.of("free", "paid");

  /** Body of PUT: {@code {"tier": "paid"}}. */
  public record TierRequest(String tier) {}

  /** A wallet's tier; {@code updatedAt}/{@code updatedBy} are null while it was never set. */
  public record TierView(String address, String tier, String previous, Instant updatedAt, String updatedBy) {}

  private final TierStore tiers;
  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;
  private final Executor blockingIo;

  public TierRoutes(TierStore tiers, BiFunction<String, Function<Principal, Route>, Route> authenticated, Executor blockingIo) {
    this.tiers = tiers;
    this.authenticated = authenticated;
    this.blockingIo = blockingIo;
  }

  public Route route(String requestId) {
    return pathPrefix("admin", () -> path(PathMatchers.segment("tiers").slash(PathMatchers.segment()), raw -> concat(
        get(() -> admin(requestId, admin -> {
          String address = WalletAddress.parse(raw).value();
          return completeWithFuture(blocking(() -> {
            TierStore.Tier stored = tiers.find(address).orElse(null);
            return Json.response(StatusCodes.OK, stored == null
                ? new TierView(address, TierStore.DEFAULT_TIER, null, null, null)
                : new TierView(address, stored.tier(), null, stored.updatedAt(), stored.updatedBy()));
          }));
        })),
        put(() -> admin(requestId, admin -> entity(Json.body(TierRequest.class), body -> {
          String address = WalletAddress.parse(raw).value();
          if (body.tier() == null || !SETTABLE.contains(body.tier())) {
            throw new ApiException(ApiError.INVALID_PARAMETER, "tier must be one of " + SETTABLE);
          }
          return completeWithFuture(blocking(() -> {
            String previous = tiers.set(address, body.tier(), admin.subject(), requestId);
            TierStore.Tier stored = tiers.find(address).orElseThrow();
            return Json.response(StatusCodes.OK,
                new TierView(address, stored.tier(), previous, stored.updatedAt(), stored.updatedBy()));
          }));
        }))))));
  }

  private Route admin(String requestId, Function<Principal, Route> inner) {
    return authenticated.apply(requestId, principal -> {
      if (principal.roles() == null || !principal.roles().contains("admin")) {
        throw new ApiException(ApiError.FORBIDDEN, "only an admin can read or set tiers");
      }
      return inner.apply(principal);
    });
  }

  private <T> CompletionStage<T> blocking(Work<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return work.run();
      } catch (SQLException e) {
        throw new ApiException(ApiError.NOT_READY, "the database is unavailable; try again");
      }
    }, blockingIo);
  }

  @FunctionalInterface
  private interface Work<T> {
    T run() throws SQLException;
  }
}
