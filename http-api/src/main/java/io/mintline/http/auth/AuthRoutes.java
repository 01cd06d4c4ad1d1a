package io.mintline.http.auth;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import io.mintline.http.Json;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Wallet login and API keys over HTTP:
 * {@code GET /api/v1/auth/nonce}, {@code POST /api/v1/auth/login|refresh|logout},
 * {@code GET /api/v1/auth/session}, {@code GET /.well-known/jwks.json},
 * {@code POST|GET /api/v1/api-keys}, {@code DELETE /api/v1/api-keys/{id}}.
 * Routes only translate HTTP; {@link LoginService}, {@link ApiKeys} and {@link AccessTokens} decide.
 */
public final class AuthRoutes {
  private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f-]{36}");

  private final AuthModule auth;
  private final Executor blockingIo;

  AuthRoutes(AuthModule auth, Executor blockingIo) {
    this.auth = auth;
    this.blockingIo = blockingIo;
  }

  public Route route(String requestId) {
    return concat(
        path(PathMatchers.segment(".well-known").slash("jwks.json"), () -> get(() ->
            complete(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
                auth.tokens().publicKeys().toString(true)))))),
        pathPrefix("api", () -> pathPrefix("v1", () -> concat(
            pathPrefix("auth", () -> authRoutes(requestId)),
            pathPrefix("api-keys", () -> apiKeyRoutes(requestId))))));
  }

  private Route authRoutes(String requestId) {
    return concat(
        path("nonce", () -> get(() ->
            parameterOptional("address", address ->
                parameterOptional("chain", chain ->
                    parameterOptional("network", network ->
                        parameterOptional("domain", domain -> {
                          if (address.isEmpty()) throw new ApiException(ApiError.INVALID_PARAMETER, "query parameter 'address' is required");
                          return completeWithFuture(auth.login()
                              .issueNonce(address.get(), chain.orElse(null), network.orElse(null), domain.orElse(null))
                              .thenApply(nonce -> Json.response(StatusCodes.OK, nonce)));
                        })))))),
        path("login", () -> post(() -> entity(Json.body(AuthDtos.LoginRequest.class), body ->
            completeWithFuture(auth.login().login(body, requestId).thenApply(tokens -> Json.response(StatusCodes.OK, tokens)))))),
        path("refresh", () -> post(() -> entity(Json.body(AuthDtos.RefreshRequest.class), body ->
            completeWithFuture(auth.login().refresh(body, requestId).thenApply(tokens -> Json.response(StatusCodes.OK, tokens)))))),
        path("logout", () -> post(() -> authenticated(requestId, principal ->
            entity(Json.body(AuthDtos.RefreshRequest.class), body ->
                completeWithFuture(auth.login().logout(principal, body, auth.revoked(), requestId)
                    .thenApply(done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))))))),
        path("session", () -> get(() -> authenticated(requestId, principal ->
            complete(Json.response(StatusCodes.OK, new AuthDtos.SessionResponse(
                principal.subject(), principal.tier(), principal.roles(), principal.via(), principal.expiresAt())))))));
  }

  private Route apiKeyRoutes(String requestId) {
    return concat(
        pathEndOrSingleSlash(() -> authenticated(requestId, principal -> concat(
            post(() -> entity(Json.body(AuthDtos.ApiKeyRequest.class), body -> createKey(principal, body, requestId))),
            get(() -> completeWithFuture(blocking(() -> Json.response(StatusCodes.OK,
                new AuthDtos.ApiKeyList(auth.apiKeys().list(principal.subject()), null)))))))),
        path(PathMatchers.segment(), id -> delete(() -> authenticated(requestId, principal -> {
          if (!KEY_ID.matcher(id).matches()) throw new ApiException(ApiError.NOT_FOUND, "no API key " + id);
          return completeWithFuture(blocking(() -> {
            if (!auth.apiKeys().revoke(principal.subject(), id, requestId)) {
              throw new ApiException(ApiError.NOT_FOUND, "no live API key " + id + " of yours");
            }
            return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
          }));
        }))));
  }

  private Route createKey(Principal principal, AuthDtos.ApiKeyRequest body, String requestId) {
    String name = body.name() == null ? "default" : body.name();
    if (!KEY_NAME.matcher(name).matches()) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "name must be 1 to 64 letters, digits, '-' or '_'");
    }
    return completeWithFuture(blocking(() -> {
      ApiKeys.Created created;
      try {
        created = auth.apiKeys().create(principal.subject(), principal.tier(), name, requestId);
      } catch (ApiKeys.TooManyKeysException e) {
        throw new ApiException(ApiError.CONFLICT, e.getMessage());
      }
      ApiKeys.Key key = created.key();
      return Json.response(StatusCodes.CREATED,
          new AuthDtos.ApiKeyCreated(key.id(), created.secret(), key.name(), key.prefix(), key.tier(), key.createdAt()));
    }));
  }

  /**
   * Runs {@code inner} for the wallet behind {@code Authorization: Bearer <jwt>}, {@code X-Api-Key}
   * or, in a browser's WebSocket handshake, the token offered as a subprotocol ({@link WebSocketBearer});
   * 401 with the standard error JSON otherwise.
   */
  public Route authenticated(String requestId, Function<Principal, Route> inner) {
    return extractRequest(request -> {
      Optional<String> bearer = request.getHeader("Authorization").map(HttpHeader::value)
          .or(() -> WebSocketBearer.token(request).map(token -> "Bearer " + token));
      Optional<String> apiKey = request.getHeader("X-Api-Key").map(HttpHeader::value);
      CompletionStage<Principal> principal;
      if (bearer.isPresent()) {
        principal = CompletableFuture.completedFuture(auth.fromBearer(bearer.get(), requestId));
      } else if (apiKey.isPresent()) {
        principal = blocking(() -> auth.fromApiKey(apiKey.get(), requestId));
      } else {
        throw new ApiException(ApiError.UNAUTHORIZED, "this needs 'Authorization: Bearer <access token>' or 'X-Api-Key'");
      }
      return onSuccess(principal, inner);
    });
  }

  /** Blocking JDBC work on the blocking-io dispatcher; a database failure answers 503. */
  private <T> CompletionStage<T> blocking(JdbcWork<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return work.run();
      } catch (SQLException e) {
        throw LoginService.databaseUnavailable(e);
      }
    }, blockingIo);
  }

  @FunctionalInterface
  interface JdbcWork<T> {
    T run() throws SQLException;
  }

}
