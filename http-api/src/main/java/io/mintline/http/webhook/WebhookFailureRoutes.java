package io.mintline.http.webhook;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import io.mintline.http.Json;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Admin only: {@code GET /api/v1/admin/webhook-failures?limit=}, for the operator view: the newest
 * deliveries whose last attempt failed and the endpoints that are disabled or failing, across every
 * owner (from the {@link WebhookStore} tables). An endpoint is shown by its URL's host only. Callers
 * without the admin role get 403.
 */
public final class WebhookFailureRoutes {
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  /** The answer: up to {@code limit} of each, newest first (a window, not a paged list). */
  public record WebhookFailures(List<WebhookStore.FailingDelivery> deliveries, List<WebhookStore.FailingEndpoint> endpoints) {}

  private final WebhookStore store;
  private final Executor blocking;
  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;

  public WebhookFailureRoutes(WebhookStore store, Executor blocking,
      BiFunction<String, Function<Principal, Route>, Route> authenticated) {
    this.store = store;
    this.blocking = blocking;
    this.authenticated = authenticated;
  }

  public Route route(String requestId) {
    return pathPrefix("admin", () -> path("webhook-failures", () -> get(() -> authenticated.apply(requestId, principal -> {
      if (!WebhookRoutes.admin(principal)) {
        throw new ApiException(ApiError.FORBIDDEN, "only an admin can read the webhook failures");
      }
      return parameterOptional("limit", limit -> {
        int n = limit.map(WebhookFailureRoutes::limit).orElse(DEFAULT_LIMIT);
        return completeWithFuture(WebhookRoutes.io(blocking, () -> Json.response(StatusCodes.OK,
            new WebhookFailures(store.failingDeliveries(n), store.failingEndpoints(n)))));
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
