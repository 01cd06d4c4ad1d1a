package io.mintline.http.errors;

import static org.junit.jupiter.api.Assertions.*;

import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.http.Json;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * What a route's failure becomes: an ask that timed out, passed on the way a route passes a checked
 * failure (in a CompletionException, as the sticker claim route does), is a 503 timeout the client
 * may retry, never a 500; a failure nobody recognises is a 500 with the request id.
 */
class ErrorHandlingTest {
  @Test
  void aTimeoutPassedOnByARouteIsA503TimeoutNotA500() throws Exception {
    JsonNode body = body(ErrorHandling.responseFor(new CompletionException(new TimeoutException("ask timed out")), "req-1"), 503);
    assertEquals("timeout", body.path("error").asText());
    assertTrue(body.path("retry").asBoolean(), body.toString());
    assertEquals("req-1", body.path("requestId").asText());
  }

  @Test
  void anUnknownFailureIsA500NamingTheRequest() throws Exception {
    JsonNode body = body(ErrorHandling.responseFor(new CompletionException(new IllegalStateException("boom")), "req-2"), 500);
    assertEquals("internal_error", body.path("error").asText());
    assertFalse(body.toString().contains("boom"), "internals stay out of the answer: " + body);
    assertEquals("req-2", body.path("requestId").asText());
  }

  private static JsonNode body(HttpResponse response, int status) throws Exception {
    assertEquals(status, response.status().intValue());
    return Json.MAPPER.readTree(((HttpEntity.Strict) response.entity()).getData().utf8String());
  }
}
