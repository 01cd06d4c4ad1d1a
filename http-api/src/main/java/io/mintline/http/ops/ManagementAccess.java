package io.mintline.http.ops;

import akka.actor.AbstractExtensionId;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import io.mintline.config.OperationsSettings;
import io.mintline.http.auth.AuditLog;
import io.mintline.http.auth.AuthModule;
import io.mintline.http.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Who may use the management port's cluster routes: an access token with the {@code admin} role
 * (checked like the public API's, revocation included) or the configured basic-auth user. The
 * node hands it the auth module once that has started; until then the routes answer 503.
 */
public final class ManagementAccess implements Extension {
  /** The outcome of checking one Authorization header. */
  public sealed interface Decision permits Admin, Refused {}

  /** An admin: who, for the audit log. */
  public record Admin(String actor, String via) implements Decision {}

  /** 401 (no or bad credentials), 403 (not an admin) or 503 (not started yet). */
  public record Refused(int status, String error, String message) implements Decision {}

  private final AtomicReference<AuthModule> auth = new AtomicReference<>();
  private volatile OperationsSettings settings;

  public static final Id ID = new Id();

  public static final class Id extends AbstractExtensionId<ManagementAccess> {
    @Override
    public ManagementAccess createExtension(ExtendedActorSystem system) {
      return new ManagementAccess();
    }
  }

  public static ManagementAccess get(akka.actor.ActorSystem system) {
    return ID.get(system);
  }

  /** Called by the node once settings are read and the auth module runs. */
  public void configure(OperationsSettings settings, AuthModule auth) {
    this.settings = settings;
    this.auth.set(auth);
  }

  public OperationsSettings settings() {
    return settings;
  }

  /** The audit log, or null before {@link #configure}. */
  public AuditLog audit() {
    AuthModule a = auth.get();
    return a == null ? null : a.audit();
  }

  /** Decides on one {@code Authorization} header value (null when absent). */
  public Decision decide(String authorization, String requestId) {
    AuthModule module = auth.get();
    OperationsSettings ops = settings;
    if (module == null || ops == null) return new Refused(503, "not_ready", "the node is still starting; try again");
    if (authorization == null || authorization.isBlank()) {
      return new Refused(401, "unauthorized", "the cluster routes need 'Authorization: Bearer <admin access token>'"
          + (ops.basicAuthConfigured() ? " or the management basic-auth user" : ""));
    }
    if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) return basic(authorization.substring(6).trim(), ops);
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return new Refused(401, "unauthorized", "Authorization must be 'Bearer <access token>' or 'Basic <user:password>'");
    }
    Principal principal;
    try {
      principal = module.principal(authorization, requestId);
    } catch (io.mintline.http.errors.ApiException e) {
      return new Refused(e.kind().status().intValue(), e.kind().error(), e.getMessage());
    }
    if (principal.roles() == null || !principal.roles().contains("admin")) {
      return new Refused(403, "forbidden", "the cluster routes are for admins; this token has roles " + principal.roles());
    }
    return new Admin(principal.subject(), "jwt");
  }

  private static Decision basic(String encoded, OperationsSettings ops) {
    if (!ops.basicAuthConfigured()) {
      return new Refused(401, "unauthorized", "no management basic-auth user is configured; use an admin access token");
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return new Refused(401, "unauthorized", "Basic credentials are not valid base64");
    }
    int colon = decoded.indexOf(':');
    String user = colon < 0 ? decoded : decoded.substring(0, colon);
    String password = colon < 0 ? "" : decoded.substring(colon + 1);
    // Both compared in full, in constant time, so timing tells nothing about which part was wrong.
    boolean userOk = MessageDigest.isEqual(sha256(user), sha256(ops.adminUser()));
    boolean passwordOk = MessageDigest.isEqual(sha256(password), sha256(ops.adminPassword()));
    if (!(userOk & passwordOk)) return new Refused(401, "unauthorized", "wrong management user or password");
    return new Admin(ops.adminUser(), "basic");
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
