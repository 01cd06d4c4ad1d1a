package io.mintline.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A node a test talks to over HTTP, wherever it runs (in this JVM, a JVM of its own, the shipped jar). */
interface ApiNode {
  /** The node's public API URL of {@code path}. */
  String url(String path);

  HttpClient http();

  /** Sends {@code request}, waiting at most {@code timeout} for the answer. */
  HttpResponse<String> send(HttpRequest.Builder request, Duration timeout) throws Exception;

  default HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return send(request, Duration.ofSeconds(20));
  }

  default HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET());
  }
}
