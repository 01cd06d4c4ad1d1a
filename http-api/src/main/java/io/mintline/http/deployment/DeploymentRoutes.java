package io.mintline.http.deployment;

import static akka.http.javadsl.server.Directives.*;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.ws.Message;
import akka.http.javadsl.model.ws.TextMessage;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import io.mintline.engine.deployment.DeploymentEntity;
import io.mintline.engine.deployment.DeploymentId;
import io.mintline.engine.deployment.DeploymentReadSide;
import io.mintline.engine.readside.Cursor;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.http.Json;
import io.mintline.http.auth.Principal;
import io.mintline.http.auth.WebSocketBearer;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Creator onboarding and deployments: {@code POST /api/v1/creators} (Idempotency-Key),
 * {@code GET /api/v1/deployments[/{id}]} and {@code WS /api/v1/deployments/{id}/updates}.
 * Routes only translate HTTP to entity commands and read-side queries.
 */
public final class DeploymentRoutes {
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern DISPLAY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _.-]{0,31}");
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  /** Body of {@code POST /api/v1/creators}. */
  public record CreatorRequest(String displayName) {}

  /** Answer of {@code POST /api/v1/creators}. */
  public record CreatorAccepted(String deploymentId, String status) {}

  /**
   * A deployment as the API shows it: {@code kind} is {@code tipproxy} (a creator's TipProxy app) or
   * {@code contract} (an EVM contract deployment, whose chain fields are in {@code evm}).
   */
  public record DeploymentView(
      String id, String kind, String owner, String network, String displayName, String status, String txId, Long appId,
      String appAddress, Long confirmedRound, Instant createdAt, Instant updatedAt, String error,
      DeploymentEntity.EvmView evm) {

    static DeploymentView of(DeploymentEntity.Summary s) {
      return new DeploymentView(s.id(), s.evm() == null ? "tipproxy" : "contract", s.owner(), s.network(), s.displayName(),
          s.status().wire(), s.txId(), s.appId(), s.appAddress(), s.confirmedRound(), s.createdAt(), s.updatedAt(), s.error(),
          s.evm());
    }

    static DeploymentView of(DeploymentReadSide.Row r) {
      // The list shows the chain fields the read side keeps; the full set is on GET /deployments/{id}.
      DeploymentEntity.EvmView evm = "contract".equals(r.kind())
          ? new DeploymentEntity.EvmView(null, null, null, null, r.nonce(), null, null, null,
              r.txHash() == null ? java.util.List.of() : java.util.List.of(r.txHash()), r.contractAddress(), r.blockNumber(),
              r.blockHash(), r.gasUsed())
          : null;
      return new DeploymentView(r.id(), r.kind(), r.owner(), r.network(), r.displayName(), r.status(),
          "contract".equals(r.kind()) ? r.txHash() : r.txId(), r.appId(), r.appAddress(), r.confirmedRound(), r.createdAt(),
          r.updatedAt(), r.error(), evm);
    }
  }

  /** A list page: {@code {"items": [...], "next": cursor-or-null}}. */
  public record DeploymentPage(java.util.List<DeploymentView> items, String next) {}

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final DeploymentReadSide readSide;
  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;
  private final String network;
  private final Duration askTimeout;

  public DeploymentRoutes(
      ActorSystem<?> system, BiFunction<String, Function<Principal, Route>, Route> authenticated, String network,
      Duration askTimeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.readSide = new DeploymentReadSide(system);
    this.authenticated = authenticated;
    this.network = network;
    this.askTimeout = askTimeout;
  }

  public Route route(String requestId) {
    return concat(
        path("creators", () -> post(() -> authenticated.apply(requestId, this::becomeCreator))),
        pathPrefix("deployments", () -> concat(
            pathEnd(() -> get(() -> authenticated.apply(requestId, this::list))),
            path(PathMatchers.segment(), id -> get(() -> authenticated.apply(requestId, p -> one(p, id)))),
            path(PathMatchers.segment().slash("updates"), id ->
                authenticated.apply(requestId, p -> updates(p, id))))));
  }

  private Route becomeCreator(Principal principal) {
    return optionalHeaderValueByName("Idempotency-Key", key -> entity(Json.body(CreatorRequest.class), body -> {
      String idempotencyKey = key.orElseThrow(() -> new ApiException(ApiError.INVALID_PARAMETER,
          "header Idempotency-Key is required: 1 to 64 characters of A-Z a-z 0-9 . _ : -"));
      if (!IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
        throw new ApiException(ApiError.INVALID_PARAMETER,
            "header Idempotency-Key must be 1 to 64 characters of A-Z a-z 0-9 . _ : -");
      }
      String displayName = body.displayName() == null ? "" : body.displayName();
      if (!DISPLAY_NAME.matcher(displayName).matches()) {
        throw new ApiException(ApiError.INVALID_PARAMETER,
            "displayName must be 1 to 32 characters of letters, digits, space, _ . -, starting with a letter or digit");
      }
      WalletAddress wallet = WalletAddress.parse(principal.subject());
      if (wallet.chain() != WalletAddress.Chain.ALGORAND) {
        throw new ApiException(ApiError.INVALID_ADDRESS, "a TipProxy is an Algorand application: log in with an Algorand wallet to become a creator");
      }
      String owner = wallet.value();
      String deploymentId = DeploymentId.of(owner, idempotencyKey);
      CompletionStage<DeploymentEntity.Summary> answer = sharding.entityRefFor(DeploymentEntity.ENTITY_KEY, deploymentId)
          .ask(replyTo -> new DeploymentEntity.Request(owner, displayName, network, replyTo), askTimeout);
      return onSuccess(answer, summary -> {
        if (!summary.created() && !displayName.equals(summary.displayName())) {
          throw new ApiException(ApiError.CONFLICT,
              "this Idempotency-Key was already used for a request with another displayName");
        }
        return complete(Json.response(summary.created() ? StatusCodes.ACCEPTED : StatusCodes.OK,
            new CreatorAccepted(deploymentId, summary.status().wire())));
      });
    }));
  }

  private Route list(Principal principal) {
    return parameterOptional("owner", owner -> parameterOptional("status", status ->
        parameterOptional("limit", limit -> parameterOptional("after", after -> {
          Optional<WalletAddress> ownerFilter = owner.map(WalletAddress::parse);
          if (!admin(principal)) {
            WalletAddress self = WalletAddress.parse(principal.subject());
            if (ownerFilter.isPresent() && !ownerFilter.get().equals(self)) {
              throw new ApiException(ApiError.FORBIDDEN, "a wallet may list only its own deployments");
            }
            ownerFilter = Optional.of(self);
          }
          Optional<DeploymentEntity.Status> statusFilter = status.map(DeploymentRoutes::status);
          int pageSize = limit.map(DeploymentRoutes::limit).orElse(DEFAULT_LIMIT);
          Optional<Cursor> cursor;
          try {
            cursor = after.map(Cursor::decode);
          } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_PARAMETER, e.getMessage());
          }
          return onSuccess(readSide.list(ownerFilter, statusFilter, pageSize, cursor), page -> complete(Json.response(
              StatusCodes.OK,
              new DeploymentPage(page.items().stream().map(DeploymentView::of).toList(), page.next()))));
        }))));
  }

  private Route one(Principal principal, String id) {
    return onSuccess(current(principal, id), summary -> complete(Json.response(StatusCodes.OK, DeploymentView.of(summary))));
  }

  /** The deployment's current state from its entity; 404 for an unknown id or another wallet's. */
  private CompletionStage<DeploymentEntity.Summary> current(Principal principal, String id) {
    if (!DeploymentId.valid(id)) throw new ApiException(ApiError.NOT_FOUND, "no deployment " + id);
    return sharding.entityRefFor(DeploymentEntity.ENTITY_KEY, id)
        .<DeploymentEntity.Summary>ask(DeploymentEntity.Get::new, askTimeout)
        .thenApply(summary -> {
          boolean visible = summary.status() != DeploymentEntity.Status.NEW
              && (admin(principal) || summary.owner().equals(WalletAddress.parse(principal.subject()).value()));
          if (!visible) throw new ApiException(ApiError.NOT_FOUND, "no deployment " + id);
          return summary;
        });
  }

  /**
   * The current state, then every later transition from the deployment's journal (so none is
   * missed, however soon after the socket opens it happens), as JSON text frames; the socket closes
   * after a terminal state.
   */
  private Route updates(Principal principal, String id) {
    if (!DeploymentId.valid(id)) throw new ApiException(ApiError.NOT_FOUND, "no deployment " + id);
    return onSuccess(current(principal, id), now -> {
      Source<Message, NotUsed> frames = Source.single(now)
          .concat(DeploymentEntity.journalStates(system, id).dropWhile(update -> !newer(update, now)))
          .takeWhile(update -> !update.status().terminal(), true)
          .map(update -> (Message) TextMessage.create(Json.MAPPER.writeValueAsString(DeploymentView.of(update))));
      Flow<Message, Message, NotUsed> socket = Flow.fromSinkAndSourceCoupled(Sink.ignore(), frames);
      return extractRequest(request -> WebSocketBearer.offersProtocol(request)
          ? handleWebSocketMessagesForProtocol(socket, WebSocketBearer.PROTOCOL)
          : handleWebSocketMessages(socket));
    });
  }

  private static boolean newer(DeploymentEntity.Summary update, DeploymentEntity.Summary than) {
    return update.updatedAt() != null && than.updatedAt() != null && update.updatedAt().isAfter(than.updatedAt());
  }

  private static boolean admin(Principal principal) {
    return principal.roles() != null && principal.roles().contains("admin");
  }

  private static DeploymentEntity.Status status(String text) {
    try {
      DeploymentEntity.Status status = DeploymentEntity.Status.valueOf(text.toUpperCase(Locale.ROOT));
      if (status == DeploymentEntity.Status.NEW) throw new IllegalArgumentException();
      return status;
    } catch (IllegalArgumentException e) {
      throw new ApiException(ApiError.INVALID_PARAMETER,
          "status must be one of requested, submitted, confirmed, funding, active, failed");
    }
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
