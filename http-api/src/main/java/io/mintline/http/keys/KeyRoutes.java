package io.mintline.http.keys;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import io.mintline.deploy.algorand.ChainException;
import io.mintline.deploy.keys.KeyRole;
import io.mintline.http.Json;
import io.mintline.http.auth.AuditLog;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Admin only: {@code GET /api/v1/admin/keys} (each role's account and the key signing for it now),
 * {@code POST /api/v1/admin/keys/{role}/rotation} and {@code POST /api/v1/admin/keys/{role}/revocation}
 * ({@link KeyCustody}). A rotation of a single-key role answers 200 once the rekey is confirmed; a
 * multisig role's rotation or revocation answers 202 with the proposal its co-signers sign.
 */
public final class KeyRoutes {
  /** {@code GET /api/v1/admin/keys}. */
  public record RoleKeys(List<KeyCustody.RoleKey> items) {}

  private final KeyCustody custody;
  private final AuditLog auditLog;
  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;

  public KeyRoutes(KeyCustody custody, AuditLog auditLog, BiFunction<String, Function<Principal, Route>, Route> authenticated) {
    this.custody = custody;
    this.auditLog = auditLog;
    this.authenticated = authenticated;
  }

  public Route route(String requestId) {
    return pathPrefix("admin", () -> pathPrefix("keys", () -> concat(
        pathEnd(() -> get(() -> admin(requestId, p -> complete(Json.response(StatusCodes.OK, new RoleKeys(custody.roles())))))),
        path(PathMatchers.segment().slash("rotation"), role -> post(() -> admin(requestId, p ->
            change(p, role(role), "key.rotate", custody::rotate, requestId)))),
        path(PathMatchers.segment().slash("revocation"), role -> post(() -> admin(requestId, p ->
            change(p, role(role), "key.revoke", custody::revoke, requestId)))))));
  }

  private Route admin(String requestId, Function<Principal, Route> inner) {
    return authenticated.apply(requestId, principal -> {
      if (principal.roles() == null || !principal.roles().contains("admin")) {
        throw new ApiException(ApiError.FORBIDDEN, "only an admin can rotate or revoke the platform's keys");
      }
      return inner.apply(principal);
    });
  }

  private Route change(Principal principal, KeyRole role, String action, Function<KeyRole, CompletionStage<KeyCustody.Change>> work,
      String requestId) {
    CompletionStage<KeyCustody.Change> started;
    try {
      started = work.apply(role);
    } catch (KeyCustody.Refused | IllegalArgumentException e) {
      throw new ApiException(ApiError.CONFLICT, e.getMessage());
    }
    return completeWithFuture(started.handle((change, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof KeyCustody.Refused || cause instanceof IllegalArgumentException) throw new ApiException(ApiError.CONFLICT, cause.getMessage());
        if (cause instanceof ChainException chain) {
          throw new ApiException(chain.retryable() ? ApiError.CHAIN_UNAVAILABLE : ApiError.CONFLICT,
              "the chain did not take the rekey of the " + role.id() + " account: " + chain.getMessage());
        }
        throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
      }
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("status", change.status());
      details.put("account", change.account());
      details.put("oldKey", change.oldKey());
      details.put("newKey", change.newKey());
      details.put("txId", change.txId());
      if (change.proposalId() != null) details.put("proposalId", change.proposalId());
      auditLog.record(new AuditLog.Entry("wallet:" + principal.subject(), action, "key:" + role.id(), details, requestId));
      return Json.response(change.status().equals("rotated") ? StatusCodes.OK : StatusCodes.ACCEPTED, change);
    }));
  }

  private static KeyRole role(String id) {
    return Arrays.stream(KeyRole.values()).filter(r -> r.id().equals(id)).findFirst()
        .orElseThrow(() -> new ApiException(ApiError.NOT_FOUND, "no role " + id + " (mint, deploy or admin)"));
  }
}
