package io.mintline.http.keys;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.deploy.algorand.SignedTxns;
import io.mintline.http.Json;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Admin only: {@code GET /api/v1/admin/proposals?status=&limit=}, {@code GET
 * /api/v1/admin/proposals/{id}} and {@code POST /api/v1/admin/proposals/{id}/signatures} — the
 * multisig transactions waiting for co-signers, and a co-signer's signature from their own wallet:
 * either the signed transaction the wallet returns ({@code signedTransaction}, base64 msgpack with
 * the multisig's subsignatures, as algosdk's {@code appendSignMultisigTransaction} makes it) or
 * one raw signature ({@code signer}, {@code signature}: base64 of the 64-byte Ed25519 signature of
 * "TX" ‖ transaction). Routes only translate; {@link Proposals} verifies and stores.
 */
public final class ProposalRoutes {
  private static final Pattern ID = Pattern.compile("prop_[0-9a-f]{28}");
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  /** {@code POST /api/v1/admin/proposals/{id}/signatures}: give {@code signedTransaction}, or {@code signer} and {@code signature}. */
  public record SignatureRequest(String signedTransaction, String signer, String signature) {}

  /** The multisig a proposal needs signatures of. */
  public record MultisigView(int version, int threshold, String address, List<String> members) {}

  /** A proposal as admins and co-signers' wallets see it. */
  public record ProposalView(String id, String role, String purpose, String status, String txId, String sender,
      MultisigView multisig, List<String> signers, String transaction, String signedTransaction, long firstValid,
      long lastValid, Instant createdAt, Instant updatedAt) {
    static ProposalView of(Proposals.Proposal p) {
      Base64.Encoder b64 = Base64.getEncoder();
      return new ProposalView(p.id(), p.role(), p.purpose(), p.status().wire(), p.txId(), p.sender(),
          new MultisigView(1, p.threshold(), p.multisig(), p.members()), p.signers(), b64.encodeToString(p.transaction()),
          b64.encodeToString(p.signedBytes()), p.firstValid(), p.lastValid(), p.createdAt(), p.updatedAt());
    }
  }

  /** A page of proposals, newest first ({@code next} is always null: a window, not a paged list). */
  public record ProposalPage(List<ProposalView> items, String next) {}

  private final Proposals proposals;
  private final AlgorandGateway gateway;
  private final Executor blockingIo;
  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;

  public ProposalRoutes(Proposals proposals, AlgorandGateway gateway, Executor blockingIo,
      BiFunction<String, Function<Principal, Route>, Route> authenticated) {
    this.proposals = proposals;
    this.gateway = gateway;
    this.blockingIo = blockingIo;
    this.authenticated = authenticated;
  }

  public Route route(String requestId) {
    return pathPrefix("admin", () -> pathPrefix("proposals", () -> concat(
        pathEnd(() -> get(() -> admin(requestId, principal -> parameterOptional("status", status ->
            parameterOptional("limit", limit -> list(status.map(ProposalRoutes::status), limit.map(ProposalRoutes::limit).orElse(DEFAULT_LIMIT))))))),
        pathPrefix(PathMatchers.segment(), id -> concat(
            pathEnd(() -> get(() -> admin(requestId, principal -> one(id)))),
            path("signatures", () -> post(() -> admin(requestId, principal ->
                entity(Json.body(SignatureRequest.class), body -> sign(principal, id, body, requestId))))))))));
  }

  private Route admin(String requestId, Function<Principal, Route> inner) {
    return authenticated.apply(requestId, principal -> {
      if (principal.roles() == null || !principal.roles().contains("admin")) {
        throw new ApiException(ApiError.FORBIDDEN, "only an admin can read or sign multisig proposals");
      }
      return inner.apply(principal);
    });
  }

  private Route list(Optional<Proposals.Status> status, int limit) {
    return completeWithFuture(atRound(round -> Json.response(StatusCodes.OK,
        new ProposalPage(proposals.list(status, limit, round).stream().map(ProposalView::of).toList(), null))));
  }

  private Route one(String id) {
    if (!ID.matcher(id).matches()) throw new ApiException(ApiError.NOT_FOUND, "no proposal " + id);
    return completeWithFuture(atRound(round -> Json.response(StatusCodes.OK, ProposalView.of(proposals.get(id, round)
        .orElseThrow(() -> new ApiException(ApiError.NOT_FOUND, "no proposal " + id))))));
  }

