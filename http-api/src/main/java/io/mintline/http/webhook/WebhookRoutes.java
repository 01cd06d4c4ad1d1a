package io.mintline.http.webhook;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import io.mintline.config.WebhookSettings;
import io.mintline.engine.readside.Cursor;
import io.mintline.engine.readside.Page;
import io.mintline.http.Json;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code POST|GET /api/v1/webhooks}, {@code GET|PATCH|DELETE /api/v1/webhooks/{id}}, {@code POST
 * /api/v1/webhooks/{id}/rotate-secret}, {@code GET /api/v1/webhooks/{id}/deliveries} and {@code POST
 * /api/v1/webhooks/{id}/deliveries/{deliveryId}/retry}. A wallet manages its own endpoints and
 * receives its own events; an admin's endpoints receive every wallet's. The signing secret is in
 * the answer of the create and the rotate only.
 */
public final class WebhookRoutes {
  private static final Pattern ENDPOINT_ID = Pattern.compile("ep_[0-9a-f]{24}");
  private static final Pattern DELIVERY_ID = Pattern.compile("msg_[0-9a-f]{32}");
  private static final Set<String> STATUSES = Set.of("pending", "delivered", "failed");
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  /** {@code POST /api/v1/webhooks}. */
  public record CreateWebhook(String url, List<String> events) {}

  /** {@code PATCH /api/v1/webhooks/{id}}: what is given changes; {@code enabled: true} re-enables a disabled endpoint. */
  public record UpdateWebhook(String url, List<String> events, Boolean enabled) {}

  /** An endpoint; {@code status} is enabled or disabled, with the reason. */
  public record WebhookView(String id, String url, List<String> events, String status, String disabledReason,
      Instant failingSince, boolean allOwners, String owner, Instant previousSecretValidUntil, Instant createdAt,
      Instant updatedAt) {
    static WebhookView of(WebhookStore.Endpoint e) {
      Instant previous = e.previousSecretUntil() != null && e.previousSecretUntil().isAfter(Instant.now()) ? e.previousSecretUntil() : null;
      return new WebhookView(e.id(), e.url(), e.events(), e.status(), e.disabledReason(), e.failingSince(), e.allOwners(),
          e.owner(), previous, e.createdAt(), e.updatedAt());
    }
  }

  /** The create's answer: the endpoint and its signing secret, shown this once. */
  public record CreatedWebhook(String id, String url, List<String> events, String status, boolean allOwners,
      String secret, Instant createdAt) {}

  /** The rotate's answer: the new secret; the old one keeps signing until {@code previousSecretValidUntil}. */
  public record RotatedSecret(String id, String secret, Instant previousSecretValidUntil) {}

  public record WebhookList(List<WebhookView> items, String next) {}

  public record DeliveryPage(List<WebhookStore.Delivery> items, String next) {}

  private final WebhookStore store;
  private final UrlGuard guard;
  private final WebhookSettings settings;
  private final Executor blocking;
  private final Clock clock;
  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;

  public WebhookRoutes(WebhookStore store, UrlGuard guard, WebhookSettings settings, Executor blocking, Clock clock,
      BiFunction<String, Function<Principal, Route>, Route> authenticated) {
    this.store = store;
    this.guard = guard;
    this.settings = settings;
    this.blocking = blocking;
    this.clock = clock;
    this.authenticated = authenticated;
  }

  public Route route(String requestId) {
    return pathPrefix("webhooks", () -> concat(
        pathEnd(() -> concat(
            post(() -> authenticated.apply(requestId, p -> entity(Json.body(CreateWebhook.class), body -> create(p, body)))),
            get(() -> authenticated.apply(requestId, this::list)))),
        pathPrefix(PathMatchers.segment(), id -> concat(
            pathEnd(() -> concat(
                get(() -> authenticated.apply(requestId, p -> one(p, id))),
                patch(() -> authenticated.apply(requestId, p -> entity(Json.body(UpdateWebhook.class), body -> update(p, id, body)))),
                delete(() -> authenticated.apply(requestId, p -> remove(p, id))))),
            path("rotate-secret", () -> post(() -> authenticated.apply(requestId, p -> rotate(p, id)))),
            pathPrefix("deliveries", () -> concat(
                pathEnd(() -> get(() -> authenticated.apply(requestId, p -> deliveries(p, id)))),
                path(PathMatchers.segment().slash("retry"), deliveryId ->
                    post(() -> authenticated.apply(requestId, p -> retry(p, id, deliveryId))))))))));
  }

  private Route create(Principal principal, CreateWebhook body) {
    String url = checkedUrl(body.url());
    List<String> events = checkedEvents(body.events());
    String owner = principal.subject();
    boolean admin = admin(principal);
    return completeWithFuture(io(() -> {
      if (store.countOwned(owner) >= settings.maxEndpointsPerOwner()) {
        throw new ApiException(ApiError.WEBHOOK_LIMIT_REACHED,
            "a wallet may register " + settings.maxEndpointsPerOwner() + " webhook endpoints; delete one first");
      }
      String secret = WebhookSignature.newSecret();
      WebhookStore.Endpoint e = store.create(owner, admin, url, events, secret);
      return Json.response(StatusCodes.CREATED,
          new CreatedWebhook(e.id(), e.url(), e.events(), e.status(), e.allOwners(), secret, e.createdAt()));
    }));
  }

