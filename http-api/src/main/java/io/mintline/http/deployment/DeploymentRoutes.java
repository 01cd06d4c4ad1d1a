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
import io.mintline.http.auth.AuthDtos;
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
 * Creator onboarding and deployments: {@code POST /api/v1/creators} (Idempotency-Key; {@code chain}
 * {@code algorand} deploys the wallet's TipProxy, {@code evm} its tip jar on {@code network}, one per
 * chain and network),
 * {@code GET /api/v1/deployments[/{id}]} and {@code WS /api/v1/deployments/{id}/updates}.
 * Routes only translate HTTP to entity commands and read-side queries.
 */
public final class DeploymentRoutes {
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern DISPLAY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _.-]{0,31}");
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  /**
   * Body of {@code POST /api/v1/creators}: {@code chain} {@code algorand} (default) or {@code evm} with
   * {@code network}. {@code evmProof}, with {@code evm} from an Algorand login: the SIWE login message
   * of the EVM address the creator's tip jar pays, signed by that address (a nonce from
   * {@code GET /api/v1/auth/nonce?address=0x…}, as for a login): one creator on both chains.
   */
  public record CreatorRequest(String displayName, String chain, String network, AuthDtos.LoginRequest evmProof) {}

  /** Answer of {@code POST /api/v1/creators}. */
  public record CreatorAccepted(String deploymentId, String status, String chain, String network) {}

  /** Checks a signed login message of another wallet without logging it in; answers its canonical address. */
  @FunctionalInterface
  public interface WalletProofs {
    CompletionStage<String> prove(AuthDtos.LoginRequest proof, String actor, String requestId);
  }

  /** Builds a creator's tip jar contract (the platform's template, compiled); null on a node without EVM deployments. */
  @FunctionalInterface
  public interface TipJars {
    CompletionStage<DeploymentEntity.EvmContract> contract(String owner);
  }

  /**
   * A deployment as the API shows it: {@code kind} is {@code tipproxy} (a creator's TipProxy app) or
   * {@code contract} (an EVM contract deployment, whose chain fields are in {@code evm}).
   */
  public record DeploymentView(
      String id, String kind, String owner, String network, String displayName, String status, String txId, Long appId,
      String appAddress, Long confirmedRound, Instant createdAt, Instant updatedAt, String error,
      DeploymentEntity.EvmView evm) {

    static DeploymentView of(DeploymentEntity.Summary s) {
      return new DeploymentView(s.id(), s.evm() == null ? "tipproxy" : s.evm().kind(), s.owner(), s.network(), s.displayName(),
          s.status().wire(), s.txId(), s.appId(), s.appAddress(), s.confirmedRound(), s.createdAt(), s.updatedAt(), s.error(),
          s.evm());
    }

    static DeploymentView of(DeploymentReadSide.Row r) {
      // The list shows the chain fields the read side keeps; the full set is on GET /deployments/{id}.
      boolean evmKind = !"tipproxy".equals(r.kind());
      DeploymentEntity.EvmView evm = evmKind
          ? new DeploymentEntity.EvmView(null, null, null, null, r.nonce(), null, null, null,
              r.txHash() == null ? java.util.List.of() : java.util.List.of(r.txHash()), r.contractAddress(), r.blockNumber(),
              r.blockHash(), r.gasUsed(), r.kind())
          : null;
      return new DeploymentView(r.id(), r.kind(), r.owner(), r.network(), r.displayName(), r.status(),
          evmKind ? r.txHash() : r.txId(), r.appId(), r.appAddress(), r.confirmedRound(), r.createdAt(),
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
  private final java.util.Set<String> evmNetworks;
  private final TipJars tipJars;
  private final WalletProofs proofs;

  public DeploymentRoutes(
      ActorSystem<?> system, BiFunction<String, Function<Principal, Route>, Route> authenticated, String network,
      Duration askTimeout) {
    this(system, authenticated, network, askTimeout, java.util.Set.of(), null, null);
  }

  /**
   * With EVM onboarding: creators' tip jars on {@code evmNetworks}, built by {@code tipJars};
   * {@code proofs} checks the EVM address an Algorand creator links.
   */
  public DeploymentRoutes(
      ActorSystem<?> system, BiFunction<String, Function<Principal, Route>, Route> authenticated, String network,
      Duration askTimeout, java.util.Set<String> evmNetworks, TipJars tipJars, WalletProofs proofs) {
    this.evmNetworks = java.util.Set.copyOf(evmNetworks);
    this.tipJars = tipJars;
    this.proofs = proofs;
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.readSide = new DeploymentReadSide(system);
    this.authenticated = authenticated;
    this.network = network;
    this.askTimeout = askTimeout;
  }

  public Route route(String requestId) {
    return concat(
        path("creators", () -> post(() -> authenticated.apply(requestId, p -> becomeCreator(p, requestId)))),
        pathPrefix("deployments", () -> concat(
            pathEnd(() -> get(() -> authenticated.apply(requestId, this::list))),
            path(PathMatchers.segment(), id -> get(() -> authenticated.apply(requestId, p -> one(p, id)))),
            path(PathMatchers.segment().slash("updates"), id ->
                authenticated.apply(requestId, p -> updates(p, id))))));
  }

  private Route becomeCreator(Principal principal, String requestId) {
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
      String chain = body.chain() == null ? "algorand" : body.chain();
      WalletAddress wallet = WalletAddress.parse(principal.subject());
      if (chain.equals("evm")) return becomeEvmCreator(wallet, displayName, body.network(), body.evmProof(), requestId);
      if (!chain.equals("algorand")) {
        throw new ApiException(ApiError.INVALID_PARAMETER, "chain must be \"algorand\" (the default) or \"evm\"");
      }
      if (body.evmProof() != null) {
        throw new ApiException(ApiError.INVALID_PARAMETER, "evmProof goes with \"chain\": \"evm\" only");
      }
      if (body.network() != null && !body.network().equals(network)) {
        throw new ApiException(ApiError.NETWORK_NOT_ALLOWED, "this node's Algorand network is " + network + ", not " + body.network());
      }
      if (wallet.chain() != WalletAddress.Chain.ALGORAND) {
        throw new ApiException(ApiError.INVALID_ADDRESS, "a TipProxy is an Algorand application: log in with an Algorand wallet to become a creator"
            + " (or ask for \"chain\": \"evm\" with your EVM wallet)");
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
            new CreatorAccepted(deploymentId, summary.status().wire(), "algorand", network)));
      });
    }));
  }

  /**
   * An EVM wallet (SIWE login) becomes a creator on {@code evmNetwork} by deploying its tip jar; an
   * Algorand wallet does the same for the EVM address it proves it controls ({@code proof}), which
   * the jar pays: its EVM tips are then the Algorand creator's, one identity on both chains. One jar
   * per wallet and network: the deployment id depends on both and not on the Idempotency-Key, so any
   * repeat answers the same deployment (200) without a new proof being checked.
   */
  private Route becomeEvmCreator(WalletAddress wallet, String displayName, String evmNetwork, AuthDtos.LoginRequest proof,
      String requestId) {
    if (tipJars == null || evmNetworks.isEmpty()) {
      throw new ApiException(ApiError.NETWORK_NOT_ALLOWED, "this node offers no EVM network");
    }
    if (evmNetwork == null) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "\"network\" is required with \"chain\": \"evm\": one of " + new java.util.TreeSet<>(evmNetworks));
    }
    if (!evmNetworks.contains(evmNetwork)) {
      throw new ApiException(ApiError.NETWORK_NOT_ALLOWED, "network \"" + evmNetwork + "\" is not one of this node's EVM networks "
          + new java.util.TreeSet<>(evmNetworks));
    }
    boolean linking = wallet.chain() == WalletAddress.Chain.ALGORAND;
    if (linking && proof == null) {
      throw new ApiException(ApiError.INVALID_ADDRESS, "a tip jar is an EVM contract: log in with an EVM wallet (Sign-In with Ethereum) to become a creator on "
          + evmNetwork + ", or link one to this Algorand creator with evmProof (its signed login message)");
    }
    if (!linking && proof != null) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "evmProof links an EVM address to an Algorand wallet; an EVM wallet's tip jar pays itself");
    }
    if (linking && (proof.address() == null || WalletAddress.parse(proof.address()).chain() != WalletAddress.Chain.EVM)) {
      throw new ApiException(ApiError.INVALID_ADDRESS, "evmProof.address must be an EVM address (0x…, checksummed)");
    }
    String owner = wallet.value();
    String deploymentId = DeploymentId.of(owner, "tip-jar:" + evmNetwork);
    var entity = sharding.entityRefFor(DeploymentEntity.ENTITY_KEY, deploymentId);
    CompletionStage<DeploymentEntity.Summary> answer = entity.<DeploymentEntity.Summary>ask(DeploymentEntity.Get::new, askTimeout)
        .<DeploymentEntity.Summary>thenCompose(current -> {
          if (current.status() != DeploymentEntity.Status.NEW) return java.util.concurrent.CompletableFuture.completedFuture(current);
          CompletionStage<String> payee = linking ? proofs.prove(proof, owner, requestId)
              : java.util.concurrent.CompletableFuture.completedFuture(null);
          return payee.thenCompose(evmAddress -> tipJars.contract(owner).thenCompose(contract -> entity.<DeploymentEntity.Summary>ask(
              replyTo -> new DeploymentEntity.RequestContract(owner, displayName, evmNetwork, contract.withPayee(evmAddress), replyTo),
              askTimeout)));
        });
    // The first creator on a node waits for the template's compilation.
    return withRequestTimeout(scala.concurrent.duration.Duration.create(150, java.util.concurrent.TimeUnit.SECONDS), () ->
        onSuccess(answer, summary -> complete(Json.response(summary.created() ? StatusCodes.ACCEPTED : StatusCodes.OK,
            new CreatorAccepted(deploymentId, summary.status().wire(), "evm", evmNetwork)))));
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
