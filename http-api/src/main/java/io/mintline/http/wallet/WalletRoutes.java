package io.mintline.http.wallet;

import static akka.http.javadsl.server.Directives.*;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.engine.wallet.WalletEntity;
import io.mintline.http.Json;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.time.Duration;

/** {@code GET /api/v1/wallets/{address}}: what the engine knows about a wallet. */
public final class WalletRoutes {
  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public WalletRoutes(ActorSystem<?> system, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
  }

  public Route route() {
    return pathPrefix("wallets", () -> path(PathMatchers.segment(), raw -> get(() -> {
      WalletAddress address = WalletAddress.parse(raw);
      return completeWithFuture(
          sharding.entityRefFor(WalletEntity.ENTITY_KEY, address.value())
              .<WalletEntity.Summary>ask(WalletEntity.GetWallet::new, askTimeout)
              .thenApply(summary -> {
                if (!summary.known()) throw new ApiException(ApiError.NOT_FOUND, "wallet " + address.value() + " has not been seen");
                return Json.response(StatusCodes.OK, summary);
              }));
    })));
  }
}