  private Route list(Principal principal) {
    return completeWithFuture(io(() -> Json.response(StatusCodes.OK,
        new WebhookList(store.listOwned(principal.subject()).stream().map(WebhookView::of).toList(), null))));
  }

  private Route one(Principal principal, String id) {
    return completeWithFuture(io(() -> Json.response(StatusCodes.OK, WebhookView.of(visible(principal, id)))));
  }

  private Route update(Principal principal, String id, UpdateWebhook body) {
    String url = body.url() == null ? null : checkedUrl(body.url());
    List<String> events = body.events() == null ? null : checkedEvents(body.events());
    if (url == null && events == null && body.enabled() == null) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "give at least one of url, events, enabled");
    }
    return completeWithFuture(io(() -> {
      visible(principal, id);
      return Json.response(StatusCodes.OK, WebhookView.of(store.update(id, url, events, body.enabled()).orElseThrow(() -> notFound(id))));
    }));
  }

  private Route remove(Principal principal, String id) {
    return completeWithFuture(io(() -> {
      visible(principal, id);
      store.delete(id);
      return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
    }));
  }

  private Route rotate(Principal principal, String id) {
    return completeWithFuture(io(() -> {
      visible(principal, id);
      String secret = WebhookSignature.newSecret();
      Instant until = clock.instant().plus(settings.rotationOverlap());
      store.rotate(id, secret, until).orElseThrow(() -> notFound(id));
      return Json.response(StatusCodes.OK, new RotatedSecret(id, secret, until));
    }));
  }

  private Route deliveries(Principal principal, String id) {
    return parameterOptional("status", status -> parameterOptional("limit", limit -> parameterOptional("after", after -> {
      status.ifPresent(s -> {
        if (!STATUSES.contains(s)) throw new ApiException(ApiError.INVALID_PARAMETER, "status must be one of pending, delivered, failed");
      });
      int pageSize = limit.map(WebhookRoutes::limit).orElse(DEFAULT_LIMIT);
      Optional<Cursor> cursor;
      try {
        cursor = after.map(Cursor::decode);
      } catch (IllegalArgumentException e) {
        throw new ApiException(ApiError.INVALID_PARAMETER, e.getMessage());
      }
      return completeWithFuture(io(() -> {
        visible(principal, id);
        Page<WebhookStore.Delivery> page = store.deliveries(id, status, pageSize, cursor);
        return Json.response(StatusCodes.OK, new DeliveryPage(page.items(), page.next()));
      }));
    })));
  }

  private Route retry(Principal principal, String id, String deliveryId) {
    return completeWithFuture(io(() -> {
      visible(principal, id);
      if (!DELIVERY_ID.matcher(deliveryId).matches()) throw new ApiException(ApiError.NOT_FOUND, "no delivery " + deliveryId);
      return switch (store.retry(id, deliveryId)) {
        case QUEUED -> Json.response(StatusCodes.ACCEPTED, store.delivery(id, deliveryId).orElseThrow());
        case NOT_FOUND -> throw new ApiException(ApiError.NOT_FOUND, "no delivery " + deliveryId + " for webhook " + id);
        case IN_FLIGHT -> throw new ApiException(ApiError.CONFLICT, "delivery " + deliveryId + " is being sent right now");
        case ENDPOINT_DISABLED -> throw new ApiException(ApiError.WEBHOOK_DISABLED,
            "webhook " + id + " is disabled; re-enable it (PATCH {\"enabled\": true}) first");
      };
    }));
  }

  /** The endpoint if the caller may see it (its owner, or an admin); 404 otherwise. */
  private WebhookStore.Endpoint visible(Principal principal, String id) throws SQLException {
    if (!ENDPOINT_ID.matcher(id).matches()) throw notFound(id);
    WebhookStore.Endpoint e = store.get(id).orElseThrow(() -> notFound(id));
    if (!admin(principal) && !e.owner().equals(principal.subject())) throw notFound(id);
    return e;
  }

  private String checkedUrl(String url) {
    try {
      return guard.check(url).toString();
    } catch (UrlGuard.Refused refused) {
      throw new ApiException(refused.malformed() ? ApiError.INVALID_WEBHOOK_URL : ApiError.WEBHOOK_URL_NOT_PUBLIC, refused.getMessage());
    }
  }

  private static List<String> checkedEvents(List<String> events) {
    if (events == null || events.isEmpty()) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "events must list at least one of " + WebhookEvent.names());
    }
    Set<String> out = new LinkedHashSet<>();
    for (String event : events) {
      if (event == null || WebhookEvent.parse(event).isEmpty()) {
        throw new ApiException(ApiError.INVALID_PARAMETER, "unknown event " + (event == null ? "null" : "'" + event + "'")
            + "; events are " + WebhookEvent.names());
      }
      out.add(event);
    }
    return new ArrayList<>(out);
  }

  private static ApiException notFound(String id) {
    return new ApiException(ApiError.NOT_FOUND, "no webhook " + id);
  }

  static boolean admin(Principal principal) {
    return principal.roles() != null && principal.roles().contains("admin");
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

  private <T> CompletionStage<T> io(Io<T> work) {
    return io(blocking, work);
  }

  /** A blocking store call on the blocking-io dispatcher; a database failure is a 503 to retry. */
  static <T> CompletionStage<T> io(Executor blocking, Io<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return work.run();
      } catch (SQLException e) {
        throw new ApiException(ApiError.NOT_READY, "the database is not available; try again");
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, blocking);
  }

  interface Io<T> {
    T run() throws Exception;
  }
}
