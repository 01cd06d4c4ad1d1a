package io.mintline.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A node a test talks to over HTTP, wherever it runs (in this JVM, a JVM of its own, the shipped jar). */
interface ApiNode {
  /** The node's public API URL of {@code path}. */
  String url(String path);

  HttpClient http();

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception;

  default HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET());
  }
}
