package io.mintline.http.openapi;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Location;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code GET /api/v1/openapi.json} (the document) and {@code GET /api/docs} (Swagger UI from the
 * npm {@code swagger-ui-dist} package, packed into the jar at build time under
 * {@code swagger-ui/}: nothing comes from a CDN). The UI's initializer is Mintline's own, pointing
 * at this node's document.
 */
public final class OpenApiRoutes {
  /** Where the build copies swagger-ui-dist inside the jar. */
  public static final String SWAGGER_UI = "swagger-ui";

  private final ApiDescription description;
  private final byte[] initializer;

  public OpenApiRoutes(ApiDescription description) {
    this.description = description;
    try (InputStream in = OpenApiRoutes.class.getResourceAsStream("/openapi/swagger-initializer.js")) {
      this.initializer = in.readAllBytes();
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("openapi/swagger-initializer.js is missing from the classpath", e);
    }
    if (OpenApiRoutes.class.getResource("/" + SWAGGER_UI + "/swagger-ui-bundle.js") == null) {
      throw new IllegalStateException("Swagger UI is missing from the classpath (" + SWAGGER_UI
          + "/): build with node_modules present (npm ci first)");
    }
  }

  public Route route() {
    return concat(
        path(PathMatchers.segment("api").slash("v1").slash("openapi.json"), () -> get(() ->
            complete(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, description.bytes()))))),
        pathPrefix(PathMatchers.segment("api").slash("docs"), () -> get(() -> concat(
            pathEnd(() -> complete(HttpResponse.create().withStatus(StatusCodes.FOUND).addHeader(Location.create("/api/docs/")))),
            pathSingleSlash(() -> getFromResource(SWAGGER_UI + "/index.html")),
            path("swagger-initializer.js", () -> complete(HttpResponse.create().withEntity(
                HttpEntities.create(akka.http.javadsl.model.ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT,
                    akka.http.javadsl.model.HttpCharsets.UTF_8), initializer)))),
            getFromResourceDirectory(SWAGGER_UI)))));
  }
}
