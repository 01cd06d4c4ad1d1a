package io.mintline.http.errors;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;

/**
 * Every kind of error the API answers, with its HTTP status, its snake_case name and its stable
 * numeric code (documented in docs/API.md). Clients branch on {@code error} or {@code code}, never
 * on the message.
 */
public enum ApiError {
  BAD_REQUEST(StatusCodes.BAD_REQUEST, "bad_request", 4000, false),
  INVALID_JSON(StatusCodes.BAD_REQUEST, "invalid_json", 4001, false),
  INVALID_ADDRESS(StatusCodes.BAD_REQUEST, "invalid_address", 4002, false),
  INVALID_REQUEST_ID(StatusCodes.BAD_REQUEST, "invalid_request_id", 4003, false),
  INVALID_PARAMETER(StatusCodes.BAD_REQUEST, "invalid_parameter", 4004, false),
  MALFORMED_HTTP(StatusCodes.BAD_REQUEST, "malformed_http", 4005, false),
  NETWORK_NOT_ALLOWED(StatusCodes.BAD_REQUEST, "network_not_allowed", 4006, false),
  INVALID_LOGIN_MESSAGE(StatusCodes.BAD_REQUEST, "invalid_login_message", 4007, false),
  /** A webhook URL that is malformed, has the wrong scheme for the network, or carries credentials. */
  INVALID_WEBHOOK_URL(StatusCodes.BAD_REQUEST, "invalid_webhook_url", 4008, false),
  /** A webhook URL whose host does not resolve, or resolves to a loopback, private or reserved address (SSRF guard). */
  WEBHOOK_URL_NOT_PUBLIC(StatusCodes.BAD_REQUEST, "webhook_url_not_public", 4009, false),
  UNAUTHORIZED(StatusCodes.UNAUTHORIZED, "unauthorized", 4010, false),
  // Login refusals: one code per reason, so a wallet dApp can tell the user what to do.
  INVALID_SIGNATURE(StatusCodes.UNAUTHORIZED, "invalid_signature", 4011, false),
  NONCE_UNKNOWN(StatusCodes.UNAUTHORIZED, "nonce_unknown", 4012, false),
  NONCE_REPLAYED(StatusCodes.UNAUTHORIZED, "nonce_replayed", 4013, false),
  NONCE_EXPIRED(StatusCodes.UNAUTHORIZED, "nonce_expired", 4014, false),
  NONCE_MISMATCH(StatusCodes.UNAUTHORIZED, "nonce_mismatch", 4015, false),
  MESSAGE_TAMPERED(StatusCodes.UNAUTHORIZED, "message_tampered", 4016, false),
  INVALID_TOKEN(StatusCodes.UNAUTHORIZED, "invalid_token", 4017, false),
  INVALID_REFRESH_TOKEN(StatusCodes.UNAUTHORIZED, "invalid_refresh_token", 4018, false),
  REFRESH_TOKEN_REUSED(StatusCodes.UNAUTHORIZED, "refresh_token_reused", 4019, false),
  FORBIDDEN(StatusCodes.FORBIDDEN, "forbidden", 4030, false),
  /** A co-signature from an address that is not a member of the proposal's multisig. */
  NOT_A_COSIGNER(StatusCodes.FORBIDDEN, "not_a_cosigner", 4031, false),
  NOT_FOUND(StatusCodes.NOT_FOUND, "not_found", 4040, false),
  METHOD_NOT_ALLOWED(StatusCodes.METHOD_NOT_ALLOWED, "method_not_allowed", 4050, false),
  NOT_ACCEPTABLE(StatusCodes.NOT_ACCEPTABLE, "not_acceptable", 4060, false),
  CONFLICT(StatusCodes.CONFLICT, "conflict", 4090, false),
  /** A sticker claim before the fan's wallet opted in to the asset. */
  NOT_OPTED_IN(StatusCodes.CONFLICT, "not_opted_in", 4091, false),
  /** A sticker claim before the sticker is confirmed on chain. */
  NOT_MINTED(StatusCodes.CONFLICT, "not_minted", 4092, true),
  /** A deploy of sources whose audit has CRITICAL findings the request did not acknowledge. */
  CRITICAL_FINDINGS(StatusCodes.CONFLICT, "critical_findings", 4093, false),
  /** A manual webhook retry while the endpoint is disabled (re-enable it first). */
  WEBHOOK_DISABLED(StatusCodes.CONFLICT, "webhook_disabled", 4094, false),
  /** A wallet already has mintline.webhooks.max-endpoints-per-owner webhook endpoints. */
  WEBHOOK_LIMIT_REACHED(StatusCodes.CONFLICT, "webhook_limit_reached", 4095, false),
  /** A co-signature for a proposal its member already signed. */
  ALREADY_SIGNED(StatusCodes.CONFLICT, "already_signed", 4096, false),
  /** A co-signature for a proposal that already has its threshold (signed or submitted). */
  PROPOSAL_CLOSED(StatusCodes.CONFLICT, "proposal_closed", 4097, false),
  /** A co-signature for a proposal whose transaction's last valid round has passed. */
  PROPOSAL_EXPIRED(StatusCodes.GONE, "proposal_expired", 4100, false),
  PAYLOAD_TOO_LARGE(StatusCodes.PAYLOAD_TOO_LARGE, "payload_too_large", 4130, false),
  URI_TOO_LONG(StatusCodes.URI_TOO_LONG, "uri_too_long", 4140, false),
  UNSUPPORTED_MEDIA_TYPE(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", 4150, false),
  HEADERS_TOO_LARGE(StatusCodes.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large", 4310, false),
  /** A co-signature that does not verify for the proposal's transaction (wrong transaction, wrong key, or not 64 bytes). */
  INVALID_COSIGNATURE(StatusCodes.UNPROCESSABLE_ENTITY, "invalid_cosignature", 4220, false),
  RATE_LIMITED(StatusCodes.TOO_MANY_REQUESTS, "rate_limited", 4290, true),
  /** A tier's daily quota (compilations, deployments, audits) is used up until the next UTC day. */
  QUOTA_EXCEEDED(StatusCodes.TOO_MANY_REQUESTS, "quota_exceeded", 4291, true),
  INTERNAL(StatusCodes.INTERNAL_SERVER_ERROR, "internal_error", 5000, true),
  NOT_READY(StatusCodes.SERVICE_UNAVAILABLE, "not_ready", 5030, true),
  TIMEOUT(StatusCodes.SERVICE_UNAVAILABLE, "timeout", 5031, true),
  /** The Algorand node could not be reached or refused a platform transaction; try again later. */
  CHAIN_UNAVAILABLE(StatusCodes.SERVICE_UNAVAILABLE, "chain_unavailable", 5032, true),
  /** This node has no Solidity compiler (Node.js or the npm packages are missing): the contract routes are off. */
  COMPILER_UNAVAILABLE(StatusCodes.SERVICE_UNAVAILABLE, "compiler_unavailable", 5033, true);

  private final StatusCode status;
  private final String error;
  private final int code;
  private final boolean retry;

  ApiError(StatusCode status, String error, int code, boolean retry) {
    this.status = status;
    this.error = error;
    this.code = code;
    this.retry = retry;
  }

  public StatusCode status() {
    return status;
  }

  public String error() {
    return error;
  }

  public int code() {
    return code;
  }

  public boolean retry() {
    return retry;
  }

  /** The closest kind for a status produced by Akka HTTP itself (parsing, default rejections). */
  public static ApiError forStatus(int status) {
    return switch (status) {
      case 401 -> UNAUTHORIZED;
      case 403 -> FORBIDDEN;
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 406 -> NOT_ACCEPTABLE;
      case 409 -> CONFLICT;
      case 413 -> PAYLOAD_TOO_LARGE;
      case 414 -> URI_TOO_LONG;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      case 429 -> RATE_LIMITED;
      case 431 -> HEADERS_TOO_LARGE;
      case 503 -> NOT_READY;
      default -> status >= 500 ? INTERNAL : BAD_REQUEST;
    };
  }
}
