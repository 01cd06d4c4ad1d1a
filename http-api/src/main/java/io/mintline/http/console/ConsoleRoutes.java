package io.mintline.http.console;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import java.util.List;

/**
 * The web console: {@code GET /} (its page) and {@code GET /console/*} (its bundled script, styles
 * and licence), static files the build packs into the jar under {@code console/} (esbuild bundles
 * the ES modules of {@code src/main/console} with algosdk and qrcode from npm; nothing comes from
 * a CDN). Every answer carries the console's own Content-Security-Policy: scripts and styles from
 * this node only, no inline code, connections to this node only (its API and WebSockets).
 */
public final class ConsoleRoutes {
  /** Where the build writes the console inside the jar. */
  public static final String RESOURCES = "console";

  /** No inline script or style, nothing from elsewhere; {@code data:} images for the QR code and the empty favicon. */
  public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final List<akka.http.javadsl.model.HttpHeader> HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", CSP),
      // The bundle's name is fixed, so a browser must ask again after an upgrade of the node.
      RawHeader.create("Cache-Control", "no-cache"));

  public ConsoleRoutes() {
    if (ConsoleRoutes.class.getResource("/" + RESOURCES + "/index.html") == null
        || ConsoleRoutes.class.getResource("/" + RESOURCES + "/console.js") == null) {
      throw new IllegalStateException("the web console is missing from the classpath (" + RESOURCES
          + "/): build with node_modules present (npm ci first)");
    }
  }

  public Route route() {
    return get(() -> respondWithHeaders(HEADERS, () -> concat(
        pathSingleSlash(() -> getFromResource(RESOURCES + "/index.html")),
        pathPrefix(PathMatchers.segment(RESOURCES), () -> getFromResourceDirectory(RESOURCES)))));
  }
}
