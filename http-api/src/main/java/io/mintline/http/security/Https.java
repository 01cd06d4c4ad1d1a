package io.mintline.http.security;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.ConnectionContext;
import akka.http.javadsl.HttpsConnectionContext;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import io.mintline.config.EdgeSettings;
import io.mintline.config.SettingsException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The optional HTTPS listener: the server key and certificate chain from a PKCS#12 keystore
 * ({@code mintline.edge.tls}), TLS 1.2+ as the JDK negotiates it. With both listeners on, the
 * HTTP one redirects every request to HTTPS (308, so a POST stays a POST), except the probes
 * {@code /health}, {@code /ready} and {@code /alive}, which load balancers and Kubernetes send
 * over plain HTTP.
 */
public final class Https {
  private static final Set<String> PROBES = Set.of("/health", "/ready", "/alive");

  private Https() {}

  /** The TLS context from the configured keystore; a SettingsException names the key on failure. */
  public static HttpsConnectionContext context(EdgeSettings.Tls tls) {
    Path file = Path.of(tls.keystore());
    if (!Files.isReadable(file)) throw new SettingsException("mintline.edge.tls.keystore", "a readable PKCS#12 file", tls.keystore());
    try (InputStream in = Files.newInputStream(file)) {
      char[] password = tls.keystorePassword().toCharArray();
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(keys.getKeyManagers(), null, null);
      return ConnectionContext.httpsServer(ssl);
    } catch (Exception e) {
      throw new SettingsException("mintline.edge.tls.keystore",
          "a PKCS#12 keystore that opens with mintline.edge.tls.keystore-password (" + e.getClass().getSimpleName() + ")", tls.keystore());
    }
  }

  /** The plain-HTTP listener's route when HTTPS is on and redirects are wanted. */
  public static Route redirecting(int httpsPort, Route probes) {
    return extractUri(uri -> PROBES.contains(uri.path())
        ? probes
        : redirect(uri.scheme("https").port(httpsPort), StatusCodes.PERMANENT_REDIRECT));
  }
}
