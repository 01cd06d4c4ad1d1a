package io.mintline.http.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.mintline.config.MintlineSettings;
import io.mintline.config.SettingsException;
import io.mintline.engine.persistence.JournalDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Where the access-token signing keys come from: {@code mintline.auth.jwks} (a JWK set, inline or in
 * a file; the first private key signs, all keys verify, so rotation adds the new key in front and
 * keeps the old one until its tokens have expired). Only on devnet may the node make a key itself;
 * it then keeps it in the database, so every node of a devnet cluster signs and verifies alike.
 */
public final class SigningKeys {
  private SigningKeys() {}

  /** The configured JWK set, or null when none is configured; throws SettingsException on a bad one. */
  public static JWKSet configured(String jwks) {
    if (jwks.isEmpty()) return null;
    String json = jwks;
    if (!jwks.startsWith("{")) {
      try {
        json = Files.readString(Path.of(jwks));
      } catch (IOException | RuntimeException e) {
        throw new SettingsException("mintline.auth.jwks", "a JWK set or the path of a readable file holding one", "an unreadable path");
      }
    }
    JWKSet set;
    try {
      set = JWKSet.parse(json);
    } catch (ParseException e) {
      throw new SettingsException("mintline.auth.jwks", "a JWK set in JSON", "text that does not parse as one");
    }
    if (set.getKeys().stream().noneMatch(AccessTokens::canSign)) {
      throw new SettingsException("mintline.auth.jwks", "a JWK set with a private EC P-256 key that has a kid", "a set without one");
    }
    return set;
  }

  /** Refuses to run without configured keys anywhere but on devnet. */
  public static void requireConfiguredOffDevnet(MintlineSettings.Network network, JWKSet configured) {
    if (configured == null && network != MintlineSettings.Network.DEVNET) {
      throw new SettingsException("mintline.auth.jwks",
          "the JWK set signing access tokens (MINTLINE_JWT_JWKS): only devnet may generate one", "nothing");
    }
  }

  /** The kid of the devnet's own key: one fixed slot, so that nodes racing to create it agree. */
  static final String DEVNET_KID = "mintline-devnet-1";

  /** A new ES256 key with the given kid. */
  public static ECKey generate(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256)
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .keyID(kid)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a P-256 key", e);
    }
  }

  /**
   * The devnet key kept in the database, created by the first node that finds none. Every node
   * inserts into the same primary-key slot ({@link #DEVNET_KID}); the losers of a race get a
   * unique-key violation and read the winner's key, so all nodes sign and verify alike.
   */
  public static JWKSet loadOrCreate(JournalDatabase database) throws SQLException {
    DataSource ds = database.dataSource();
    List<JWK> stored = stored(ds);
    if (stored.stream().noneMatch(k -> DEVNET_KID.equals(k.getKeyID()))) {
      ECKey key = generate(DEVNET_KID);
      try (Connection c = ds.getConnection();
          PreparedStatement insert = c.prepareStatement("INSERT INTO auth_signing_keys (kid, jwk, created_at) VALUES (?, ?, ?)")) {
        insert.setString(1, key.getKeyID());
        insert.setString(2, key.toJSONString());
        insert.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
        insert.executeUpdate();
      } catch (SQLException e) {
        if (!UNIQUE_VIOLATION.equals(e.getSQLState())) throw e;
      }
      stored = stored(ds);
    }
    return new JWKSet(stored);
  }

  private static final String UNIQUE_VIOLATION = "23505";

  private static List<JWK> stored(DataSource ds) throws SQLException {
    List<JWK> keys = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement select = c.prepareStatement("SELECT jwk FROM auth_signing_keys ORDER BY created_at, kid");
        ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        try {
          keys.add(JWK.parse(rs.getString(1)));
        } catch (ParseException e) {
          throw new SQLException("auth_signing_keys holds a key that does not parse", e);
        }
      }
    }
    return keys;
  }
}