  private Route sign(Principal principal, String id, SignatureRequest body, String requestId) {
    if (!ID.matcher(id).matches()) throw new ApiException(ApiError.NOT_FOUND, "no proposal " + id);
    List<Proposals.Cosignature> offered = cosignatures(body);
    return completeWithFuture(atRound(round -> {
      try {
        return Json.response(StatusCodes.OK,
            ProposalView.of(proposals.addSignatures(id, offered, round, "wallet:" + principal.subject(), requestId)));
      } catch (Proposals.Refusal refusal) {
        throw new ApiException(switch (refusal.kind()) {
          case NOT_FOUND -> ApiError.NOT_FOUND;
          case NOT_A_MEMBER -> ApiError.NOT_A_COSIGNER;
          case BAD_SIGNATURE -> ApiError.INVALID_COSIGNATURE;
          case ALREADY_SIGNED -> ApiError.ALREADY_SIGNED;
          case CLOSED -> ApiError.PROPOSAL_CLOSED;
          case EXPIRED -> ApiError.PROPOSAL_EXPIRED;
        }, refusal.getMessage());
      }
    }));
  }

  /** The signatures a request offers: every subsignature of a wallet's signed transaction, or the one raw signature. */
  private static List<Proposals.Cosignature> cosignatures(SignatureRequest body) {
    boolean blob = body.signedTransaction() != null;
    boolean raw = body.signer() != null || body.signature() != null;
    if (blob == raw) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "give either signedTransaction, or signer and signature");
    }
    if (raw) {
      if (body.signer() == null || body.signature() == null) {
        throw new ApiException(ApiError.INVALID_PARAMETER, "a raw co-signature needs both signer and signature");
      }
      if (!body.signer().matches("[A-Z2-7]{58}") || !validAddress(body.signer())) {
        throw new ApiException(ApiError.INVALID_ADDRESS, "signer is not an Algorand address: " + body.signer());
      }
      return List.of(new Proposals.Cosignature(body.signer(), base64(body.signature(), "signature")));
    }
    byte[] signed = base64(body.signedTransaction(), "signedTransaction");
    List<SignedTxns.Subsig> subsigs;
    try {
      subsigs = SignedTxns.multisigSubsigs(signed);
    } catch (IllegalArgumentException e) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "signedTransaction is not a signed transaction: " + e.getMessage());
    }
    List<Proposals.Cosignature> out = new ArrayList<>();
    for (SignedTxns.Subsig sub : subsigs) {
      if (sub.signature() == null) continue;
      if (sub.publicKey().length != 32) throw new ApiException(ApiError.INVALID_PARAMETER, "a subsignature's public key is not 32 bytes");
      out.add(new Proposals.Cosignature(new com.algorand.algosdk.crypto.Address(sub.publicKey()).toString(), sub.signature()));
    }
    if (out.isEmpty()) throw new ApiException(ApiError.INVALID_PARAMETER, "signedTransaction carries no multisig signature");
    return out;
  }

  private static boolean validAddress(String text) {
    try {
      new com.algorand.algosdk.crypto.Address(text);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static byte[] base64(String text, String field) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new ApiException(ApiError.INVALID_PARAMETER, field + " is not base64");
    }
  }

  /** Runs {@code work} against the chain's current round, on the blocking dispatcher (it reads the database). */
  private <T> CompletionStage<T> atRound(Work<T> work) {
    return gateway.params().exceptionally(e -> {
      throw new ApiException(ApiError.CHAIN_UNAVAILABLE, "the Algorand node does not answer; try again");
    }).thenApplyAsync(params -> {
      try {
        return work.run(params.lastRound());
      } catch (SQLException e) {
        throw new ApiException(ApiError.NOT_READY, "the database is not available; try again");
      }
    }, blockingIo).exceptionally(e -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof RuntimeException r) throw r;
      throw new CompletionException(cause);
    });
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(long lastRound) throws SQLException;
  }

  private static Proposals.Status status(String text) {
    try {
      return Proposals.Status.of(text);
    } catch (IllegalArgumentException e) {
      throw new ApiException(ApiError.INVALID_PARAMETER, "status must be one of pending, signed, submitted, expired");
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
